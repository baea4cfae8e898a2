import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// Bad input always gets a 4xx problem document naming the field, and never changes stored data.
@Suite struct BadInputTests {
    static let cases: [(String, String, HTTPRequest.Method, String, String?)] = [
        ("malformed JSON", "/api/v1/cameras", .post, "{\"name\": ", "body"),
        ("not an object", "/api/v1/cameras", .post, "[1,2]", "body"),
        ("empty body", "/api/v1/cameras", .post, "", "body"),
        ("wrong type", "/api/v1/cameras", .post, #"{"name":"A","kind":"city","location":{"latitude":"x","longitude":1}}"#, "location.latitude"),
        ("missing field", "/api/v1/cameras", .post, #"{"name":"A","location":{"latitude":1,"longitude":1}}"#, "kind"),
        ("unknown enum", "/api/v1/cameras", .post, #"{"name":"A","kind":"drone","location":{"latitude":1,"longitude":1}}"#, "kind"),
        ("unknown field", "/api/v1/cameras", .post, #"{"name":"A","kind":"city","location":{"latitude":1,"longitude":1},"owner":"me"}"#, "owner"),
        ("latitude out of range", "/api/v1/cameras", .post, #"{"name":"A","kind":"city","location":{"latitude":-90.5,"longitude":1}}"#, "location.latitude"),
        ("heading out of range", "/api/v1/cameras", .post, #"{"name":"A","kind":"city","location":{"latitude":1,"longitude":1},"headingDeg":-1}"#, "headingDeg"),
        ("fov out of range", "/api/v1/cameras", .post, #"{"name":"A","kind":"city","location":{"latitude":1,"longitude":1},"fieldOfViewDeg":400}"#, "fieldOfViewDeg"),
        ("non-RTSP URL", "/api/v1/cameras", .post, #"{"name":"A","kind":"city","location":{"latitude":1,"longitude":1},"mainStreamURL":"http://cam/stream"}"#, "mainStreamURL"),
        ("duplicate name", "/api/v1/cameras", .post, #"{"name":"TEXAS ST & MARKET ST","kind":"city","location":{"latitude":1,"longitude":1}}"#, "name"),
        ("bad e-mail", "/api/v1/partners", .post, #"{"name":"S","kind":"business","contactName":"C","email":"nope","address":"1 Main"}"#, "email"),
        ("active without consent", "/api/v1/partners", .post, #"{"name":"S","kind":"business","contactName":"C","email":"c@example.org","address":"1 Main","status":"active"}"#, "consent"),
        ("short password", "/api/v1/users", .post, #"{"username":"bob","displayName":"Bob","role":"analyst","password":"short"}"#, "password"),
        ("bad user name", "/api/v1/users", .post, #"{"username":"Bob Smith","displayName":"Bob","role":"analyst","password":"long enough password"}"#, "username"),
    ]

    @Test(arguments: cases)
    func badBodyIsRefusedWithTheFieldNamed(_ label: String, _ uri: String, _ method: HTTPRequest.Method, _ body: String, _ field: String?) async throws {
        let app = try await TestApp.make()
        let cameras = try await app.services.store.cameras.count()
        let partners = try await app.services.store.partners.list().total
        let users = try await app.services.store.users.list().count
        try await app.test { client async throws in
            let response = try await client.execute(uri: uri, method: method, headers: app.headers(.admin, jsonHeaders), body: ByteBuffer(string: body))
            #expect((400...499).contains(Int(response.status.code)), "\(label): \(response.status)")
            let problem = try response.problem()
            let fields = (problem["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            if let field { #expect(fields.contains(field), "\(label): \(problem)") }
        }
        #expect(try await app.services.store.cameras.count() == cameras)
        #expect(try await app.services.store.partners.list().total == partners)
        #expect(try await app.services.store.users.list().count == users)
    }

    @Test func oversizeBodyIsRefused() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 9 * 1024 * 1024)
            let response = try await client.execute(uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.admin, [.contentType: "text/csv"]), body: big)
            #expect(response.status == .contentTooLarge)
            _ = try response.problem()
        }
    }

    @Test(arguments: [
        "/api/v1/cameras?limit=0", "/api/v1/cameras?limit=abc", "/api/v1/cameras?kind=drone", "/api/v1/cameras?bbox=1,2,3",
        "/api/v1/cameras?partnerID=123", "/api/v1/incidents?from=yesterday", "/api/v1/cameras/export?format=xlsx",
    ])
    func badQueryIsRefused(_ uri: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(uri: uri, method: .get, headers: app.headers(.admin))
            #expect(response.status == .badRequest, "\(uri)")
            _ = try response.problem()
        }
    }

    @Test func sqlLookingTextIsStoredLiterally() async throws {
        let app = try await TestApp.make()
        let name = "Robert'); DROP TABLE cameras;--"
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/cameras", method: .post, headers: app.headers(.admin, jsonHeaders),
                body: jsonBody(["name": name, "kind": "city", "location": ["latitude": 32.5, "longitude": -93.7]]))
            #expect(response.status == .created)
            let search = try await client.execute(uri: "/api/v1/cameras?q=drop%20table", method: .get, headers: app.headers(.admin))
            #expect(search.text.contains("DROP TABLE cameras"))
        }
        #expect(try await app.services.store.cameras.count() == 3)
    }

    @Test func unknownRouteAndUnknownIDAreProblems() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let missing = try await client.execute(uri: "/api/v1/cameras/\(UUID())", method: .get, headers: app.headers(.admin))
            #expect(missing.status == .notFound)
            _ = try missing.problem()
            let garbage = try await client.execute(uri: "/api/v1/cameras/not-a-uuid", method: .get, headers: app.headers(.admin))
            #expect(garbage.status == .notFound)
            _ = try garbage.problem()
        }
    }
}
