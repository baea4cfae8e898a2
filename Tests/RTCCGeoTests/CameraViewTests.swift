import Foundation
import RTCCGeo
import Testing

@Suite struct CameraViewTests {
    let origin = Coordinate(latitude: 40.0, longitude: -75.0)
    var projection: LocalProjection { LocalProjection(origin: origin) }

    func camera(heading: Double = 90, fov: Double = 60, range: Double = 100, pixels: Int? = nil, height: Double = 0) throws -> PlanarCamera {
        let view = try CameraView(id: "c", position: origin, mountHeight: height, heading: heading, fieldOfView: fov, range: range, horizontalPixels: pixels)
        return PlanarCamera(view, in: projection)
    }

    @Test(arguments: [0.0, -1, 360.5, .nan, .infinity])
    func fieldOfViewOutsideZeroToThreeSixtyIsRejected(fov: Double) {
        #expect(throws: CameraViewError.self) { try CameraView(id: "c", position: origin, heading: 0, fieldOfView: fov, range: 50) }
    }

    @Test func fullCircleFieldOfViewIsAccepted() throws {
        let c = try camera(fov: 360)
        #expect(c.coverage(of: PlanePoint(x: -50, y: -50)) != nil)
    }

    @Test(arguments: [(-10.0, 350.0), (370, 10), (720, 0), (359.5, 359.5)])
    func headingWrapsIntoZeroToThreeSixty(given: Double, expected: Double) throws {
        let view = try CameraView(id: "c", position: origin, heading: given, fieldOfView: 90, range: 50)
        #expect(abs(view.heading - expected) < 1e-9)
    }

    @Test func cameraLookingNorthCoversPointsEitherSideOfNorth() throws {
        let c = try camera(heading: 350, fov: 40)
        #expect(c.coverage(of: PlanePoint(x: 5, y: 50)) != nil)  // bearing ~5.7°, across the 0/360 seam
        #expect(c.coverage(of: PlanePoint(x: -25, y: 50)) != nil)  // bearing ~333°
        #expect(c.coverage(of: PlanePoint(x: 25, y: 50)) == nil)  // bearing ~26.6°, outside 330…10
    }

    @Test func pointExactlyOnTheFieldOfViewEdgeIsCovered() throws {
        let c = try camera(heading: 0, fov: 90)
        let edge = (c.gridHeading + 45) * .pi / 180
        let onEdge = PlanePoint(x: 60 * sin(edge), y: 60 * cos(edge))
        let justOutside = PlanePoint(x: 60 * sin(edge + 0.001), y: 60 * cos(edge + 0.001))
        #expect(c.coverage(of: onEdge) != nil)
        #expect(c.coverage(of: justOutside) == nil)
        let atRange = PlanePoint(x: 100 * sin(c.gridHeading * .pi / 180), y: 100 * cos(c.gridHeading * .pi / 180))
        #expect(c.coverage(of: atRange) != nil)
    }

    @Test func pointsBehindOrBeyondRangeAreNotCovered() throws {
        let c = try camera(heading: 90, fov: 60, range: 100)
        #expect(c.coverage(of: PlanePoint(x: 75, y: 0))?.distance ?? 0 > 74.9)
        #expect(c.coverage(of: PlanePoint(x: -75, y: 0)) == nil)
        #expect(c.coverage(of: PlanePoint(x: 101, y: 0)) == nil)
    }

    @Test(arguments: [(DORILevel.detect, 25.0), (.observe, 62.5), (.recognise, 125), (.identify, 250)])
    func doriRangeFollowsPixelDensity(level: DORILevel, density: Double) throws {
        let view = try CameraView(id: "c", position: origin, heading: 0, fieldOfView: 90, range: 1000, horizontalPixels: 1920)
        // 1920 / (2 · tan 45° · D)
        #expect(abs(try #require(view.doriRange(level)) - 1920 / (2 * density)) < 1e-9)
    }

    @Test func doriRangesAreCappedByTheCameraRangeAndShortenedByMountHeight() throws {
        let low = try CameraView(id: "c", position: origin, heading: 0, fieldOfView: 90, range: 30, horizontalPixels: 1920)
        #expect(low.doriRange(.detect) == 30)
        let high = try CameraView(id: "c", position: origin, mountHeight: 6, heading: 0, fieldOfView: 90, range: 500, horizontalPixels: 1920)
        #expect(try #require(high.doriRange(.identify)) == 0)  // 3.84 m slant from 6 m up never reaches the ground
        #expect(abs(try #require(high.doriRange(.observe)) - (15.36 * 15.36 - 36).squareRoot()) < 1e-9)
        let none = try CameraView(id: "c", position: origin, heading: 0, fieldOfView: 90, range: 500)
        #expect(none.doriRange(.detect) == nil)
    }

    @Test func panoramicLensesSpreadPixelsOverTheArc() throws {
        let view = try CameraView(id: "c", position: origin, heading: 0, fieldOfView: 180, range: 1000, horizontalPixels: 3142)
        #expect(abs(try #require(view.doriRange(.detect)) - 3142 / (Double.pi * 25)) < 1e-9)
    }

    @Test func coverageReportsTheBestLevelReached() throws {
        let c = try camera(heading: 0, fov: 90, range: 100, pixels: 1920)  // identify 3.84, recognise 7.68, observe 15.36, detect 38.4
        func at(_ d: Double) -> DORILevel? {
            let axis = c.gridHeading * .pi / 180
            return c.coverage(of: PlanePoint(x: d * sin(axis), y: d * cos(axis)))?.level
        }
        #expect(at(3) == .identify)
        #expect(at(7) == .recognise)
        #expect(at(15) == .observe)
        #expect(at(38) == .detect)
        #expect(at(60) == nil)
        #expect(c.coverage(of: PlanePoint(x: 0, y: 60)) != nil)
    }
}
