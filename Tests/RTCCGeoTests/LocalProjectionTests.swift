import Foundation
import RTCCGeo
import Testing

@Suite struct LocalProjectionTests {
    static let origins = [
        Coordinate(latitude: 32.5115, longitude: -93.7488),
        Coordinate(latitude: 59.91, longitude: 10.75),
        Coordinate(latitude: -33.87, longitude: 151.21),
        Coordinate(latitude: 0.5, longitude: 36.8),
    ]

    @Test func vincentyMatchesThePublishedFlindersPeakToBuninyongDistance() throws {
        // Geoscience Australia's worked example on GRS80: 54 972.271 m.
        let grs80 = EllipsoidalGeodesic(ellipsoid: Ellipsoid(semiMajorAxis: 6_378_137, flattening: 1 / 298.257_222_101))
        let flinders = Coordinate(latitude: -(37 + 57 / 60 + 3.72030 / 3600), longitude: 144 + 25 / 60 + 29.52440 / 3600)
        let buninyong = Coordinate(latitude: -(37 + 39 / 60 + 10.15610 / 3600), longitude: 143 + 55 / 60 + 35.38390 / 3600)
        let distance = try #require(grs80.distance(flinders, buninyong))
        #expect(abs(distance - 54_972.271) < 0.001)
    }

    @Test(arguments: origins)
    func planeDistancesMatchTheEllipsoidalGeodesicWithinHalfAMetreOverTwentyKilometres(origin: Coordinate) throws {
        let projection = LocalProjection(origin: origin)
        let geodesic = EllipsoidalGeodesic()
        var worst = 0.0
        for bearing in stride(from: 0.0, to: 360, by: 15) {
            let radians = bearing * .pi / 180
            // Points 20 km out in the plane, mapped back to the ellipsoid and measured there.
            let planar = PlanePoint(x: 20_000 * sin(radians), y: 20_000 * cos(radians))
            let far = projection.unproject(planar)
            let measured = try #require(geodesic.distance(origin, far))
            worst = max(worst, abs(measured - 20_000))
            // And between two points 20 km apart that are both away from the origin.
            let a = projection.unproject(PlanePoint(x: -10_000 * cos(radians), y: 10_000 * sin(radians)))
            let b = projection.unproject(PlanePoint(x: 10_000 * cos(radians), y: -10_000 * sin(radians)))
            let chord = projection.project(a).distance(to: projection.project(b))
            worst = max(worst, abs(try #require(geodesic.distance(a, b)) - chord))
        }
        #expect(worst < 0.5)
    }

    @Test(arguments: origins)
    func projectingAndUnprojectingReturnsTheSameCoordinate(origin: Coordinate) {
        let projection = LocalProjection(origin: origin)
        let point = Coordinate(latitude: origin.latitude + 0.13, longitude: origin.longitude - 0.17)
        let back = projection.unproject(projection.project(point))
        #expect(abs(back.latitude - point.latitude) < 1e-9)
        #expect(abs(back.longitude - point.longitude) < 1e-9)
        #expect(projection.project(origin).distance(to: PlanePoint(x: 0, y: 0)) < 1e-6)
    }

    @Test func gridHeadingOfTrueNorthFollowsTheMeridianAwayFromTheOrigin() {
        let origin = Coordinate(latitude: 45, longitude: 10)
        let projection = LocalProjection(origin: origin)
        let east = Coordinate(latitude: 45, longitude: 10.2)  // ~15.7 km east
        let north = Coordinate(latitude: 45.001, longitude: 10.2)
        let p = projection.project(east), q = projection.project(north)
        let gridBearing = (atan2(q.x - p.x, q.y - p.y) * 180 / .pi + 360).truncatingRemainder(dividingBy: 360)
        #expect(abs(gridBearing - projection.gridHeading(fromTrue: 0, at: east)) < 0.001)
        #expect(gridBearing > 359)  // true north leans west of grid north east of the origin
    }
}
