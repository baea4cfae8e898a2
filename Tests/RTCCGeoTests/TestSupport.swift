import Foundation
import RTCCGeo

/// A small seeded generator so random test instances are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let testOrigin = Coordinate(latitude: 32.5, longitude: -93.75)
let testProjection = LocalProjection(origin: testOrigin)

/// A camera at plane position (x, y).
func planeCamera(_ id: String, x: Double, y: Double, heading: Double, fov: Double = 90, range: Double = 50, pixels: Int? = nil,
                 active: DateInterval? = nil) throws -> CameraView {
    try CameraView(
        id: id, position: testProjection.unproject(PlanePoint(x: x, y: y)), heading: heading, fieldOfView: fov, range: range,
        horizontalPixels: pixels, activeInterval: active)
}

/// An axis-aligned plane rectangle as a polygon.
func rectangle(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> PlanePolygon {
    PlanePolygon(rings: [[PlanePoint(x: x0, y: y0), PlanePoint(x: x1, y: y0), PlanePoint(x: x1, y: y1), PlanePoint(x: x0, y: y1)]])
}
