import Foundation
import Testing

@testable import RTCCMedia

/// The recorder against ffmpeg's own RTP packetization (STAP-A and FU-A, B-frames, parameter sets
/// only in-band), replayed by ``RTSPServer``; the segments are checked with ffmpeg and ffprobe.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PipelineFFmpegSourceTests {
    typealias Recorder = PipelineCameraRecorderTests

    /// Six seconds of a 25 fps, 320×240 test pattern with two B-frames and a keyframe a second, sent
    /// by ffmpeg in real time.
    static func captureFFmpeg() async throws -> FFmpegRTPCapture {
        try await FFmpegRTPCapture.record(
            [
                "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "6",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-bf", "2", "-g", "25",
            ], minimumPackets: 150)
    }

    /// Checks that the capture is what the tests rely on: no parameter sets in the SDP, and both
    /// aggregation (STAP-A) and fragmentation (FU-A) packets.
    static func expectInBandOnly(_ capture: FFmpegRTPCapture) throws {
        let media = try #require(capture.sessionDescription.media.first, "ffmpeg's SDP has no media section")
        #expect(media.rtpMap(for: 96)?.encodingName == "H264")
        #expect(media.formatParameters(for: 96).h264ParameterSets.isEmpty, "ffmpeg's SDP carries sprop-parameter-sets")
        let types = capture.payloadNALUnitTypes
        #expect(types.isSuperset(of: [24, 28]), "expected STAP-A (24) and FU-A (28) from ffmpeg; NAL unit types: \(types.sorted())")
    }

    @Test(arguments: [RTSPTransportPreference.tcp, .udp])
    func recordsFFmpegPacketizedH264(transport: RTSPTransportPreference) async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = try await Self.captureFFmpeg()
        try Self.expectInBandOnly(capture)
        let recording = try await withRTSPServer(sources: ["/test": capture.replaySource()]) { server in
            let recording = Recorder.makeRecording(port: server.port, transport: transport, root: directory.appendingPathComponent("rec"))
            try await Recorder.whileRecording(recording) {
                try await pollUntil(30, "100 frames (4 s) recorded") { await Recorder.framesRecorded(recording) >= 100 }
            }
            return recording
        }
        let (frames, span) = try await Self.expectCleanRecording(recording, directory: directory)
        print("[measure] ffmpeg RTP/\(transport): \(frames) frames recorded, \(span * 25) expected over \(span) s")
    }

    /// Checks a recording of a 25 fps H.264 source with B-frames in 2 s segments: every segment
    /// sealed with its SHA-256, decoding cleanly with monotonic DTS and an `avc1` codec string, and
    /// as many frames as 25 fps gives over the recorded span. Returns the frames and the span (s).
    static func expectCleanRecording(_ recording: Recorder.Recording, directory: URL) async throws -> (frames: Int, span: Double) {
        let sealed = await recording.index.sealedSegments
        try await Recorder.checkSegments(sealed, recording: recording, expectBFrames: true, directory: directory, minimumSegments: 2)
        #expect(sealed.allSatisfy { $0.codec.hasPrefix("avc1.") && $0.codec.count == 11 }, "codec strings: \(sealed.map(\.codec))")
        let frames = sealed.reduce(0) { $0 + $1.frames }
        #expect(frames == (await Recorder.framesRecorded(recording)))
        let span = try #require(sealed.last).end.timeIntervalSince(try #require(sealed.first).start)
        // Without RTCP the wall clock follows the RTP timestamps from the first arrival, so the span
        // is the media's own: only rounding is allowed for.
        #expect(abs(Double(frames) - span * 25) <= 2, "\(frames) frames in \(span) s")
        let joins = zip(sealed, sealed.dropFirst()).map { $1.start.timeIntervalSince($0.end) }
        #expect(joins.allSatisfy { abs($0) < 0.001 }, "segments not contiguous: \(joins)")
        let health = try #require(await recording.log.latestHealth)
        #expect(health.packetsLost == 0, "\(health)")
        #expect(await recording.log.first { if case .sessionStarted = $0 { true } else { false } } != nil)
        return (frames, span)
    }
}
