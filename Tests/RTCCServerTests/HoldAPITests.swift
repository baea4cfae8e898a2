import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

@Suite struct HoldAPITests {
    @Test func holdIsPlacedListedAuditedAndReleasedOnce() async throws {
        let app = try await TestApp.make()
        let camera = app.cityCamera.id
        try await app.test { client async throws in
            let placed = try await client.execute(
                uri: "/api/v1/holds", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["cameraID": camera.uuidString, "from": "2026-10-31T21:00:00Z", "until": "2026-10-31T22:00:00Z", "reason": "case 26-004512 fair shooting"]))
            #expect(placed.status == .created)
            let id = try #require((try placed.json() as? [String: Any])?["id"] as? String)
            let listed = try await client.execute(uri: "/api/v1/holds?cameraID=\(camera)", method: .get, headers: app.headers(.officer))
            #expect(listed.text.contains(id) && listed.text.contains("case 26-004512"))
            let bad = try await client.execute(
                uri: "/api/v1/holds", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["cameraID": UUID().uuidString, "from": "2026-10-31T22:00:00Z", "until": "2026-10-31T21:00:00Z", "reason": " "]))
            #expect(bad.status == .unprocessableContent)
            let fields = (try bad.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(Set(fields) == ["until", "reason", "cameraID"])
            #expect(try await client.execute(uri: "/api/v1/holds/\(id)", method: .delete, headers: app.headers(.supervisor)).status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/holds/\(id)", method: .delete, headers: app.headers(.supervisor)).status == .notFound)
        }
        let placedEntry = try #require(try await app.services.audit.entries(action: "holds.place").first)
        #expect(placedEntry.actor == "analyst" && placedEntry.purpose == "case 26-004512 fair shooting")
        #expect(try await app.services.audit.entries(action: "holds.release").count == 1)
        #expect(try await app.services.store.holds.active(cameraID: camera).map(\.reason) == ["case 26-9"])
    }
}
