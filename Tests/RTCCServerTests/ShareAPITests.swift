import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

/// Releasing a package through a share link: no account needed, every download audited, 410 once closed.
@Suite struct ShareAPITests {
    static func issue(_ client: some TestClientProtocol, _ app: TestApp, _ body: [String: Any]) async throws -> (id: String, token: String) {
        let package = try #require(app.evidence?.package.id)
        let response = try await client.execute(
            uri: "/api/v1/packages/\(package)/shares", method: .post, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(body))
        #expect(response.status == .created, "\(response.text)")
        let json = try response.json() as? [String: Any]
        let link = try #require(json?["link"] as? [String: Any])
        return (try #require(link["id"] as? String), try #require(json?["token"] as? String))
    }

    @Test func linkAllowsItsDownloadsWithoutAnAccountThenAnswersGone() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let (_, token) = try await Self.issue(client, app, ["recipient": "Caddo Parish DA, ADA Moore", "reason": "discovery 26-4512", "maxDownloads": 2])
            for _ in 0..<2 {
                let download = try await client.execute(uri: "/api/v1/share/\(token)", method: .get, headers: [:], body: nil)
                #expect(download.status == .ok && download.headers[.contentType] == "application/zip")
                #expect(download.body.readableBytesView.starts(with: [0x50, 0x4B, 0x03, 0x04]))
            }
            let third = try await client.execute(uri: "/api/v1/share/\(token)", method: .get, headers: [:], body: nil)
            #expect(third.status == .gone)
            #expect((try third.problem()["detail"] as? String)?.contains("all 2 download(s)") == true)
            let unknown = try await client.execute(uri: "/api/v1/share/rtccs_nothing", method: .get, headers: [:], body: nil)
            #expect(unknown.status == .notFound)
        }
        let releases = try await app.services.audit.entries(action: "evidence.release")
        #expect(releases.count == 2 && releases.allSatisfy { $0.actor == "share:Caddo Parish DA, ADA Moore" && $0.purpose == "discovery 26-4512" })
        #expect(releases.map(\.detail).sorted().first?.hasPrefix("download 1 of 2") == true)
        #expect(releases.allSatisfy { !$0.source.isEmpty })
        #expect(try await app.services.audit.entries(action: "evidence.release_refused").first?.detail == "link exhausted")
        #expect(try await app.services.audit.entries(action: "evidence.share").first?.actor == "supervisor")
    }

    @Test func revokedAndExpiredLinksAnswerGoneAndListingNeverShowsTokens() async throws {
        let app = try await TestApp.make()
        let package = try #require(app.evidence?.package.id)
        try await app.test { client async throws in
            let revoked = try await Self.issue(client, app, ["recipient": "Shreveport PD", "reason": "review"])
            #expect(try await client.execute(uri: "/api/v1/shares/\(revoked.id)", method: .delete, headers: app.headers(.supervisor), body: nil).status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/shares/\(revoked.id)", method: .delete, headers: app.headers(.supervisor), body: nil).status == .notFound)
            let gone = try await client.execute(uri: "/api/v1/share/\(revoked.token)", method: .get, headers: [:], body: nil)
            let goneDetail = try gone.problem()["detail"] as? String
            #expect(gone.status == .gone && goneDetail?.contains("revoked") == true)

            let expiring = try await Self.issue(client, app, ["recipient": "Shreveport PD", "reason": "review", "expiresInHours": 1])
            try await app.services.store.sql.update("share_links").set("expires_at", to: Date().addingTimeInterval(-1))
                .where("id", .equal, UUID(uuidString: expiring.id)!).run()
            let expired = try await client.execute(uri: "/api/v1/share/\(expiring.token)", method: .get, headers: [:], body: nil)
            let expiredDetail = try expired.problem()["detail"] as? String
            #expect(expired.status == .gone && expiredDetail?.contains("expired") == true)

            let listed = try await client.execute(uri: "/api/v1/packages/\(package)/shares", method: .get, headers: app.headers(.auditor), body: nil)
            let states = ((try listed.json() as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
            #expect(states.sorted() == ["active", "expired", "revoked"], "the fixture's link stays active")
            #expect(!listed.text.contains(revoked.token) && !listed.text.contains(expiring.token) && !listed.text.contains("token"))

            let bad = try await client.execute(
                uri: "/api/v1/packages/\(package)/shares", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["recipient": " ", "reason": "r", "expiresInHours": 0, "maxDownloads": 1000]))
            #expect(bad.status == .unprocessableContent)
            let fields = (try bad.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(Set(fields) == ["recipient", "expiresInHours", "maxDownloads"])
        }
        #expect(try await app.services.audit.entries(action: "evidence.share_revoke").count == 1)
        #expect(try await app.services.audit.entries(action: "evidence.release_refused").count == 2)
    }
}
