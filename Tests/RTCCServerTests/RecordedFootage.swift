import Foundation
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing

/// Real recordings for evidence tests: ffmpeg's test pattern encoded once, cut into 2 s segments by the recorder's own
/// ``SegmentWriter`` and indexed in the store as the server's recorder would.
enum RecordedFootage {
    /// Runs a tool and returns its status and combined output.
    static func run(_ tool: String, _ arguments: [String], in directory: URL) async throws -> (status: Int32, output: String) {
        let log = directory.appendingPathComponent(".\(tool)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: log)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, String(decoding: try Data(contentsOf: log), as: UTF8.self))
    }

    /// Records `seconds` of 25 fps video for `camera` starting at wall-clock `start`, indexed in `store`.
    static func record(seconds: Int, camera: UUID, start: Date, in directory: URL, store: Store) async throws -> [RecordedSegment] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoded = try await run(
            "ffmpeg",
            ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "\(seconds)", "-pix_fmt", "yuv420p", "-c:v", "libx264",
             "-bf", "0", "-g", "25", "-y", "source.h264"], in: directory)
        try #require(encoded.status == 0, "ffmpeg failed (apt-get install -y ffmpeg): \(encoded.output)")
        let stream = [UInt8](try Data(contentsOf: directory.appendingPathComponent("source.h264")))
        let index = DatabaseRecordingIndex(store: store)
        let writer = SegmentWriter(
            configuration: .init(root: directory.appendingPathComponent("rec"), cameraID: camera, segmentDuration: .seconds(2)), index: index)
        var sets = H264ParameterSets()
        for (position, group) in AnnexB.groupAccessUnits(AnnexB.split(stream), codec: .h264).enumerated() {
            for unit in group { _ = try? sets.update(with: unit) }
            let time = Int64(position) * 3600
            let unit = VideoAccessUnit(
                codec: .h264, nalUnits: group, isKeyframe: group.contains { ($0.first ?? 0) & 0x1F == 5 }, rtpTimestamp: time, format: try sets.videoFormat())
            try await writer.append(TimedVideoFrame(
                accessUnit: unit, timing: DecodeTiming(decodeTime: time, presentationTime: time, duration: 3600),
                wallClock: start.addingTimeInterval(Double(time) / 90_000)))
        }
        try await writer.close()
        return try await store.segments.list(cameraID: camera, stream: "main", from: start, until: start.addingTimeInterval(Double(seconds) + 5))
            .map(\.recordedSegment)
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func waitFor(seconds: Double = 60, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
