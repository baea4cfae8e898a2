import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// What the Partners administration tab reads: the list with camera counts and agreed retention, one partner's
/// overview (consent, cameras with tier and sharing state, retention, user accounts), and a refused delete that names
/// what still belongs to the partner.
@Suite struct PartnerAdminTests {
    static func object(_ response: TestResponse) throws -> [String: Any] { try #require(try response.json() as? [String: Any]) }

    @Test func listCountsEachPartnersCamerasAndShowsItsAgreedRetention() async throws {
        let app = try await TestApp.make()
        try await app.services.store.community.setRetention(partnerID: app.partner.id, days: 14, by: "test")
        try await app.test { client in
            try await client.execute(uri: "/api/v1/partners?limit=100", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .ok)
                let items = try #require(try Self.object(response)["items"] as? [[String: Any]])
                let grocery = try #require(items.first { $0["id"] as? String == app.partner.id.uuidString })
                #expect(grocery["name"] as? String == "Red River Grocery")
                #expect(grocery["cameraCount"] as? Int == 1)
                #expect(grocery["retentionDays"] as? Int == 14)
                let home = try #require(items.first { $0["id"] as? String == app.emptyPartner.id.uuidString })
                #expect(home["cameraCount"] as? Int == 0)
                #expect(home["retentionDays"] is NSNull, "a partner without an agreed limit says so with null")
            }
        }
    }

    @Test func overviewHasConsentCamerasWithTheirSharingStateRetentionAndUsers() async throws {
        let app = try await TestApp.make()
        try await app.services.store.community.setRetention(partnerID: app.partner.id, days: 14, by: "test")
        try await app.services.store.community.setSharing(cameraID: app.partnerCamera.id, .paused, by: "owner")
        try await app.test { client in
            try await client.execute(uri: "/api/v1/partners/\(app.partner.id)/overview", method: .get, headers: app.headers(.supervisor)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                let partner = try #require(body["partner"] as? [String: Any])
                #expect((partner["consent"] as? [String: Any])?["termsVersion"] as? String == "2026-01")
                #expect(body["retentionDays"] as? Int == 14)
                #expect(body["defaultRetentionDays"] as? Int == CommunityTerms.defaultRetentionDays)
                let cameras = try #require(body["cameras"] as? [[String: Any]])
                #expect(cameras.count == 1)
                #expect((cameras.first?["camera"] as? [String: Any])?["name"] as? String == "Grocery door")
                #expect(cameras.first?["state"] as? String == "paused")
                #expect(cameras.first?["retentionDays"] as? Int == 14, "the partner's shorter limit applies to its camera")
                let users = try #require(body["users"] as? [[String: Any]])
                #expect(users.map { $0["username"] as? String } == ["partner"], "only the partner's own accounts are listed")
            }
            try await client.execute(uri: "/api/v1/partners/\(app.emptyPartner.id)/overview", method: .get, headers: app.headers(.admin)) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response)
                #expect(body["retentionDays"] is NSNull, "a partner without an agreed limit says so with null, not by leaving the key out")
            }
            try await client.execute(uri: "/api/v1/partners/\(UUID())/overview", method: .get, headers: app.headers(.admin)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func refusedDeleteNamesTheCamerasAndUsersThatRemain() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/partners/\(app.partner.id)", method: .delete, headers: app.headers(.admin)) { response in
                #expect(response.status == .conflict)
                let detail = try #require(try response.problem()["detail"] as? String)
                #expect(detail.contains("“Grocery door”"), "the camera is named: \(detail)")
                #expect(detail.contains("user account partner"), "the user account is named: \(detail)")
            }
        }
        #expect(try await app.services.store.partners.find(id: app.partner.id) != nil, "a refused delete keeps the partner")
    }
}
