import Foundation
import Testing

@testable import RTCCMedia

/// A recording index in memory, for tests.
actor MemoryRecordingIndex: RecordingIndex {
    private(set) var openedSegments: [RecordedSegment] = []
    private(set) var progressedSegments: [RecordedSegment] = []
    private(set) var sealedSegments: [RecordedSegment] = []

    func opened(_ segment: RecordedSegment) async throws { openedSegments.append(segment) }
    func progressed(_ segment: RecordedSegment) async throws { progressedSegments.append(segment) }
    func sealed(_ segment: RecordedSegment) async throws { sealedSegments.append(segment) }
}

/// Media for recorder tests, made by ffmpeg.
enum RecordingTestMedia {
    static func requireTool(_ name: String) throws -> String {
        guard let path = ExternalTool.locate(name) else {
            throw RTSPMissingTool(tool: name, install: "apt-get install -y ffmpeg")
        }
        return path
    }

    /// Encodes `seconds` of a 25 fps, 320×240 test pattern with libx264 (no B-frames, a keyframe
    /// every `gop` frames) and returns its access units with RTP-style presentation times.
    static func h264AccessUnits(seconds: Int, gop: Int = 25, in directory: URL) async throws -> [VideoAccessUnit] {
        let ffmpeg = try requireTool("ffmpeg")
        let output = directory.appendingPathComponent("source.h264")
        let result = try await ExternalTool.run(
            ffmpeg,
            [
                "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "\(seconds)", "-pix_fmt", "yuv420p",
                "-c:v", "libx264", "-bf", "0", "-g", "\(gop)", "-x264-params", "aud=1", "-y", output.path,
            ], in: directory)
        try #require(result.status == 0, "ffmpeg failed: \(result.errors)")
        let units = AnnexB.split([UInt8](try Data(contentsOf: output)))
        var sets = H264ParameterSets()
        var accessUnits: [VideoAccessUnit] = []
        for group in AnnexB.groupAccessUnits(units, codec: .h264) {
            for unit in group { _ = try? sets.update(with: unit) }
            let format = try sets.videoFormat()
            let pictures = group.filter { ($0.first ?? 0) & 0x1F != 9 }
            let keyframe = pictures.contains { ($0.first ?? 0) & 0x1F == 5 }
            let timestamp = Int64(accessUnits.count) * 3600 + 1_000_000
            accessUnits.append(VideoAccessUnit(codec: .h264, nalUnits: pictures, isKeyframe: keyframe, rtpTimestamp: timestamp, format: format))
        }
        return accessUnits
    }

    /// Runs `ffmpeg -v error -i FILE -f null -` and returns its standard error (empty when clean).
    static func decodeErrors(_ path: String, in directory: URL) async throws -> String {
        let ffmpeg = try requireTool("ffmpeg")
        let result = try await ExternalTool.run(ffmpeg, ["-v", "error", "-i", path, "-f", "null", "-"], in: directory)
        return result.status == 0 ? result.errors : "exit \(result.status): \(result.errors)"
    }

    /// The (dts, pts, keyframe) of every video packet, in file order, from ffprobe (seconds).
    static func packets(_ path: String, in directory: URL) async throws -> [(dts: Double, pts: Double, key: Bool)] {
        let ffprobe = try requireTool("ffprobe")
        let result = try await ExternalTool.run(
            ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time,pts_time,flags", "-of", "csv=p=0", path],
            in: directory)
        try #require(result.status == 0, "ffprobe failed: \(result.errors)")
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, let pts = Double(fields[0]), let dts = Double(fields[1]) else { return nil }
            return (dts, pts, fields[2].contains("K"))
        }
    }

    /// Every `.mp4` file under `root`.
    static func files(under root: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var files: [String] = []
        while let next = enumerator?.nextObject() as? String {
            if next.hasSuffix(".mp4") { files.append(root.appendingPathComponent(next).path) }
        }
        return files.sorted()
    }
}
