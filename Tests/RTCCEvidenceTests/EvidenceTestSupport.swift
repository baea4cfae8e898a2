import Foundation
import RTCCMedia
import Synchronization
import Testing

/// Collects progress reports from a `@Sendable` callback.
final class ProgressLog: Sendable {
    private let values = Mutex<[Double]>([])

    var reported: [Double] { values.withLock { $0 } }

    func record(_ value: Double) { values.withLock { $0.append(value) } }
}

/// A recording index in memory.
actor SealedSegments: RecordingIndex {
    private(set) var sealedSegments: [RecordedSegment] = []

    func opened(_ segment: RecordedSegment) async throws {}
    func progressed(_ segment: RecordedSegment) async throws {}
    func sealed(_ segment: RecordedSegment) async throws { sealedSegments.append(segment) }
}

/// A command-line tool the tests need.
struct MissingTool: Error, CustomStringConvertible {
    var tool: String
    var description: String { "\(tool) is not installed; install it (apt-get install -y ffmpeg openssl coreutils) to run these tests" }
}

/// Runs tools and makes recordings for evidence tests.
enum EvidenceTestSupport {
    struct Output {
        var status: Int32
        var output: String
    }

    static func tool(_ name: String) throws -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let path = folders.map({ $0 + "/" + name }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw MissingTool(tool: name)
        }
        return path
    }

    /// Runs `name` in `directory` and returns its exit status with stdout and stderr together.
    static func run(_ name: String, _ arguments: [String], in directory: URL) async throws -> Output {
        let log = directory.appendingPathComponent(".tool-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: log)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try tool(name))
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(status: status, output: String(decoding: try Data(contentsOf: log), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-evidence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let start = Date(timeIntervalSince1970: 1_760_000_000)

    /// Records `seconds` of ffmpeg's 25 fps test pattern into 2 s segments with the real ``SegmentWriter``.
    static func record(seconds: Int, in directory: URL) async throws -> [RecordedSegment] {
        let encoded = try await run(
            "ffmpeg",
            [
                "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "\(seconds)", "-pix_fmt", "yuv420p", "-c:v",
                "libx264", "-bf", "0", "-g", "25", "-y", "source.h264",
            ], in: directory)
        try #require(encoded.status == 0, "ffmpeg failed: \(encoded.output)")
        let stream = [UInt8](try Data(contentsOf: directory.appendingPathComponent("source.h264")))
        let index = SealedSegments()
        let writer = SegmentWriter(
            configuration: .init(root: directory.appendingPathComponent("rec"), cameraID: UUID(), segmentDuration: .seconds(2)), index: index)
        var sets = H264ParameterSets()
        for (position, group) in AnnexB.groupAccessUnits(AnnexB.split(stream), codec: .h264).enumerated() {
            for unit in group { _ = try? sets.update(with: unit) }
            let keyframe = group.contains { ($0.first ?? 0) & 0x1F == 5 }
            let time = Int64(position) * 3600
            let unit = VideoAccessUnit(codec: .h264, nalUnits: group, isKeyframe: keyframe, rtpTimestamp: time, format: try sets.videoFormat())
            let frame = TimedVideoFrame(
                accessUnit: unit, timing: DecodeTiming(decodeTime: time, presentationTime: time, duration: 3600),
                wallClock: start.addingTimeInterval(Double(time) / 90_000))
            try await writer.append(frame)
        }
        try await writer.close()
        return await index.sealedSegments
    }
}
