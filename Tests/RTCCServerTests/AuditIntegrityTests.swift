import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

/// The audit chain under attack through the API: text that used to break it, entries deleted behind its back, and the
/// other inputs the edge of the server must refuse (control characters, impossible times, spreadsheet formulas).
@Suite struct AuditIntegrityTests {
    static func verdict(_ app: TestApp, _ client: any TestClientProtocol) async throws -> [String: Any] {
        try await client.execute(uri: "/api/v1/audit/verify", method: .get, headers: app.headers(.auditor)) { response in
            #expect(response.status == .ok, "\(response.text)")
            return try #require(try response.json() as? [String: Any])
        }
    }

    static func firstField(_ response: TestResponse) throws -> String? {
        (try response.problem()["errors"] as? [[String: Any]])?.first?["field"] as? String
    }

    static func reasons(_ verdict: [String: Any]) -> [String] {
        (verdict["breaks"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
    }

    /// What someone with the database's owner rights does before rewriting the log.
    static func dropAppendOnlyGuard(_ app: TestApp) async throws {
        try await app.services.store.sql.raw("DROP TRIGGER audit_log_no_update").run()
        try await app.services.store.sql.raw("DROP TRIGGER audit_log_no_delete").run()
    }

    @Test func anAnonymousSignInWithANULInTheUserNameIsRefusedAndTheChainStaysIntact() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: jsonHeaders,
                                     body: jsonBody(["username": "nul\u{0}byte", "password": "whatever"])) { response in
                #expect(response.status == .badRequest)
                let field = try Self.firstField(response)
                #expect(field == "username")
            }
            try await client.execute(uri: "/api/v1/partners", method: .post, headers: app.headers(.admin, jsonHeaders),
                                     body: jsonBody(["name": "Corner\u{0}Store", "kind": "business", "contactName": "A", "email": "a@example.org"])) { response in
                #expect(response.status == .badRequest)
                let field = try Self.firstField(response)
                #expect(field == "name")
            }
            // Text that reaches the log by another road is kept as visible escapes, and still verifies.
            try await app.services.audit.append(AuditEvent(actor: "nul\u{0}byte", action: "auth.login_failed", source: "10.9.9.9", detail: "a\u{0}b"))
            let verdict = try await Self.verdict(app, client)
            #expect(verdict["intact"] as? Bool == true, "\(verdict)")
            #expect(Self.reasons(verdict).isEmpty)
        }
        let stored = try #require(try await app.services.audit.entries(actor: "nul\\u0000byte").first)
        #expect(stored.detail == "a\\u0000b")
    }

    @Test func deletingTheEndOfTheLogIsDetectedByTheSignedCheckpoint() async throws {
        let app = try await TestApp.make()
        for index in 1...30 { try await app.services.audit.append(AuditEvent(actor: "analyst", action: "cameras.view", target: "camera:\(index)")) }
        let checkpoint = try #require(try await AuditCheckpoints(config: app.services.config).write(app.services.audit))
        try await app.test { client in
            let before = try await Self.verdict(app, client)
            #expect(before["intact"] as? Bool == true, "\(before)")
            #expect(before["checkpointsChecked"] as? Int == 1)
            try await Self.dropAppendOnlyGuard(app)
            try await app.services.store.sql.raw("DELETE FROM audit_log WHERE sequence > \(unsafeRaw: String(checkpoint.sequence - 20))").run()
            let after = try await Self.verdict(app, client)
            #expect(after["intact"] as? Bool == false)
            #expect(Self.reasons(after).contains { $0.contains("the end of the log was deleted") }, "\(after)")
        }
    }

    @Test func emptyingTheLogIsDetectedByTheSignedCheckpoint() async throws {
        let app = try await TestApp.make()
        try await app.services.audit.append(AuditEvent(actor: "analyst", action: "cameras.view"))
        try await AuditCheckpoints(config: app.services.config).write(app.services.audit)
        try await Self.dropAppendOnlyGuard(app)
        try await app.services.store.sql.raw("DELETE FROM audit_log").run()
        // The verification itself appends an entry; the checkpoint still shows what went before it.
        try await app.test { client in
            let verdict = try await Self.verdict(app, client)
            #expect(verdict["intact"] as? Bool == false)
            #expect(Self.reasons(verdict).contains { $0.contains("every entry was deleted") }, "\(verdict)")
        }
    }

    @Test func deletingOneEntryAndRecomputingTheChainIsDetectedAndEveryBreakIsListed() async throws {
        let app = try await TestApp.make()
        for index in 1...10 { try await app.services.audit.append(AuditEvent(actor: "analyst", action: "cameras.view", target: "camera:\(index)")) }
        try await AuditCheckpoints(config: app.services.config).write(app.services.audit)
        // Rewrite the whole table without entry 5, renumbered and re-hashed: a chain that is consistent in itself.
        let entries = try await app.services.audit.entries(limit: 1000).reversed().filter { $0.sequence != 5 }
        try await Self.dropAppendOnlyGuard(app)
        try await app.services.store.sql.raw("DELETE FROM audit_log").run()
        var previous = AuditEntry.genesisHash
        for (index, entry) in entries.enumerated() {
            let copy = AuditEntry(
                sequence: Int64(index + 1), at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, source: entry.source,
                purpose: entry.purpose, detail: entry.detail, previousHash: previous)
            previous = copy.hash
            try await app.services.store.sql.insert(into: "audit_log")
                .columns("sequence", "at", "actor", "action", "target", "source", "purpose", "detail", "previous_hash", "hash")
                .values(SQLBind(copy.sequence), SQLBind(copy.at), SQLBind(copy.actor), SQLBind(copy.action), SQLBind(copy.target),
                        SQLBind(copy.source), SQLBind(copy.purpose), SQLBind(copy.detail), SQLBind(copy.previousHash), SQLBind(copy.hash))
                .run()
        }
        #expect(try await app.services.audit.verify().isIntact, "the chain alone cannot see it")
        // And an entry changed in the rewritten table: a second, separate break.
        try await app.services.store.sql.raw("UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2").run()
        try await app.test { client in
            let verdict = try await Self.verdict(app, client)
            #expect(verdict["intact"] as? Bool == false)
            let breaks = verdict["breaks"] as? [[String: Any]] ?? []
            #expect(breaks.contains { $0["sequence"] as? Int == 2 && ($0["reason"] as? String)?.contains("does not match its hash") == true }, "\(verdict)")
            #expect(Self.reasons(verdict).contains { $0.contains("signed checkpoint") }, "\(verdict)")
        }
    }

    @Test func aForgedCheckpointLineIsReported() async throws {
        let app = try await TestApp.make()
        try await app.services.audit.append(AuditEvent(actor: "analyst", action: "cameras.view"))
        let checkpoints = AuditCheckpoints(config: app.services.config)
        try await checkpoints.write(app.services.audit)
        let url = checkpoints.file.url
        let text = try String(contentsOf: url, encoding: .utf8)
        try (text + text.replacingOccurrences(of: "\"sequence\":", with: "\"sequence\":9")).write(to: url, atomically: true, encoding: .utf8)
        try await app.test { client in
            let verdict = try await Self.verdict(app, client)
            #expect(verdict["intact"] as? Bool == false)
            #expect(Self.reasons(verdict).contains { $0.contains("not signed by this server's key") }, "\(verdict)")
        }
    }

    @Test func controlCharactersInQueryParametersAndCSVBodiesAreRefusedNamingWhere() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/audit?actor=a%00b", method: .get, headers: app.headers(.auditor)) { response in
                #expect(response.status == .badRequest)
                let field = try Self.firstField(response)
                #expect(field == "query.actor")
            }
            let csv = "name,kind,latitude,longitude\nGood,city,32.51,-93.75\nBad\u{1}name,city,32.52,-93.75\n"
            try await client.execute(uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.admin, [.contentType: "text/csv"]),
                                     body: ByteBuffer(string: csv)) { response in
                #expect(response.status == .badRequest)
                let field = try Self.firstField(response)
                #expect(field == "line 3")
            }
            // A line break inside a note is text, not a control character to refuse.
            try await client.execute(uri: "/api/v1/partners", method: .post, headers: app.headers(.admin, jsonHeaders),
                                     body: jsonBody(["name": "Two\tLines", "kind": "business", "contactName": "A", "email": "a@example.org"])) { response in
                #expect(response.status != .badRequest || !(response.text.contains("control character")), "\(response.text)")
            }
        }
        #expect(try await app.services.store.cameras.search(CameraQuery(text: "Good")).total == 0, "nothing of the refused import was stored")
    }

    @Test(arguments: ["2026-12-01T12:99:00Z", "2026-02-30T10:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T10:00:00+25:00", "2026-12-01T10:00:61Z"])
    func impossibleTimesAreRefusedRatherThanRolledOver(_ time: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/incidents?from=\(time.replacingOccurrences(of: "+", with: "%2B"))", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .badRequest, "\(time): \(response.text)")
                let field = try Self.firstField(response)
                #expect(field == "from")
            }
            let headers = try await AlertsAPITests.intakeToken(app)
            try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: headers,
                                     body: jsonBody(["id": "SST-\(time)", "time": time, "latitude": 32.5116, "longitude": -93.7487])) { response in
                #expect(response.status.code >= 400 && response.status.code < 500, "\(time): \(response.text)")
                #expect(response.text.contains("time"), "\(response.text)")
            }
        }
    }

    @Test func aHostileCommunitySignUpReachesTheCameraCSVOnlyAsText() async throws {
        let app = try await TestApp.make()
        let hostile = "=HYPERLINK(\"http://attacker.example/\",\"Open\")"
        try await app.test { client in
            var id = ""
            try await client.execute(uri: "/api/v1/community/applications", method: .post, headers: jsonHeaders,
                                     body: CommunityTests.signUpBody(name: hostile, email: "mallory@example.org")) { response in
                #expect(response.status == .accepted, "\(response.text)")
                id = (try response.json() as? [String: Any])?["id"] as? String ?? ""
            }
            let verify = try await CommunityTests.token(in: app, to: "mallory@example.org", marker: "verify=")
            try await client.execute(uri: "/api/v1/community/verify", method: .post, headers: jsonHeaders, body: jsonBody(["token": verify])) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/community/applications/\(id)/approve", method: .post, headers: app.headers(.supervisor)) { response in
                #expect(response.status == .ok, "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/cameras/export?format=csv", method: .get, headers: app.headers(.admin)) { response in
                #expect(response.status == .ok)
                let table = try CSVTable(parsing: response.text)
                let fields = table.records.flatMap(\.fields)
                #expect(fields.contains { $0.hasPrefix("'=HYPERLINK") }, "\(response.text)")
                for field in fields {
                    guard let first = field.first, "=+-@\t\r".contains(first) else { continue }
                    #expect(Double(field) != nil, "a cell a spreadsheet would run: \(field)")
                }
            }
        }
    }
}
