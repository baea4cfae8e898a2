import RTCCGeo
import Testing

@Suite struct GeodesyTests {
    let downtown = Coordinate(latitude: 32.5115, longitude: -93.7488)

    @Test func distanceBetweenDowntownAndTheFairgroundsIsAboutFiveKilometres() {
        let stadium = Coordinate(latitude: 32.4772, longitude: -93.7919)
        #expect(abs(Geodesy.distance(downtown, stadium) - 5_580) < 150)
    }

    @Test func bearingsPointTheRightWay() {
        let north = Coordinate(latitude: 32.5215, longitude: -93.7488)
        let east = Coordinate(latitude: 32.5115, longitude: -93.7388)
        #expect(abs(Geodesy.bearing(from: downtown, to: north)) < 0.01)
        #expect(abs(Geodesy.bearing(from: downtown, to: east) - 90) < 0.1)
        #expect(Geodesy.angleBetween(350, 10) == 20)
    }

    @Test func sectorContainsPointsInFrontWithinRangeOnly() {
        let sector = ViewSector(origin: downtown, heading: 90, fieldOfView: 60, range: 100)
        let ahead = Coordinate(latitude: 32.5115, longitude: -93.7480)   // ~75 m east
        let behind = Coordinate(latitude: 32.5115, longitude: -93.7496)  // ~75 m west
        let far = Coordinate(latitude: 32.5115, longitude: -93.7460)     // ~260 m east
        #expect(sector.contains(ahead))
        #expect(!sector.contains(behind))
        #expect(!sector.contains(far))
    }
}
