import Foundation
import Synchronization
import Testing

@testable import RTCCMedia

/// A recording made by the real ``SegmentWriter`` from an ffmpeg H.264 stream with B-frames.
struct ExportTestRecording {
    /// The sealed segments, in order.
    var segments: [RecordedSegment]
    /// The wall-clock presentation time of every encoded picture.
    var pictureTimes: [Date]

    static let start = Date(timeIntervalSince1970: 1_760_000_000)

    /// Encodes `seconds` of 25 fps test pattern (2 B-frames, a closed GOP every 25 frames) and records
    /// it in `segmentSeconds` segments under `directory`.
    static func make(seconds: Int, segmentSeconds: Int = 2, codec: VideoCodec = .h264, in directory: URL) async throws -> ExportTestRecording {
        let units = try await encode(seconds: seconds, codec: codec, in: directory)
        let index = MemoryRecordingIndex()
        let writer = SegmentWriter(
            configuration: .init(
                root: directory.appendingPathComponent("rec"), cameraID: UUID(), segmentDuration: .seconds(segmentSeconds),
                progressInterval: .zero), index: index)
        let format = try #require(units.first?.format)
        var timeline = DecodeTimeline<VideoAccessUnit>(reorderDepth: DecodeTimeline<VideoAccessUnit>.reorderDepth(for: format), frameRate: 25)
        func frame(_ item: (timing: DecodeTiming, payload: VideoAccessUnit)) -> TimedVideoFrame {
            TimedVideoFrame(accessUnit: item.payload, timing: item.timing, wallClock: wallClock(item.timing.presentationTime))
        }
        for unit in units {
            for item in timeline.push(presentationTime: unit.rtpTimestamp, payload: unit) { try await writer.append(frame(item)) }
        }
        for item in timeline.flush() { try await writer.append(frame(item)) }
        try await writer.close()
        return ExportTestRecording(segments: await index.sealedSegments, pictureTimes: units.map { wallClock($0.rtpTimestamp) })
    }

    static func wallClock(_ presentationTime: Int64) -> Date {
        start.addingTimeInterval(Double(presentationTime - 1_000_000) / 90_000)
    }

    /// Access units in decode order with the presentation times a camera would send.
    static func encode(seconds: Int, codec: VideoCodec, in directory: URL) async throws -> [VideoAccessUnit] {
        let ffmpeg = try RecordingTestMedia.requireTool("ffmpeg")
        let output = directory.appendingPathComponent("source.bin")
        let encoder =
            codec == .h264
            ? ["-c:v", "libx264", "-bf", "2", "-g", "25", "-x264-params", "aud=1:b-adapt=0:scenecut=0", "-f", "h264"]
            : [
                "-c:v", "libx265", "-x265-params", "log-level=error:bframes=2:b-adapt=0:keyint=25:min-keyint=25:scenecut=0:open-gop=0:aud=1", "-f",
                "hevc",
            ]
        let result = try await ExternalTool.run(
            ffmpeg,
            ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "\(seconds)", "-pix_fmt", "yuv420p"] + encoder + [
                "-y", output.path,
            ],
            in: directory)
        try #require(result.status == 0, "ffmpeg failed: \(result.errors)")
        let groups = AnnexB.groupAccessUnits(AnnexB.split([UInt8](try Data(contentsOf: output))), codec: codec)
        let display = PictureOrder.displayIndices(codec == .h264 ? try PictureOrder.h264(groups) : try PictureOrder.h265(groups))
        let delay = zip(display.indices, display).map { abs($0 - $1) }.max() ?? 0
        var h264 = H264ParameterSets()
        var h265 = H265ParameterSets()
        var units: [VideoAccessUnit] = []
        for (position, group) in groups.enumerated() {
            for unit in group { _ = codec == .h264 ? try? h264.update(with: unit) : try? h265.update(with: unit) }
            let types = group.map { codec == .h264 ? Int(($0.first ?? 0) & 0x1F) : Int((($0.first ?? 0) >> 1) & 0x3F) }
            let pictures = zip(group, types).filter { $0.1 != (codec == .h264 ? 9 : 35) }.map(\.0)
            let keyframe = codec == .h264 ? types.contains(5) : types.contains { (16...21).contains($0) }
            let timestamp = Int64(display[position] + delay) * 3600 + 1_000_000
            let format = codec == .h264 ? try h264.videoFormat() : try h265.videoFormat()
            units.append(VideoAccessUnit(codec: codec, nalUnits: pictures, isKeyframe: keyframe, rtpTimestamp: timestamp, format: format))
        }
        return units
    }

    /// Frames ffmpeg decodes and shows from `path`, with the presentation time of each (seconds).
    static func shownFrames(_ path: String, in directory: URL) async throws -> [Double] {
        let ffprobe = try RecordingTestMedia.requireTool("ffprobe")
        let result = try await ExternalTool.run(
            ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", path], in: directory)
        try #require(result.status == 0, "ffprobe failed: \(result.errors)")
        // A frame with side data (an HEVC keyframe) prints an extra, empty column.
        return result.output.split(separator: "\n").compactMap { line in
            line.split(separator: ",").first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
    }
}

/// Collects progress reports from a `@Sendable` callback.
final class ProgressLog: Sendable {
    private let values = Mutex<[Double]>([])

    var reported: [Double] { values.withLock { $0 } }

    func record(_ value: Double) { values.withLock { $0.append(value) } }
}
