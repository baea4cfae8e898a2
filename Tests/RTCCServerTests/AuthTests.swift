import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

@Suite struct AuthTests {
    func login(_ client: some TestClientProtocol, _ username: String, _ password: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/auth/login", method: .post, headers: jsonHeaders, body: jsonBody(["username": username, "password": password]))
    }

    @Test func signInSetsAStrictHttpOnlyCookieAndIsAudited() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await login(client, "analyst", TestApp.password)
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("rtcc_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains("Secure"), "Secure is set only when serving TLS")
            let value = String(cookie.split(separator: ";")[0])
            let me = try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: [.cookie: value])
            #expect(me.status == .ok)
            #expect(me.text.contains("\"username\":\"analyst\""))
        }
        let entries = try await app.services.audit.entries(action: "auth.login")
        #expect(entries.first?.actor == "analyst")
    }

    @Test func failedSignInsLockTheAccount() async throws {
        let app = try await TestApp.make { $0.maxFailedLogins = 3 }
        try await app.test { client async throws in
            for _ in 0..<3 {
                let response = try await login(client, "officer", "wrong password!")
                #expect(response.status == .unauthorized)
                #expect(try response.problem()["detail"] as? String == "wrong user name or password")
            }
            // Locked for this address: answered like any failed sign-in, even with the right password.
            let locked = try await login(client, "officer", TestApp.password)
            #expect(locked.status == .unauthorized)
            #expect(try locked.problem()["detail"] as? String == "wrong user name or password")
            let unknown = try await login(client, "nobody", "whatever at all")
            #expect(unknown.status == .unauthorized)
        }
        let failures = try await app.services.audit.entries(action: "auth.login_failed")
        #expect(failures.count == 5)
        #expect(failures.contains { $0.actor == "nobody" && $0.detail == "unknown user" })
        #expect(failures.contains { $0.actor == "officer" && $0.detail == "account locked for this address" })
    }

    @Test func signInAttemptsAreThrottledPerAddress() async throws {
        let app = try await TestApp.make { $0.loginAttemptsPerMinute = 3 }
        try await app.test { client async throws in
            for _ in 0..<3 { _ = try await login(client, "officer", "nope nope nope") }
            let response = try await login(client, "officer", TestApp.password)
            #expect(response.status == .tooManyRequests)
            #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test func idleSessionIsLocked() async throws {
        let app = try await TestApp.make()
        let session = try #require(try await app.services.store.sessions.find(token: app.cookies[.analyst]!))
        try await app.services.store.sql.update("sessions").set("last_seen_at", to: Date().addingTimeInterval(-31 * 60))
            .where("id", .equal, session.id).run()
        try await app.test { client async throws in
            let response = try await client.execute(uri: "/api/v1/cameras", method: .get, headers: app.headers(.analyst))
            #expect(response.status == .unauthorized)
            #expect((try response.problem()["detail"] as? String)?.contains("locked after 30 minutes") == true)
            let again = try await client.execute(uri: "/api/v1/cameras", method: .get, headers: app.headers(.analyst))
            #expect(again.status == .unauthorized)
        }
        #expect(try await app.services.store.sessions.find(token: app.cookies[.analyst]!) == nil)
    }

    @Test func logoutEndsTheSession() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            #expect(try await client.execute(uri: "/api/v1/auth/logout", method: .post, headers: app.headers(.officer)).status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: app.headers(.officer)).status == .unauthorized)
        }
    }

    @Test func tokenActsOnlyWithinItsScopesAndStopsWhenRevoked() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let issued = try await client.execute(
                uri: "/api/v1/tokens", method: .post, headers: app.headers(.admin, jsonHeaders),
                body: jsonBody(["name": "cad bridge", "scopes": ["cameras:read"]]))
            #expect(issued.status == .created)
            let body = try #require(try issued.json() as? [String: Any])
            let secret = try #require(body["secret"] as? String)
            let id = try #require((body["token"] as? [String: Any])?["id"] as? String)
            let bearer: HTTPFields = [.authorization: "Bearer \(secret)"]
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .ok)
            let create = try await client.execute(
                uri: "/api/v1/cameras", method: .post, headers: bearer.merging(jsonHeaders),
                body: jsonBody(["name": "x", "kind": "city", "location": ["latitude": 1, "longitude": 1]]))
            #expect(create.status == .forbidden)
            let beyond = try await client.execute(
                uri: "/api/v1/tokens", method: .post, headers: app.headers(.officer, jsonHeaders), body: jsonBody(["name": "x", "scopes": ["cameras:read"]]))
            #expect(beyond.status == .forbidden)
            #expect(try await client.execute(uri: "/api/v1/tokens/\(id)", method: .delete, headers: app.headers(.admin)).status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: [.authorization: "Bearer rtcc_forged"]).status == .unauthorized)
        }
        let tokens = try await app.services.store.sql.select().column("token_hash").from("api_tokens").all()
        #expect(tokens.count == 2)
    }

    @Test func aTokenStopsAtOnceWhenItsOwnerIsDisabledAndWithinTwoSecondsWhenRevokedElsewhere() async throws {
        let app = try await TestApp.make()
        let officer = try #require(app.users[.officer])
        let issued = try await app.services.store.tokens.issue(name: "lpr feed", ownerID: officer.id, scopes: [.camerasRead], expiresAt: nil)
        let other = try await app.services.store.tokens.issue(name: "cad feed", ownerID: app.users[.admin]!.id, scopes: [.camerasRead], expiresAt: nil)
        try await app.test { client async throws in
            let bearer: HTTPFields = [.authorization: "Bearer \(issued.secret)"]
            let otherBearer: HTTPFields = [.authorization: "Bearer \(other.secret)"]
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: otherBearer).status == .ok)
            // Disabled through the API: the remembered identity is forgotten at once.
            let disabled = try await client.execute(
                uri: "/api/v1/users/\(officer.id)", method: .patch, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["disabled": true]))
            #expect(disabled.status == .ok)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .unauthorized)
            // Revoked by another process (the CLI on the same database): refused once the short memory lapses.
            #expect(try await app.services.store.tokens.revoke(id: other.token.id))
            try await Task.sleep(for: .seconds(2.2))  // TokenIdentityCache.lifetime is 2 s
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: otherBearer).status == .unauthorized)
        }
    }

    @Test func scopesBeyondTheOwnersRoleAreRefused() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/tokens", method: .post, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["name": "x", "scopes": ["audit:read"]]))
            #expect(response.status == .unprocessableContent)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var fields = self
        for field in other { fields.append(field) }
        return fields
    }
}
