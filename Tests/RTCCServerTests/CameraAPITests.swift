import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

@Suite struct CameraAPITests {
    @Test func credentialsAreEncryptedAtRestAndNeverReturned() async throws {
        let app = try await TestApp.make()
        let id: String = try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/cameras", method: .post, headers: app.headers(.admin, jsonHeaders),
                body: jsonBody(["name": "Secret cam", "kind": "city", "location": ["latitude": 32.5, "longitude": -93.7],
                                "mainStreamURL": "rtsp://root:hunter2-secret@10.9.9.9:554/main"]))
            #expect(response.status == .created)
            #expect(!response.text.contains("hunter2"))
            #expect(response.text.contains("\"mainStreamURL\":\"rtsp://10.9.9.9:554/main\""))
            #expect(response.text.contains("\"hasCredentials\":true"))
            let id = try #require((try response.json() as? [String: Any])?["id"] as? String)
            let get = try await client.execute(uri: "/api/v1/cameras/\(id)", method: .get, headers: app.headers(.analyst))
            #expect(!get.text.contains("hunter2"))
            let export = try await client.execute(uri: "/api/v1/cameras/export?format=geojson", method: .get, headers: app.headers(.analyst))
            #expect(!export.text.contains("hunter2"))
            // Changing the path keeps the stored credentials.
            let patch = try await client.execute(
                uri: "/api/v1/cameras/\(id)", method: .patch, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["mainStreamURL": "rtsp://10.9.9.9:554/h264"]))
            #expect(patch.text.contains("\"hasCredentials\":true"))
            return id
        }
        let sealed = try #require(try await app.services.store.cameras.sealedSecrets(id: UUID(uuidString: id)!))
        #expect(!sealed.contains("hunter2"))
        let secrets = try app.services.cipher.open(CameraSecrets.self, from: sealed)
        #expect(secrets.main?.password == "hunter2-secret")
    }

    @Test func csvImportWithOneBadRowImportsNothingAndNamesTheLine() async throws {
        let app = try await TestApp.make()
        let before = try await app.services.store.cameras.count()
        try await app.test { client async throws in
            let csv = "name,kind,latitude,longitude,heading_deg\nOne,city,32.5,-93.7,10\nTwo,city,32.5,-93.7,400\nThree,city,32.5,-93.7,20\n"
            let response = try await client.execute(
                uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.supervisor, [.contentType: "text/csv"]), body: ByteBuffer(string: csv))
            #expect(response.status == .unprocessableContent)
            let errors = try #require(try response.problem()["errors"] as? [[String: String]])
            #expect(errors.map { $0["field"] } == ["line 3: headingDeg"])
            let taken = "name,kind,latitude,longitude\nFresh,city,32.5,-93.7\ntexas st & market st,city,32.5,-93.7\n"
            let duplicate = try await client.execute(
                uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.supervisor, [.contentType: "text/csv"]), body: ByteBuffer(string: taken))
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate.text.contains("line 3: name"))
        }
        #expect(try await app.services.store.cameras.count() == before)
    }

    @Test func geoJSONImportAndDryRun() async throws {
        let app = try await TestApp.make()
        let geojson = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-93.79,32.48]},"properties":{"name":"Fair A","kind":"city","headingDeg":90}}]}"#
        try await app.test { client async throws in
            let dry = try await client.execute(
                uri: "/api/v1/cameras/import?dryRun=true", method: .post, headers: app.headers(.admin, [.contentType: "application/geo+json"]), body: ByteBuffer(string: geojson))
            #expect(dry.status == .ok)
            #expect(try await app.services.store.cameras.count() == 2)
            let real = try await client.execute(
                uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.admin, [.contentType: "application/geo+json"]), body: ByteBuffer(string: geojson))
            #expect(real.status == .created)
            #expect(try await app.services.store.cameras.count() == 3)
        }
    }

    @Test func partnerUserSeesOnlyTheirOwnCameras() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let list = try await client.execute(uri: "/api/v1/cameras", method: .get, headers: app.headers(.partner))
            #expect(list.status == .ok)
            #expect(list.text.contains("Grocery door") && !list.text.contains("Texas St"))
            let other = try await client.execute(uri: "/api/v1/cameras/\(app.cityCamera.id)", method: .get, headers: app.headers(.partner))
            #expect(other.status == .notFound)
        }
    }

    @Test func searchesAndViewsAreAuditedWithTheirPurpose() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let purpose: HTTPFields = [HTTPField.Name("X-RTCC-Purpose")!: "case 26-004512"]
            _ = try await client.execute(uri: "/api/v1/cameras/\(app.cityCamera.id)", method: .get, headers: app.headers(.analyst, purpose))
            _ = try await client.execute(uri: "/api/v1/cameras?q=texas", method: .get, headers: app.headers(.analyst))
        }
        let view = try #require(try await app.services.audit.entries(action: "cameras.view").first)
        #expect(view.actor == "analyst")
        #expect(view.purpose == "case 26-004512")
        #expect(view.target == "camera:\(app.cityCamera.id)")
        #expect(try await app.services.audit.entries(action: "cameras.search").first?.detail == "q=texas")
        #expect(try await app.services.audit.verify() == .intact(entries: 2))
    }

    @Test func patchWithNullClearsAnOptionalField() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/cameras/\(app.partnerCamera.id)", method: .patch, headers: app.headers(.admin, jsonHeaders),
                body: jsonBody(["kind": "city", "partnerID": NSNull(), "tags": ["moved"]]))
            #expect(response.status == .ok)
            #expect(!response.text.contains("partnerID"))
            #expect(response.text.contains("\"kind\":\"city\""))
        }
    }
}
