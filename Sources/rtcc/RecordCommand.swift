import ArgumentParser
import Foundation
import Logging
import RTCCMedia

/// `rtcc record`: records one camera to fMP4 files without the server, through the same recorder the server uses.
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record one RTSP camera to fragmented MP4 segments in a folder (no server, no database).",
        discussion: "Writes <out>/<camera-id>/<date>/<segment>.mp4 and <out>/index.json describing every sealed segment.")

    @Argument(help: "rtsp://[user:password@]host[:port]/path") var url: String
    @Option(help: "How long to record.") var seconds = 30
    @Option(help: "Output folder.") var out: String
    @Option(help: "tcp, udp, or auto (UDP, falling back to TCP).") var transport = "tcp"
    @Option(help: "Segment length in seconds.") var segmentSeconds = 60

    func validate() throws {
        _ = try transportPreference(transport)
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard (2...3600).contains(segmentSeconds) else { throw ValidationError("--segment-seconds must be 2-3600") }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let index = FolderIndex(file: root.appendingPathComponent("index.json"))
        let recorder = CameraRecorder(
            configuration: CameraRecorder.Configuration(
                url: url, segments: SegmentWriter.Configuration(root: root, cameraID: UUID(), segmentDuration: .seconds(segmentSeconds)),
                transport: try transportPreference(transport)),
            index: index)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await recorder.run() }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            await group.next()
            group.cancelAll()
        }
        let health = await recorder.health
        let segments = await index.sealedSegments()
        say("Recorded \(health.framesRecorded) frames in \(segments.count) segment(s); state \(health.state.rawValue)"
            + (health.reason.map { " (\($0))" } ?? "") + ", \(health.reconnects) reconnect(s), \(health.packetsLost) packet(s) lost.")
        for segment in segments {
            say("  \(segment.path)  \(segment.frames) frames  \(segment.bytes) bytes  sha256 \(segment.sha256 ?? "-")")
        }
        if segments.isEmpty { throw CLIError("nothing was recorded from \(RedactedURL(url))") }
    }
}

/// A URL shown without its password.
struct RedactedURL: CustomStringConvertible {
    let text: String
    init(_ text: String) { self.text = text }
    var description: String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "the camera"
    }
}

/// A recording index kept as a JSON file, for recording without a database.
actor FolderIndex: RecordingIndex {
    private let file: URL
    private var segments: [UUID: RecordedSegment] = [:]

    init(file: URL) { self.file = file }

    func opened(_ segment: RecordedSegment) async throws { segments[segment.id] = segment }
    func progressed(_ segment: RecordedSegment) async throws { segments[segment.id] = segment }
    func sealed(_ segment: RecordedSegment) async throws {
        segments[segment.id] = segment
        try write()
    }

    func sealedSegments() -> [RecordedSegment] { segments.values.filter(\.isSealed).sorted { $0.start < $1.start } }

    private func write() throws {
        struct Entry: Encodable {
            var path: String, start: Date, end: Date, frames: Int, bytes: Int64, codec: String, sha256: String?, gaps: [[Date]]
        }
        let entries = sealedSegments().map {
            Entry(path: $0.path, start: $0.start, end: $0.end, frames: $0.frames, bytes: $0.bytes, codec: $0.codec, sha256: $0.sha256,
                  gaps: $0.gaps.map { [$0.start, $0.end] })
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(entries).write(to: file, options: .atomic)
    }
}
