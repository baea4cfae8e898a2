import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing

/// Testing a stream before saving a camera: `POST /api/v1/cameras/probe` against a real RTSP camera simulator.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CameraProbeAPITests {
    static func withCamera<T: Sendable>(_ body: @escaping @Sendable (CameraSimulator) async throws -> T) async throws -> T {
        let clips = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-probe-clips")
        let clip = try await SimulatorClip.generate(codec: .h264, width: 640, height: 360, fps: 15, seconds: 2, bitrate: 500_000, into: clips)
        let simulator = try await CameraSimulator(
            configuration: .init(cameraCount: 1, authentication: RTSPServerAuthentication(credentials: RTSPCredentials(username: "viewer", password: "s3cret-pass"))), clip: clip)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            defer { group.cancelAll() }
            return try await body(simulator)
        }
    }

    @Test func aReachableStreamReportsItsCodecResolutionRateAndAPictureAndWrongCredentialsAreAClearErrorWithoutThem() async throws {
        let app = try await TestApp.make()
        try await Self.withCamera { simulator in
            let url = simulator.url(camera: 1)
            try await app.test { client async throws in
                let good = try await client.execute(
                    uri: "/api/v1/cameras/probe", method: .post, headers: app.headers(.admin, jsonHeaders),
                    body: jsonBody(["url": url, "username": "viewer", "password": "s3cret-pass"]))
                #expect(good.status == .ok, "\(good.text)")
                let result = try #require(try good.json() as? [String: Any])
                #expect(result["codec"] as? String == "H264" && result["width"] as? Int == 640 && result["height"] as? Int == 360, "\(result)")
                let fps = try #require(result["framesPerSecond"] as? Double)
                // Measured from 2 s of RTP timestamps of a looping clip on a loaded machine: the right order, not exact.
                #expect(fps > 10 && fps < 30, "\(fps)")
                let kbps = try #require(result["bitrateKbps"] as? Double)
                #expect(kbps > 100 && kbps < 2000, "\(kbps)")
                #expect(result["transport"] as? String == "tcp")
                let snapshot = try #require(result["snapshot"] as? String, "a picture comes with the report: \(result["snapshotProblem"] ?? "")")
                let jpeg = try #require(Data(base64Encoded: String(snapshot.dropFirst("data:image/jpeg;base64,".count))))
                #expect(snapshot.hasPrefix("data:image/jpeg;base64,") && jpeg.starts(with: [0xFF, 0xD8]), "a JPEG picture")

                let refused = try await client.execute(
                    uri: "/api/v1/cameras/probe", method: .post, headers: app.headers(.admin, jsonHeaders),
                    body: jsonBody(["url": url, "username": "viewer", "password": "wrong-password"]))
                #expect(refused.status == .unprocessableContent)
                #expect(!refused.text.contains("wrong-password"), "the answer never repeats the credentials")
                let notRTSP = try await client.execute(
                    uri: "/api/v1/cameras/probe", method: .post, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["url": "http://camera.local/"]))
                #expect(notRTSP.status == .unprocessableContent && notRTSP.text.contains("rtsp://"))
                let analyst = try await client.execute(
                    uri: "/api/v1/cameras/probe", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["url": url]))
                #expect(analyst.status == .forbidden, "only those who may add cameras may make the server connect out")
            }
        }
        let audited = try await app.services.audit.entries(action: "cameras.probe")
        #expect(audited.count == 2 && audited.allSatisfy { !$0.target.contains("s3cret") && !$0.target.contains("wrong-password") })
    }
}
