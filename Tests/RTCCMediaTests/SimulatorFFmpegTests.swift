import Foundation
import Testing

@testable import RTCCMedia

/// ffprobe and ffmpeg (libavformat's RTSP client) against ``CameraSimulator``.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SimulatorFFmpegTests {
    @Test(arguments: [("tcp", VideoCodec.h264), ("udp", .h264), ("tcp", .h265), ("udp", .h265)])
    func ffprobeSeesTheCodecAndSize(transport: String, codec: VideoCodec) async throws {
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        let clip = try await SimulatorFixture.clip(codec)
        let result = try await SimulatorFixture.withSimulator(cameras: 2, clip: clip) { simulator in
            try await RTSPPeer.run(
                ffprobe,
                [
                    "-v", "error", "-rtsp_transport", transport, "-show_entries", "stream=codec_name,width,height,profile",
                    "-of", "default=noprint_wrappers=1", simulator.url(camera: 2),
                ], deadline: 60)
        }
        #expect(result.status == 0, "ffprobe failed: \(result.output)")
        #expect(result.output.contains("codec_name=\(codec == .h264 ? "h264" : "hevc")"), "\(result.output)")
        #expect(result.output.contains("width=320") && result.output.contains("height=240"), "\(result.output)")
        #expect(result.output.contains("profile=Main"), "\(result.output)")
    }

    @Test func subStreamServesTheSmallerClip() async throws {
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        let clip = try await SimulatorFixture.clip()
        let sub = try await SimulatorFixture.clip(width: 160, height: 96)
        let result = try await SimulatorFixture.withSimulator(clip: clip, subClip: sub) { simulator in
            try await RTSPPeer.run(
                ffprobe,
                [
                    "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=width,height", "-of", "default=noprint_wrappers=1",
                    simulator.url(camera: 1, sub: true),
                ], deadline: 60)
        }
        #expect(result.status == 0, "ffprobe failed: \(result.output)")
        #expect(result.output.contains("width=160") && result.output.contains("height=96"), "\(result.output)")
    }

    @Test(arguments: [VideoCodec.h264, .h265])
    func ffmpegRecordsThreeCleanSeconds(codec: VideoCodec) async throws {
        let ffmpeg = try RTSPPeer.require("ffmpeg", package: "ffmpeg")
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        // A two-second clip, so three seconds of recording cross a loop.
        let clip = try await SimulatorFixture.clip(codec, seconds: 2)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("simulator-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: output) }
        let recorded = try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            try await RTSPPeer.run(
                ffmpeg,
                [
                    "-hide_banner", "-v", "error", "-rtsp_transport", "tcp", "-i", simulator.url(camera: 1), "-t", "3", "-c", "copy",
                    "-f", "mp4", output.path,
                ], deadline: 60)
        }
        #expect(recorded.status == 0, "ffmpeg recording failed: \(recorded.output)")
        let decoded = try await RTSPPeer.run(ffmpeg, ["-v", "error", "-i", output.path, "-f", "null", "-"], deadline: 60)
        #expect(decoded.status == 0 && decoded.output.isEmpty, "decoding the recording reported: \(decoded.output)")
        let counted = try await RTSPPeer.run(
            ffprobe,
            [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", output.path,
            ], deadline: 60)
        let frames = Int(counted.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect((65...80).contains(frames), "expected about 75 frames in 3 s at 25 fps, got \(frames): \(counted.output)")
    }
}
