import Foundation
import RTCCCore
import RTCCGeo
import Testing

/// The demo's intersection cameras look across their intersection, so "who could have seen it" at a downtown corner
/// finds both of them.
@Suite struct DemoCornerCamerasTests {
    @Test func bothCamerasOfAnIntersectionHaveTheCornerInTheirViewSector() throws {
        let city = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://127.0.0.1:8554")
        let corners = Dictionary(grouping: city.cityCameras.filter { $0.kind == .city }) {
            $0.name.replacingOccurrences(of: #" \((NE|SW)\)$"#, with: "", options: .regularExpression)
        }
        #expect(corners.count >= 10)
        // The intersection's point is where its two cameras' positions meet halfway.
        for (corner, cameras) in corners {
            #expect(cameras.count == 2, "\(corner)")
            let middle = Coordinate(
                latitude: cameras.map(\.location.latitude).reduce(0, +) / 2, longitude: cameras.map(\.location.longitude).reduce(0, +) / 2)
            for camera in cameras {
                let at = Coordinate(latitude: camera.location.latitude, longitude: camera.location.longitude)
                let distance = Geodesy.distance(at, middle)
                let off = abs(((Geodesy.bearing(from: at, to: middle) - camera.headingDeg + 540).truncatingRemainder(dividingBy: 360)) - 180)
                #expect(distance < camera.rangeM && distance > 3, "\(camera.name) is \(Int(distance)) m from the corner")
                #expect(off < camera.fieldOfViewDeg / 2, "\(camera.name) looks \(Int(off))° away from the corner")
            }
        }
    }
}
