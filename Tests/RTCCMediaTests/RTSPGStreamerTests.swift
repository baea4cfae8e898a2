import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

/// The client against GStreamer's RTSP server (gst-rtsp-server through Python bindings).
@Suite(.serialized, .timeLimit(.minutes(3))) struct RTSPGStreamerTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/gst_rtsp_server.py").path

    static func withGStreamerServer<T: Sendable>(
        credentials: (String, String)? = nil, _ body: @escaping @Sendable (Int) async throws -> T
    ) async throws -> T {
        let python = try await RTSPPeer.requireGStreamerPython()
        var arguments = [fixture, "0"]
        if let credentials { arguments += [credentials.0, credentials.1] }
        let server = try RTSPPeer.Background(python, arguments)
        do {
            let ready = try await server.waitForLine(prefix: "READY ", deadline: 30)
            let port = try #require(Int(ready.dropFirst("READY ".count)))
            let result = try await body(port)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    static func expectH264Video(_ collected: RTSPCollected) {
        #expect(collected.ended == nil, "session ended: \(String(describing: collected.ended))")
        #expect(collected.tracks.first?.media.rtpMap(for: 96)?.encodingName == "H264")
        let video = collected.rtpPackets[0] ?? []
        #expect(video.count >= 50)
        #expect(video.allSatisfy { $0.getInteger(at: $0.readerIndex, as: UInt8.self).map { $0 >> 6 } == 2 })
        #expect(video.contains { ($0.getInteger(at: $0.readerIndex + 1, as: UInt8.self) ?? 0) & 0x7F == 96 })
    }

    @Test(arguments: [RTSPTransportPreference.tcp, .udp])
    func clientReceivesH264FromGStreamer(transport: RTSPTransportPreference) async throws {
        let collected = try await Self.withGStreamerServer { port in
            try await rtspCollect(url: "rtsp://127.0.0.1:\(port)/test", configuration: .init(transport: transport), count: 50, deadline: 30)
        }
        Self.expectH264Video(collected)
    }

    @Test func clientAnswersGStreamerDigestChallenge() async throws {
        let collected = try await Self.withGStreamerServer(credentials: ("viewer", "pa:ss")) { port in
            try await rtspCollect(url: "rtsp://viewer:pa%3Ass@127.0.0.1:\(port)/test", count: 50, deadline: 30)
        }
        Self.expectH264Video(collected)
    }

    @Test func wrongPasswordIsRejectedByGStreamer() async throws {
        let collected = try await Self.withGStreamerServer(credentials: ("viewer", "right")) { port in
            try await rtspCollect(url: "rtsp://viewer:wrong@127.0.0.1:\(port)/test", count: 1, deadline: 30)
        }
        #expect(collected.ended == .failed(.authenticationFailed))
    }
}
