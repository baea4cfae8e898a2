import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// `GET /api/v1/audit` with the auditor screen's filters, and `GET /api/v1/audit.csv`.
@Suite struct AuditSearchAPITests {
    static let start = Date(timeIntervalSince1970: 1_795_032_000)  // 2026-11-18T20:00:00Z

    /// A test app with sign-in failures, an unmask and an export in its log, one minute apart from ``start``.
    func app() async throws -> TestApp {
        let app = try await TestApp.make()
        let events = [
            AuditEvent(actor: "analyst", action: "auth.login_failed", source: "203.0.113.9", detail: "wrong password"),
            AuditEvent(actor: "analyst", action: "auth.login_failed", source: "198.51.100.4", detail: "wrong password"),
            AuditEvent(actor: "analyst", action: "auth.login", source: "10.0.0.5"),
            AuditEvent(actor: "analyst", action: "video.unmask", target: "camera:7", source: "10.0.0.5", purpose: "case 26-1"),
            AuditEvent(actor: "supervisor", action: "evidence.share", target: "case:9/package:3", source: "10.0.0.6", purpose: "=HYPERLINK(\"x\")"),
        ]
        for (index, event) in events.enumerated() {
            try await app.services.audit.append(event, at: Self.start.addingTimeInterval(Double(index) * 60))
        }
        return app
    }

    func field(_ response: TestResponse) throws -> String? {
        (try response.problem()["errors"] as? [[String: Any]])?.first?["field"] as? String
    }

    @Test func auditorFindsFailedSignInsFromOneAddressInATimeRange() async throws {
        let app = try await app()
        try await app.test { client in
            let query = "action=auth.*&from=2026-11-18T20:00:00Z&until=2026-11-18T20:02:00Z&source=198.51.100.4"
            try await client.execute(uri: "/api/v1/audit?\(query)", method: .get, headers: app.headers(.auditor)) { response async throws in
                #expect(response.status == .ok)
                let entries = try #require(try response.json() as? [[String: Any]])
                #expect(entries.map { $0["action"] as? String } == ["auth.login_failed"])
                #expect(entries.map { $0["source"] as? String } == ["198.51.100.4"])
            }
            try await client.execute(uri: "/api/v1/audit?action=auth.*&actor=analyst", method: .get, headers: app.headers(.auditor)) { response async throws in
                let entries = try #require(try response.json() as? [[String: Any]])
                #expect(entries.map { $0["action"] as? String } == ["auth.login", "auth.login_failed", "auth.login_failed"])
            }
            try await client.execute(uri: "/api/v1/audit?target=case:9*&purpose=case%2026-1", method: .get, headers: app.headers(.auditor)) { response async throws in
                let entries = try #require(try response.json() as? [[String: Any]])
                #expect(entries.isEmpty)
            }
            try await client.execute(uri: "/api/v1/audit?target=camera:7&purpose=case%2026-1", method: .get, headers: app.headers(.auditor)) { response async throws in
                let entries = try #require(try response.json() as? [[String: Any]])
                #expect(entries.map { $0["action"] as? String } == ["video.unmask"])
            }
        }
        #expect(try await app.services.audit.entries(action: "audit.search").count == 4)
    }

    @Test(arguments: [
        ("from=yesterday", "from"), ("until=2026-02-30T10:00:00Z", "until"), ("from=2026-11-18T21:00:00Z&until=2026-11-18T20:00:00Z", "from"),
        ("action=auth*login", "action"), ("target=*camera", "target"), ("limit=0", "limit"), ("source=\(String(repeating: "9", count: 501))", "source"),
    ])
    func badFilterIsA400NamingTheParameter(_ query: String, _ parameter: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for path in ["/api/v1/audit", "/api/v1/audit.csv"] {
                try await client.execute(uri: "\(path)?\(query)", method: .get, headers: app.headers(.auditor)) { response async throws in
                    #expect(response.status == .badRequest, "\(path)?\(query)")
                    #expect(try field(response) == parameter, "\(path)?\(query): \(response.text)")
                }
            }
        }
    }

    @Test func csvExportHoldsTheFilteredEntriesOldestFirstWithFormulasDefused() async throws {
        let app = try await app()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/audit.csv?actor=supervisor*", method: .get, headers: app.headers(.auditor)) { response async throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"audit.csv\"")
                let table = try CSVTable(parsing: response.text)
                #expect(table.records.first?.fields == ["sequence", "at", "actor", "action", "target", "source", "purpose", "detail", "previous_hash", "hash"])
                let rows = table.records.dropFirst().map(\.fields)
                #expect(rows.map { $0[3] } == ["evidence.share"])
                #expect(rows.first?[1] == "2026-11-18T20:04:00.000Z")
                #expect(rows.first?[6] == "'=HYPERLINK(\"x\")")
            }
            try await client.execute(uri: "/api/v1/audit.csv?action=auth.*", method: .get, headers: app.headers(.auditor)) { response async throws in
                let rows = try CSVTable(parsing: response.text).records.dropFirst().map(\.fields)
                #expect(rows.map { $0[3] } == ["auth.login_failed", "auth.login_failed", "auth.login"])
                #expect(rows.map { Int($0[0]) ?? 0 } == rows.map { Int($0[0]) ?? 0 }.sorted())
            }
        }
        let exports = try await app.services.audit.entries(action: "audit.export")
        #expect(exports.map(\.actor) == ["auditor", "auditor"])
        #expect(exports.last?.detail == "entries=1; actor=supervisor*")
    }

    @Test func onlyTheAuditorExports() async throws {
        let app = try await app()
        try await app.test { client in
            for role in Role.allCases where role != .auditor {
                try await client.execute(uri: "/api/v1/audit.csv", method: .get, headers: app.headers(role)) { response async throws in
                    #expect(response.status == .forbidden, "\(role)")
                }
            }
        }
        #expect(try await app.services.audit.entries(action: "audit.export").isEmpty)
    }
}
