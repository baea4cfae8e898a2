import Foundation
import Testing

@testable import RTCCMedia

/// Muxes real encoder output (libx264 / libx265 through ffmpeg) after a round trip through RTP
/// packetization and the depacketizers, then has ffprobe and ffmpeg read the file back.
@Suite(.serialized)
struct FMP4FFmpegTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var codec: VideoCodec
        var encoder: String
        var format: String
        var samplesPerFragment: Int?
        var testDescription: String { encoder }
    }

    static let cases = [
        Case(codec: .h264, encoder: "libx264", format: "h264", samplesPerFragment: nil),
        Case(codec: .h265, encoder: "libx265", format: "hevc", samplesPerFragment: 5),
    ]
    static let frameDuration: Int64 = 3600
    static let frameCount = 50

    @Test(.timeLimit(.minutes(2)), arguments: cases)
    func realStreamMuxesIntoPlayableFragmentedMP4(_ testCase: Case) async throws {
        guard let ffmpeg = ExternalTool.locate("ffmpeg"), let ffprobe = ExternalTool.locate("ffprobe") else {
            Issue.record("ffmpeg and ffprobe are needed for this test: install them with `apt-get install -y ffmpeg`")
            return
        }
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = try await encodeAndDepacketize(testCase, ffmpeg: ffmpeg, in: directory)
        #expect(units.count == Self.frameCount)
        let file = try mux(units, samplesPerFragment: testCase.samplesPerFragment)
        let written = zip(units, Self.decodeTimes(units)).map { unit, decode in "\(unit.rtpTimestamp)/\(decode)" }
        let path = directory.appendingPathComponent("out.mp4")
        try Data(file).write(to: path)

        let decoded = try await ExternalTool.run(ffmpeg, ["-v", "error", "-i", path.path, "-f", "null", "-"], in: directory)
        #expect(decoded.status == 0)
        #expect(decoded.errors.isEmpty, "ffmpeg reported: \(decoded.errors)")
        let frames = try await probe(ffprobe, "-show_frames", "frame=pts,pict_type,width,height", path, in: directory)
        let packets = try await probe(ffprobe, "-show_packets", "packet=pts,dts", path, in: directory)
        #expect(frames.count == Self.frameCount)
        #expect(packets.count == Self.frameCount)
        #expect(packets.map { "\($0["pts"] ?? "-")/\($0["dts"] ?? "-")" } == written, "PTS/DTS read back differ from those written")
        let bFrameTimes = Set(frames.filter { $0["pict_type"] == "B" }.compactMap { $0["pts"].flatMap { Int64($0) } })
        let packetTimes = packets.compactMap { packet in packet["pts"].flatMap { Int64($0) }.map { ($0, packet["dts"].flatMap { Int64($0) }) } }
        let bPackets = packetTimes.enumerated().filter { bFrameTimes.contains($0.element.0) }
        #expect(!bPackets.isEmpty)
        #expect(bPackets.count == bFrameTimes.count)
        #expect(bPackets.contains { $0.element.0 != $0.element.1 }, "B-frames must keep PTS ≠ DTS")
        // Every B-frame is shown before a picture decoded ahead of it: the reordering survived.
        #expect(bPackets.allSatisfy { index, times in packetTimes[..<index].contains { $0.0 > times.0 } })
        let presentation = frames.compactMap { $0["pts"].flatMap { Int64($0) } }
        #expect(presentation == presentation.sorted())
        #expect(Set(presentation).count == Self.frameCount)
        #expect(frames.allSatisfy { $0["width"] == "320" && $0["height"] == "240" })
    }

    @Test(.timeLimit(.minutes(2)))
    func videoWithAACTrackPlays() async throws {
        guard let ffmpeg = ExternalTool.locate("ffmpeg"), let ffprobe = ExternalTool.locate("ffprobe") else {
            Issue.record("ffmpeg and ffprobe are needed for this test: install them with `apt-get install -y ffmpeg`")
            return
        }
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = try await encodeAndDepacketize(Self.cases[0], ffmpeg: ffmpeg, in: directory)
        let encoded = try await ExternalTool.run(
            ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:a", "aac", "-f", "adts", "a.aac"],
            in: directory)
        try #require(encoded.status == 0, "ffmpeg could not encode AAC: \(encoded.errors)")
        let adts = try [UInt8](Data(contentsOf: directory.appendingPathComponent("a.aac")))
        let (format, frames) = try #require(ADTS.frames(adts))
        let file = try mux(units, samplesPerFragment: nil, audio: (format, frames))
        let path = directory.appendingPathComponent("av.mp4")
        try Data(file).write(to: path)

        let decoded = try await ExternalTool.run(ffmpeg, ["-v", "error", "-i", path.path, "-f", "null", "-"], in: directory)
        #expect(decoded.status == 0)
        #expect(decoded.errors.isEmpty, "ffmpeg reported: \(decoded.errors)")
        let streams = try await probe(ffprobe, "-show_streams", "stream=codec_name,sample_rate,channels", path, in: directory)
        #expect(streams.map { $0["codec_name"] } == ["h264", "aac"])
        #expect(streams.last?["sample_rate"] == "48000")
        let audioPackets = try await probe(ffprobe, "-show_packets", "packet=stream_index", path, in: directory)
        #expect(audioPackets.filter { $0["stream_index"] == "1" }.count == frames.count)
    }

    /// Encodes two seconds of test pattern, splits it into access units and gives each its
    /// presentation time, then sends it through RTP and back.
    func encodeAndDepacketize(_ testCase: Case, ffmpeg: String, in directory: URL) async throws -> [VideoAccessUnit] {
        let encoded = try await ExternalTool.run(
            ffmpeg,
            [
                "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2", "-pix_fmt", "yuv420p",
                "-c:v", testCase.encoder, "-bf", "2", "-g", "25", "-f", testCase.format, "out.bin",
            ], in: directory)
        try #require(encoded.status == 0, "ffmpeg could not encode: \(encoded.errors)")
        let stream = try [UInt8](Data(contentsOf: directory.appendingPathComponent("out.bin")))
        let accessUnits = AnnexB.groupAccessUnits(AnnexB.split(stream), codec: testCase.codec)
        #expect(accessUnits.count == Self.frameCount)
        return try depacketize(accessUnits, codec: testCase.codec)
    }

    /// Gives each access unit its presentation time, sends it through RTP and back.
    func depacketize(_ accessUnits: [[[UInt8]]], codec: VideoCodec) throws -> [VideoAccessUnit] {
        let pictures = codec == .h264 ? try PictureOrder.h264(accessUnits) : try PictureOrder.h265(accessUnits)
        let display = PictureOrder.displayIndices(pictures)
        // Shift presentation by the reorder depth, as ffmpeg does, so that no frame is shown before
        // it is decoded and reordered frames keep a composition offset.
        let delay = zip(display.indices, display).map { abs($0 - $1) }.max() ?? 0
        let timestamps = display.map { UInt32(($0 + delay) * Int(Self.frameDuration)) }
        var units: [VideoAccessUnit] = []
        if codec == .h264 {
            var depacketizer = H264Depacketizer()
            for packet in TestPacketizer.h264(accessUnits, timestamps: timestamps, aggregate: true) {
                units += try depacketizer.process(packet)
            }
            units += depacketizer.flush()
        } else {
            var depacketizer = H265Depacketizer()
            for packet in TestPacketizer.h265(accessUnits, timestamps: timestamps, aggregate: true) {
                units += try depacketizer.process(packet)
            }
            units += depacketizer.flush()
        }
        return units
    }

    /// Decode times as a receiver derives them: from RTP presentation times and the SPS reorder depth.
    static func decodeTimes(_ units: [VideoAccessUnit]) -> [Int64] {
        var timeline = DecodeTimeline<Int>(
            reorderDepth: units.first.map { DecodeTimeline<Int>.reorderDepth(for: $0.format) } ?? 0, frameRate: 90_000 / Double(frameDuration))
        var timings: [DecodeTiming] = []
        for (index, unit) in units.enumerated() { timings += timeline.push(presentationTime: unit.rtpTimestamp, payload: index).map(\.timing) }
        timings += timeline.flush().map(\.timing)
        return timings.map(\.decodeTime)
    }

    /// RTP carries presentation time; decode time comes from ``DecodeTimeline``.
    /// Audio frames go into the fragment whose video they start within.
    func mux(_ units: [VideoAccessUnit], samplesPerFragment: Int?, audio: (AACAudioFormat, [[UInt8]])? = nil) throws -> [UInt8] {
        let format = try #require(units.first?.format)
        var muxer = FMP4Muxer(video: format, audio: audio?.0)
        var file = muxer.initializationSegment()
        var pending: [FMP4Sample] = []
        var audioFrames = (audio?.1 ?? [])[...]
        func audioUntil(videoTicks: Int64) -> [FMP4Sample] {
            var samples: [FMP4Sample] = []
            while let frame = audioFrames.first, Int64(muxer.nextAudioDecodeTime) + Int64(samples.count * 1024) < videoTicks * 48_000 / 90_000 {
                samples.append(FMP4Sample(data: frame, duration: 1024, isSync: true))
                audioFrames = audioFrames.dropFirst()
            }
            return samples
        }
        let decode = Self.decodeTimes(units)
        muxer.nextVideoDecodeTime = UInt64(max(decode.first ?? 0, 0))
        for (index, unit) in units.enumerated() {
            let duration = index + 1 < decode.count ? decode[index + 1] - decode[index] : Self.frameDuration
            let offset = unit.rtpTimestamp - decode[index]
            let sample = FMP4Sample(accessUnit: unit, duration: UInt32(duration), compositionOffset: Int32(offset))
            let startsFragment = samplesPerFragment.map { pending.count >= $0 } ?? unit.isKeyframe
            if startsFragment, !pending.isEmpty {
                let audioSamples = audioUntil(videoTicks: Int64(index) * Self.frameDuration)
                file += try muxer.fragment(video: pending, audio: audioSamples)
                pending = []
            }
            pending.append(sample)
        }
        let rest = audioUntil(videoTicks: .max / 48_000)
        file += try muxer.fragment(video: pending, audio: rest)
        return file
    }

    /// Runs ffprobe with one `-show_…` option and returns one dictionary per printed line.
    func probe(_ ffprobe: String, _ show: String, _ entries: String, _ file: URL, in directory: URL) async throws -> [[String: String]] {
        let result = try await ExternalTool.run(ffprobe, ["-v", "error", show, "-show_entries", entries, "-of", "compact", file.path], in: directory)
        #expect(result.status == 0)
        #expect(result.errors.isEmpty, "ffprobe reported: \(result.errors)")
        return result.output.split(separator: "\n").map(Self.fields)
    }

    static func fields(_ line: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in line.split(separator: "|") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }
}
