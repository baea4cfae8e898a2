import Foundation
import RTCCGeo
import Testing

@Suite struct PolygonValidationTests {
    func ring(_ pairs: [(Double, Double)]) -> [Coordinate] { pairs.map { Coordinate(latitude: $0.1, longitude: $0.0) } }
    let square: [(Double, Double)] = [(0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01), (0, 0)]

    @Test func closedSquareIsAcceptedAndLosesItsRepeatedPoint() throws {
        let polygon = try GeoPolygon(rings: [ring(square)])
        #expect(polygon.outer.count == 4)
    }

    @Test func emptyPolygonIsRejected() {
        #expect(throws: PolygonValidationError.empty) { try GeoPolygon(rings: []) }
        #expect(throws: PolygonValidationError.empty) { try GeoPolygon(rings: [[]]) }
    }

    @Test func ringWithTwoDistinctPointsIsRejectedNamingTheRing() {
        #expect(throws: PolygonValidationError.tooFewPoints(ring: 0, distinctPoints: 2)) {
            try GeoPolygon(rings: [ring([(0, 0), (1, 1), (0, 0), (1, 1)])])
        }
    }

    @Test func bowTieIsRejectedAsSelfIntersectingNamingTheEdges() {
        #expect(throws: PolygonValidationError.selfIntersecting(ring: 0, edge: 0, otherRing: 0, otherEdge: 2)) {
            try GeoPolygon(rings: [ring([(0, 0), (1, 1), (1, 0), (0, 1)])])
        }
    }

    @Test func ringThatFoldsBackOnItselfIsRejected() {
        #expect(throws: PolygonValidationError.self) { try GeoPolygon(rings: [ring([(0, 0), (2, 0), (1, 0), (1, 1)])]) }
    }

    @Test func holeCrossingTheOuterRingIsRejected() {
        let hole = ring([(0.005, 0.005), (0.02, 0.005), (0.02, 0.008)])
        #expect {
            try GeoPolygon(rings: [ring(square), hole])
        } throws: { error in
            guard case .selfIntersecting(0, _, 1, _) = error as? PolygonValidationError else { return false }
            return true
        }
        #expect(throws: Never.self) { try GeoPolygon(rings: [ring(square), ring([(0.002, 0.002), (0.004, 0.002), (0.004, 0.004)])]) }
    }

    @Test func nonFiniteAndOutOfRangeVerticesAreNamed() {
        #expect(throws: PolygonValidationError.nonFinite(ring: 0, vertex: 2)) {
            try GeoPolygon(rings: [ring([(0, 0), (1, 0), (.nan, 1)])])
        }
        #expect(throws: PolygonValidationError.latitudeOutOfRange(ring: 0, vertex: 1, latitude: 91)) {
            try GeoPolygon(rings: [ring([(0, 0), (1, 91), (1, 1)])])
        }
        #expect(throws: PolygonValidationError.longitudeOutOfRange(ring: 0, vertex: 0, longitude: -181)) {
            try GeoPolygon(rings: [ring([(-181, 0), (1, 0), (1, 1)])])
        }
    }

    @Test func errorMessagesSayWhatToFix() {
        let message = PolygonValidationError.selfIntersecting(ring: 0, edge: 1, otherRing: 0, otherEdge: 3).description
        #expect(message.contains("edge 1") && message.contains("edge 3"))
    }
}
