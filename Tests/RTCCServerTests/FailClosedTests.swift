import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCMedia
import RTCCServer
import RTCCStore
import SQLKit
import Testing

/// Every data path fails closed: a privacy mask, a gap list or a camera's credentials that cannot be read stop the
/// video, the answer or the camera with a clear error, never stand in for "no mask", "no gaps" or "no credentials".
@Suite(.timeLimit(.minutes(5))) struct FailClosedTests {
    /// Makes every privacy-mask lookup fail, as a damaged database would.
    static func breakMasks(_ app: TestApp) async throws {
        try await app.services.store.sql.raw("ALTER TABLE privacy_masks RENAME TO privacy_masks_unreadable").run()
    }

    static func expectWithheld(_ response: TestResponse, _ what: String) throws {
        #expect(response.status == .serviceUnavailable, "\(what): \(response.status) \(response.text.prefix(200))")
        #expect(response.headers[.contentType] == "application/problem+json", "\(what): no video is sent")
        let detail = try response.problem()["detail"] as? String ?? ""
        #expect(detail.contains("privacy mask") && detail.contains("could not be read; video withheld"), "\(what): \(detail)")
    }

    /// A test server whose city camera has `seconds` of footage recorded from `start` (default 20 s ago), in a folder
    /// removed when `body` returns.
    static func withFootage(
        seconds: Int = 3, start: Date = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 20).rounded(.down)),
        _ body: (TestApp, UUID, Date) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-fail-closed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make { $0.dataDirectory = directory.path }
        _ = try await RecordedFootage.record(
            seconds: seconds, camera: app.cityCamera.id, start: start, in: directory.appendingPathComponent("footage"), store: app.services.store)
        try await body(app, app.cityCamera.id, start)
    }

    @Test func aFailingMaskLookupYieldsNoSnapshotLiveViewHLSOrPlayback() async throws {
        try await Self.withFootage { app, camera, recorded in
            try await app.services.store.community.setMask(cameraID: camera, PrivacyMaskTests.mask, by: "supervisor")
            try await app.test { client in
                let opened = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                                      body: jsonBody(["cameraIDs": [camera.uuidString], "purpose": "case review 26-1"]))
                #expect(opened.status == .created, "\(opened.text)")
                let session = try #require((try opened.json() as? [String: Any])?["id"] as? String)
                try await Self.breakMasks(app)

                try Self.expectWithheld(
                    try await client.execute(uri: "/api/v1/cameras/\(camera)/snapshot.jpg", method: .get, headers: app.headers(.analyst)), "snapshot")
                try Self.expectWithheld(
                    try await client.execute(uri: "/api/v1/cameras/\(camera)/live", method: .get, headers: app.headers(.analyst)), "live view")
                try Self.expectWithheld(
                    try await client.execute(uri: "/api/v1/cameras/\(camera)/hls/index.m3u8", method: .get, headers: app.headers(.analyst)), "HLS")
                let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
                let window = "from=\(recorded.addingTimeInterval(0.5).formatted(iso))&until=\(recorded.addingTimeInterval(2.5).formatted(iso))"
                try Self.expectWithheld(
                    try await client.execute(uri: "/api/v1/cameras/\(camera)/media?session=\(session)&\(window)", method: .get, headers: app.headers(.analyst)),
                    "playback")
                try Self.expectWithheld(
                    try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                                             body: jsonBody(["cameraIDs": [camera.uuidString], "purpose": "case review 26-1", "unmask": true])),
                    "unmasked playback")
            }
        }
    }

    @Test func aFailingMaskLookupFailsTheExport() async throws {
        try await Self.withFootage(seconds: 4, start: ExportAPITests.recentStart()) { app, camera, start in
            try await app.services.store.community.setMask(cameraID: camera, PrivacyMaskTests.mask, by: "supervisor")
            try await Self.breakMasks(app)
            let caseID = try #require(app.evidence?.evidenceCase.id)
            try await ExportAPITests.withExporter(app) {
                try await app.test { client in
                    let started = try await client.execute(
                        uri: "/api/v1/cases/\(caseID)/exports", method: .post, headers: app.headers(.analyst, jsonHeaders),
                        body: ExportAPITests.startBody([camera], start.addingTimeInterval(1), start.addingTimeInterval(3)))
                    let job = try await ExportAPITests.finished(try #require(started.headers[.location]), client: client, app: app)
                    #expect(job["state"] as? String == "failed", "\(job)")
                    #expect((job["error"] as? String ?? "\(job)").contains("privacy mask"), "\(job)")
                    #expect(job["package"] == nil || job["package"] is NSNull)
                }
            }
        }
    }

    @Test func aMaskedLiveChannelWhoseMaskCannotBeReadIsClosedWithoutAPicture() async throws {
        struct Unreadable: Error {}
        let recorders = RecorderRegistry()
        let camera = UUID()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-fail-live-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorder = CameraRecorder(
            configuration: .init(url: "rtsp://127.0.0.1:9/none", segments: .init(root: directory, cameraID: camera)), index: NoRecordingIndex())
        await recorders.started(camera, recorder)
        let live = LiveHub(recorders: recorders, masks: { _ in throw Unreadable() })
        let received: Int = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                try await live.run()
                return nil
            }
            let channel = try #require(await live.channel(for: camera, masked: true))
            let messages = await channel.subscribe()
            group.addTask {
                var count = 0
                for await _ in messages { count += 1 }
                return count
            }
            var result = -1
            while let next = try await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
        #expect(received == 0, "the channel ended without sending any video")
    }

    @Test func aGapListThatCannotBeReadIsAnErrorNotContinuousFootage() async throws {
        try await Self.withFootage { app, camera, recorded in
            try await app.services.store.sql.raw("UPDATE segments SET gaps = 'damaged'").run()
            try await app.test { client in
                let iso = Date.ISO8601FormatStyle()
                let range = "from=\(recorded.addingTimeInterval(-60).formatted(iso))&until=\(recorded.addingTimeInterval(60).formatted(iso))"
                let response = try await client.execute(uri: "/api/v1/cameras/\(camera)/recordings?\(range)", method: .get, headers: app.headers(.analyst))
                #expect(response.status == .internalServerError, "\(response.text.prefix(300))")
                let detail = try response.problem()["detail"] as? String ?? ""
                #expect(detail.contains("gap list") && detail.contains("cannot be read"), "\(detail)")
                #expect(!response.text.contains("\"recorded\""), "no coverage is claimed")
            }
            await #expect(throws: SegmentGapsUnreadable.self) {
                _ = try await app.services.store.segments.list(cameraID: camera, stream: "main", from: recorded.addingTimeInterval(-60), until: recorded.addingTimeInterval(60))
            }
        }
    }

    @Test func aCameraWhoseCredentialsCannotBeOpenedIsNotRecordedAndItsHealthSaysWhy() async throws {
        let app = try await TestApp.make()
        let store = app.services.store
        let draft = CameraDraft(
            name: "Sealed with another key", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7),
            mainStreamURL: "rtsp://viewer:secret@10.0.0.1/main", sharing: .live)
        let valid = try draft.validated()
        let foreignKey = try CredentialCipher(base64Key: CredentialCipher.generateKey())
        let sealed = try foreignKey.seal(CameraSecrets(main: valid.mainCredentials, sub: nil))
        let camera = try await store.cameras.create(CameraRecord(camera: valid, sealedSecrets: sealed))
        let supervisor = RecorderSupervisor(
            services: app.services, settings: RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory), logger: Logger(label: "test"))
        let targets = try await supervisor.targets()
        #expect(targets[camera.id] == nil, "not recorded without its credentials, nor tried without them")
        let health = try #require(await app.services.recorders.health(of: camera.id))
        #expect(health.state == .down)
        #expect(health.reason?.contains("credentials cannot be decrypted") == true, "\(health.reason ?? "")")
        try await app.test { client in
            let response = try await client.execute(uri: "/api/v1/cameras/\(camera.id)/health", method: .get, headers: app.headers(.analyst))
            #expect(response.text.contains("credentials cannot be decrypted"), "\(response.text)")
        }
    }
}

/// A recording index that keeps nothing, for a recorder that never runs.
struct NoRecordingIndex: RecordingIndex {
    func opened(_ segment: RecordedSegment) async throws {}
    func progressed(_ segment: RecordedSegment) async throws {}
    func sealed(_ segment: RecordedSegment) async throws {}
}
