import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// `POST /api/v1/coverage` and `PUT /api/v1/buildings`.
@Suite struct CoverageAPITests {
    /// A square `side` metres across with its south-west corner `north`/`east` metres from ``SeenAPITests/point``, as GeoJSON.
    static func square(north: Double = 0, east: Double = 0, side: Double) -> [String: Any] {
        let corners = [(0.0, 0.0), (0, side), (side, side), (side, 0), (0, 0)].map { SeenAPITests.offset(north: north + $0.0, east: east + $0.1) }
        return ["type": "Polygon", "coordinates": [corners.map { [$0.longitude, $0.latitude] }]]
    }

    static func coverage(_ app: TestApp, _ client: any TestClientProtocol, _ body: [String: Any]) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/coverage", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(body))
    }

    @Test func anAreaInsideAViewIsFullyCoveredAndAnEmptyOneIsAllGap() async throws {
        let app = try await TestApp.make()
        // A 360° camera in the middle of a 40 m square, reaching 60 m.
        _ = try await SeenAPITests.camera(app, "Dome", at: SeenAPITests.offset(north: 20, east: 20), heading: 0, fov: 360, range: 60)
        try await app.test { client async throws in
            let covered = try await Self.coverage(app, client, ["polygon": Self.square(side: 40), "resolutionM": 2])
            #expect(covered.status == .ok, "\(covered.text)")
            let body = try #require(try covered.json() as? [String: Any])
            let percent = try #require(body["coveredPercent"] as? [String: Double])
            // A 1920 px panorama spreads its pixels over 360°: detection reaches only about 11 m on the ground.
            #expect(percent["any"] == 100)
            #expect((percent["detect"] ?? 100) < 100 && percent["identify"] == 0)
            #expect(body["gapRectangles"] as? Int == 0)

            let empty = try await Self.coverage(app, client, ["polygon": Self.square(north: 500, side: 40), "resolutionM": 2])
            let emptyBody = try #require(try empty.json() as? [String: Any])
            #expect((emptyBody["coveredPercent"] as? [String: Double])?["any"] == 0)
            #expect((emptyBody["gapRectangles"] as? Int ?? 0) > 0)
            let gaps = try #require(emptyBody["gaps"] as? [String: Any])
            #expect(gaps["type"] as? String == "FeatureCollection")
        }
    }

    @Test func aVenueIsMeasuredByID() async throws {
        let app = try await TestApp.make()
        let venue = Venue(id: UUID(), name: "Fair", polygon: [
            SeenAPITests.offset(north: 0, east: 0), SeenAPITests.offset(north: 0, east: 50), SeenAPITests.offset(north: 50, east: 50),
        ])
        try await app.services.store.incidents.insert(venue: venue)
        _ = try await SeenAPITests.camera(app, "Dome", at: SeenAPITests.offset(north: 10, east: 30), heading: 0, fov: 360, range: 200)
        try await app.test { client async throws in
            let response = try await Self.coverage(app, client, ["venueID": venue.id.uuidString, "resolutionM": 1])
            #expect(response.status == .ok, "\(response.text)")
            let body = try #require(try response.json() as? [String: Any])
            #expect((body["coveredPercent"] as? [String: Double])?["any"] == 100)
            #expect(body["area"] as? String == "venue:\(venue.id)")
        }
    }

    @Test(arguments: [
        ("empty polygon", #"{"polygon": {"type": "Polygon", "coordinates": []}, "resolutionM": 5}"#, "polygon", "empty"),
        ("self-intersecting", #"{"polygon": {"type": "Polygon", "coordinates": [[[-93.70, 32.50], [-93.69, 32.51], [-93.69, 32.50], [-93.70, 32.51], [-93.70, 32.50]]]}, "resolutionM": 5}"#,
         "polygon", "intersects itself"),
        ("latitude out of range", #"{"polygon": {"type": "Polygon", "coordinates": [[[-93.70, 95.0], [-93.69, 32.51], [-93.69, 32.50], [-93.70, 95.0]]]}, "resolutionM": 5}"#,
         "polygon", "latitude"),
        ("resolution too fine", #"{"polygon": {"type": "Polygon", "coordinates": [[[-93.7000, 32.5000], [-93.6996, 32.5000], [-93.6996, 32.5004], [-93.7000, 32.5000]]]}, "resolutionM": 0.5}"#,
         "resolutionM", "from 1 to 1000"),
        ("too many cells", #"{"polygon": {"type": "Polygon", "coordinates": [[[-93.70, 32.50], [-93.65, 32.50], [-93.65, 32.55], [-93.70, 32.55], [-93.70, 32.50]]]}, "resolutionM": 1}"#,
         "resolutionM", "cells"),
        ("unknown DORI level", #"{"polygon": {"type": "Polygon", "coordinates": [[[-93.7000, 32.5000], [-93.6996, 32.5000], [-93.6996, 32.5004], [-93.7000, 32.5000]]]}, "level": 3}"#,
         "level", "must be detect"),
        ("no area", #"{"resolutionM": 5}"#, "polygon", "required"),
        ("unknown venue", #"{"venueID": "8E0B8E3C-6E1C-4C41-9D0A-3A6F7D1B2C09"}"#, "venueID", "no venue"),
    ])
    func badAreasAreRefusedNamingTheProblem(_ label: String, _ body: String, _ field: String, _ words: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/coverage", method: .post, headers: app.headers(.analyst, jsonHeaders), body: ByteBuffer(string: body))
            #expect((400...422).contains(Int(response.status.code)), "\(label): \(response.status)")
            let errors = (try response.problem()["errors"] as? [[String: String]]) ?? []
            #expect(errors.contains { $0["field"] == field && ($0["reason"] ?? "").contains(words) }, "\(label): \(response.text)")
        }
        #expect(try await app.services.audit.entries(action: "coverage.compute").isEmpty)
    }

    @Test func buildingsAreReplacedAllOrNothing() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let good: [String: Any] = ["type": "Feature", "properties": [:], "geometry": Self.square(side: 10)]
            let crossed: [String: Any] = [
                "type": "Feature", "properties": [:],
                "geometry": ["type": "Polygon", "coordinates": [[[-93.70, 32.50], [-93.69, 32.51], [-93.69, 32.50], [-93.70, 32.51], [-93.70, 32.50]]]],
            ]
            let first = try await client.execute(
                uri: "/api/v1/buildings", method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(["type": "FeatureCollection", "features": [good, good]]))
            #expect(first.status == .ok)
            let bad = try await client.execute(
                uri: "/api/v1/buildings", method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(["type": "FeatureCollection", "features": [good, crossed]]))
            #expect(bad.status == .unprocessableContent)
            let fields = (try bad.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(fields == ["feature 1"])
        }
        #expect(try await app.services.store.buildings.all().count == 2)
    }
}
