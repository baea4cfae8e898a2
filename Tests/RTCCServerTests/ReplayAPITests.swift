import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// `POST /api/v1/coverage/replay`: each incident seen, in a gap, or covered by a proposed plan.
@Suite struct ReplayAPITests {
    static func replay(_ app: TestApp, _ client: any TestClientProtocol, _ body: [String: Any]) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/coverage/replay", method: .post, headers: app.headers(.officer, jsonHeaders), body: jsonBody(body))
    }

    static func row(_ time: String, _ point: GeoPoint) -> String { "\(time),theft,\(point.latitude),\(point.longitude)\n" }

    @Test func anUploadedCSVIsSortedIntoSeenGapAndCoveredByThePlan() async throws {
        let app = try await TestApp.make()
        let dome = try await SeenAPITests.camera(app, "Dome", at: SeenAPITests.point, heading: 0, fov: 360, range: 50)
        let csv = "time,type,latitude,longitude\n" + Self.row("2026-11-01T10:00:00Z", SeenAPITests.offset(north: 10, east: 0))
            + Self.row("2026-11-01T10:05:00Z", SeenAPITests.offset(north: 0, east: 400))
            + Self.row("2026-11-01T10:10:00Z", SeenAPITests.offset(north: 0, east: 800))
        let withPlan = jsonBody(["csv": csv, "proposed": [[
            "rank": 1, "latitude": SeenAPITests.offset(north: -30, east: 800).latitude, "longitude": SeenAPITests.offset(north: -30, east: 800).longitude,
            "headingDeg": 0, "fovDeg": 90, "rangeM": 60,
        ] as [String: Any]]] as [String: Any])
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/coverage/replay", method: .post, headers: app.headers(.officer, jsonHeaders), body: withPlan)
            #expect(response.status == .ok, "\(response.text)")
            let body = try #require(try response.json() as? [String: Any])
            #expect(body["counts"] as? [String: Int] == ["total": 3, "seen": 1, "coveredByPlan": 1, "gap": 1])
            let incidents = try #require(body["incidents"] as? [[String: Any]])
            #expect(incidents.map { $0["verdict"] as? String } == ["seen", "gap", "covered-by-plan"])
            #expect((incidents[0]["seenBy"] as? [[String: Any]])?.first?["cameraID"] as? String == dome.id.uuidString)
            #expect(incidents[2]["proposedSeenBy"] as? [String] == ["plan-1"])

            let without = try #require(try await Self.replay(app, client, ["csv": csv]).json() as? [String: Any])
            #expect(without["counts"] as? [String: Int] == ["total": 3, "seen": 1, "coveredByPlan": 0, "gap": 2])
        }
        #expect(try await app.services.audit.entries(action: "coverage.replay").count == 2)
    }

    @Test func storedIncidentsInTheRangeAreReplayed() async throws {
        let app = try await TestApp.make()
        _ = try await SeenAPITests.camera(app, "Dome", at: SeenAPITests.point, heading: 0, fov: 360, range: 50)
        let start = Date(timeIntervalSince1970: 1_793_000_000)
        let incidents = [(0.0, 10.0), (60, 300), (-7200, 10)].map { offset, north in
            RTCCCore.Incident(
                id: UUID(), occurredAt: start.addingTimeInterval(offset), category: .burglary, location: SeenAPITests.offset(north: north, east: 0),
                summary: "", weaponRecovered: false)
        }
        try await app.services.store.incidents.insert(incidents)
        try await app.test { client async throws in
            let body = try #require(try await Self.replay(app, client, [
                "from": start.addingTimeInterval(-60).formatted(.iso8601), "until": start.addingTimeInterval(3600).formatted(.iso8601),
            ]).json() as? [String: Any])
            #expect(body["source"] as? String == "store")
            #expect(body["counts"] as? [String: Int] == ["total": 2, "seen": 1, "coveredByPlan": 0, "gap": 1])
            #expect((body["incidents"] as? [[String: Any]])?.map { $0["type"] as? String } == ["burglary", "burglary"])
        }
    }

    @Test(arguments: [
        ("bad CSV row", #"{"csv": "time,type,latitude,longitude\n2026-11-01T10:00:00Z,theft,32.5,-93.7\nyesterday,theft,32.5,-93.7\n"}"#, "csv", "line 3"),
        ("no incidents", #"{}"#, "from", "required"),
        ("both sources", #"{"csv": "time,type,latitude,longitude\n", "from": "2026-11-01T10:00:00Z", "until": "2026-11-02T10:00:00Z"}"#, "csv", "not both"),
        ("backwards range", #"{"from": "2026-11-02T10:00:00Z", "until": "2026-11-01T10:00:00Z"}"#, "until", "after from"),
        ("proposed fov zero", #"{"from": "2026-11-01T10:00:00Z", "until": "2026-11-02T10:00:00Z", "proposed": [{"latitude": 32.5, "longitude": -93.7, "fovDeg": 0}]}"#,
         "proposed[0].fovDeg", "more than 0"),
        ("proposed unknown field", #"{"from": "2026-11-01T10:00:00Z", "until": "2026-11-02T10:00:00Z", "proposed": [{"latitude": 32.5, "longitude": -93.7, "zoom": 3}]}"#,
         "proposed[0].zoom", "not a known field"),
    ])
    func badReplaysAreRefusedNamingTheProblem(_ label: String, _ body: String, _ field: String, _ words: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/coverage/replay", method: .post, headers: app.headers(.analyst, jsonHeaders), body: ByteBuffer(string: body))
            #expect((400...422).contains(Int(response.status.code)), "\(label): \(response.status)")
            let errors = (try response.problem()["errors"] as? [[String: String]]) ?? []
            #expect(errors.contains { $0["field"] == field && ($0["reason"] ?? "").contains(words) }, "\(label): \(response.text)")
        }
        #expect(try await app.services.audit.entries(action: "coverage.replay").isEmpty)
    }
}
