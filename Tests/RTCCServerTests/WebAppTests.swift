import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

@Suite struct WebAppTests {
    struct Opened: Decodable { var id: UUID }

    @Test func theAppShellIsServedForAppPathsWithASecurityPolicy() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for path in ["/", "/wall", "/playback"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(response.text.contains("<script type=\"module\" src=\"/ui/js/app.js\">"))
                    #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
                }
            }
            try await client.execute(uri: "/ui/js/live-player.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(response.text.contains("export class LivePlayer"))
            }
            for path in ["/ui/../Package.swift", "/ui/.hidden", "/ui/js/missing.js"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    @Test func layoutsAreSavedPerUserAndValidated() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let body = jsonBody(["layouts": [["name": "Fair", "grid": 9, "tiles": [app.cityCamera.id.uuidString, NSNull()]]], "current": "Fair"])
            try await client.execute(uri: "/api/v1/me/layouts", method: .put, headers: app.headers(.analyst, jsonHeaders), body: body) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/me/layouts", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.text.contains("\"Fair\"") && response.text.contains(app.cityCamera.id.uuidString))
            }
            try await client.execute(uri: "/api/v1/me/layouts", method: .get, headers: app.headers(.officer)) { response in
                #expect(!response.text.contains("Fair"), "another user has layouts of their own")
            }
            let bad = jsonBody(["layouts": [["name": "", "grid": 5, "tiles": []], ["name": "x", "grid": 1, "tiles": [NSNull(), NSNull()]]], "current": "nope"])
            try await client.execute(uri: "/api/v1/me/layouts", method: .put, headers: app.headers(.analyst, jsonHeaders), body: bad) { response in
                #expect(response.status == .unprocessableContent)
                for field in ["layouts[0].name", "layouts[0].grid", "layouts[1].tiles", "current"] {
                    #expect(response.text.contains(field), "names \(field)")
                }
            }
            try await client.execute(uri: "/api/v1/me/layouts", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.text.contains("\"Fair\""), "a refused update changes nothing")
            }
        }
    }

    @Test func playbackNeedsAPurposeAndASessionOfOnesOwn() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let noPurpose = jsonBody(["cameraIDs": [app.cityCamera.id.uuidString], "purpose": " "])
            try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders), body: noPurpose) { response in
                #expect(response.status == .unprocessableContent && response.text.contains("purpose"))
            }
            let foreign = jsonBody(["cameraIDs": [app.cityCamera.id.uuidString], "purpose": "not my camera"])
            try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.partner, jsonHeaders), body: foreign) { response in
                #expect(response.status == .unprocessableContent, "a partner cannot play back a city camera")
            }
            let good = jsonBody(["cameraIDs": [app.partnerCamera.id.uuidString], "purpose": "Review of case 26-1", "caseNumber": "26-1"])
            let session = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders), body: good) {
                response in
                #expect(response.status == .created)
                return response.text
            }
            let id = try JSONDecoder().decode(Opened.self, from: Data(session.utf8)).id
            let media = "/api/v1/cameras/\(app.partnerCamera.id)/media?session=\(id)&from=2026-11-01T10:00:00Z&until=2026-11-01T10:00:10Z"
            try await client.execute(uri: media, method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .notFound && response.text.contains("nothing of camera"), "nothing is recorded: a 404 that says so")
            }
            try await client.execute(uri: media, method: .get, headers: app.headers(.supervisor)) { response in
                #expect(response.status == .forbidden, "someone else's session is refused")
            }
            try await client.execute(uri: media + "&origin=2026-11-02T00:00:00Z", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .badRequest && response.text.contains("origin"))
            }
            try await client.execute(uri: media.replacingOccurrences(of: "10:00:10Z", with: "10:05:00Z"), method: .get, headers: app.headers(.analyst)) {
                response in
                #expect(response.status == .badRequest && response.text.contains("at most 120 s"))
            }
        }
        let entries = try await app.services.audit.entries(action: "playback.start")
        // The city camera has an indexed segment whose file is gone: playback says so instead of failing.
        try await app.test { client in
            let open = jsonBody(["cameraIDs": [app.cityCamera.id.uuidString], "purpose": "Review of case 26-2"])
            let session = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders), body: open) {
                $0.text
            }
            let id = try JSONDecoder().decode(Opened.self, from: Data(session.utf8)).id
            try await client.execute(
                uri: "/api/v1/cameras/\(app.cityCamera.id)/media?session=\(id)&from=2026-01-01T00:00:00Z", method: .get, headers: app.headers(.analyst)
            ) { response in
                #expect(response.status == .notFound && response.text.contains("cannot be read"), "\(response.status) \(response.text)")
            }
        }
        #expect(entries.contains { $0.action == "playback.start" && $0.purpose == "Review of case 26-1" && $0.target == "case:26-1" })
    }

    @Test func liveVideoOfACameraThatIsNotRecordedIsRefusedWithTheReason() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/cameras/\(app.cityCamera.id)/live", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .conflict)
                #expect(response.text.contains("not streaming"))
            }
            try await client.execute(uri: "/api/v1/cameras/\(UUID())/live", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/cameras/\(app.cityCamera.id)/live", method: .get, headers: app.headers(.partner)) { response in
                #expect(response.status == .notFound, "a partner cannot see that another camera exists")
            }
        }
    }
}
