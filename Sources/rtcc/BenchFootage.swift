import Foundation
import RTCCMedia

/// Test footage for `rtcc bench export`: ffmpeg's test pattern encoded once, cut into segments by the recorder's own
/// ``SegmentWriter`` exactly as live recording does.
enum BenchFootage {
    /// The sealed segments of `seconds` of video starting at wall-clock `start`.
    static func record(
        ffmpeg: String, seconds: Int, segmentSeconds: Int, size: String, fps: Int, bitrate: Int, start: Date, in root: URL
    ) async throws -> [RecordedSegment] {
        let source = root.appendingPathComponent("source.h264")
        _ = try await Timing.measureChild(ffmpeg, [
            "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(fps)", "-t", "\(seconds)", "-pix_fmt", "yuv420p", "-c:v", "libx264",
            "-preset", "veryfast", "-b:v", "\(bitrate)", "-bf", "0", "-g", "\(fps)", "-y", source.path,
        ])
        let stream = [UInt8](try Data(contentsOf: source))
        let index = CollectedSegments()
        let writer = SegmentWriter(
            configuration: .init(root: root.appendingPathComponent("rec"), cameraID: UUID(), segmentDuration: .seconds(segmentSeconds)), index: index)
        var sets = H264ParameterSets()
        let ticks = Int64(90_000 / fps)
        for (position, group) in AnnexB.groupAccessUnits(AnnexB.split(stream), codec: .h264).enumerated() {
            for unit in group { _ = try? sets.update(with: unit) }
            let time = Int64(position) * ticks
            let unit = VideoAccessUnit(
                codec: .h264, nalUnits: group, isKeyframe: group.contains { ($0.first ?? 0) & 0x1F == 5 }, rtpTimestamp: time, format: try sets.videoFormat())
            try await writer.append(TimedVideoFrame(
                accessUnit: unit, timing: DecodeTiming(decodeTime: time, presentationTime: time, duration: ticks),
                wallClock: start.addingTimeInterval(Double(time) / 90_000)))
        }
        try await writer.close()
        return await index.segments
    }

    /// Video packets in a file, counted by ffprobe.
    static func packets(ffprobe: String, _ path: String) async throws -> Int {
        let output = try await ChildProcess.output(ffprobe, [
            "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path,
        ])
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

/// Sealed segments reported by the writer, in order.
actor CollectedSegments: RecordingIndex {
    private(set) var segments: [RecordedSegment] = []

    func opened(_ segment: RecordedSegment) async throws {}
    func progressed(_ segment: RecordedSegment) async throws {}
    func sealed(_ segment: RecordedSegment) async throws { segments.append(segment) }
}
