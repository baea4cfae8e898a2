import Foundation
import Testing

@testable import RTCCMedia

/// ffprobe (libavformat's RTSP client) against ``RTSPServer`` replaying RTP that ffmpeg produced.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RTSPFFprobeTests {
    /// A recording shared by the tests: two seconds of H.264 test pattern as RTP, and ffmpeg's SDP.
    static func recordH264() async throws -> RTSPPacketReplaySource {
        let capture = try await FFmpegRTPCapture.record(
            ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2", "-c:v", "libx264", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p"],
            minimumPackets: 50)
        #expect(capture.sessionDescription.media.first?.rtpMap(for: 96)?.encodingName == "H264")
        return capture.replaySource()
    }

    @Test(arguments: ["tcp", "udp"])
    func ffprobeReadsH264FromServer(transport: String) async throws {
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        let source = try await Self.recordH264()
        #expect(source.packets.count >= 50)
        let result = try await withRTSPServer(sources: ["/cam": source]) { server in
            try await RTSPPeer.run(ffprobe, [
                "-v", "error", "-rtsp_transport", transport, "-show_entries", "stream=codec_name,width,height",
                "-of", "default=noprint_wrappers=1", "rtsp://127.0.0.1:\(server.port)/cam",
            ], deadline: 60)
        }
        #expect(result.status == 0, "ffprobe failed: \(result.output)")
        #expect(result.output.contains("codec_name=h264"), "ffprobe said: \(result.output)")
        #expect(result.output.contains("width=320"))
        #expect(result.output.contains("height=240"))
    }

    @Test func ffprobeAuthenticatesWithDigest() async throws {
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        let source = try await Self.recordH264()
        let auth = RTSPServerAuthentication(credentials: RTSPCredentials(username: "viewer", password: "secret"))
        let result = try await withRTSPServer(sources: ["/cam": source], authentication: auth) { server in
            try await RTSPPeer.run(ffprobe, [
                "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
                "-of", "default=noprint_wrappers=1", "rtsp://viewer:secret@127.0.0.1:\(server.port)/cam",
            ], deadline: 60)
        }
        #expect(result.output.contains("codec_name=h264"), "ffprobe said: \(result.output)")
    }
}
