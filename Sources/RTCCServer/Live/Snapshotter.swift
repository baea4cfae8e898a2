import Foundation
import HTTPTypes
import NIOPosix
import RTCCCore
import RTCCMedia
import RTCCStore

/// A decoded picture of a camera.
struct Snapshot: Sendable {
    /// JPEG bytes.
    var bytes: [UInt8]
    /// When the picture was taken (the keyframe's wall-clock time).
    var takenAt: Date
}

/// Current JPEG pictures of cameras: the newest live keyframe (or, for a camera not streaming, the last
/// recorded keyframe) decoded by ffmpeg, at most 640 pixels wide, cached for a few seconds per camera.
actor Snapshotter {
    /// How long a picture is served from the cache.
    static let freshFor: TimeInterval = 5

    private var cache: [UUID: Snapshot] = [:]
    private var cachedAt: [UUID: Date] = [:]
    private var inFlight: [UUID: Task<Snapshot, any Error>] = [:]
    private let ffmpeg: String

    init(ffmpeg: String = "ffmpeg") { self.ffmpeg = ffmpeg }

    func snapshot(of camera: Camera, live: LiveHub, store: Store, segments: ClusterSegments? = nil) async throws -> Snapshot {
        if let picture = cache[camera.id], let at = cachedAt[camera.id], Date().timeIntervalSince(at) < Self.freshFor { return picture }
        if let running = inFlight[camera.id] { return try await running.value }
        let ffmpeg = self.ffmpeg
        let task = Task { try await Self.take(camera, live: live, store: store, segments: segments, ffmpeg: ffmpeg) }
        inFlight[camera.id] = task
        defer { inFlight[camera.id] = nil }
        let picture = try await task.value
        cache[camera.id] = picture
        cachedAt[camera.id] = Date()
        return picture
    }

    private static func take(_ camera: Camera, live: LiveHub, store: Store, segments: ClusterSegments?, ffmpeg: String) async throws -> Snapshot {
        if let channel = await live.channel(for: camera.id) {
            let deadline = ContinuousClock.now + .seconds(4)
            while ContinuousClock.now < deadline {
                if let latest = await channel.latestKeyframe {
                    let bytes = latest.initialization.bytes + latest.fragment.bytes
                    return Snapshot(bytes: try await decode(bytes, ffmpeg: ffmpeg), takenAt: latest.fragment.wallClock)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let latest = try await store.segments.latest(cameraID: camera.id, stream: "main") else {
            throw Problem(.notFound, "camera \"\(camera.name)\" has no live picture and nothing recorded")
        }
        // The newest segment may have just been opened (no complete fragment yet): then the one before it.
        var candidates = [latest]
        if let previous = try await store.segments.list(
            cameraID: camera.id, stream: "main", from: latest.start.addingTimeInterval(-3600), until: latest.start
        ).last(where: { $0.id != latest.id }) {
            candidates.append(previous)
        }
        var chunk: PlaybackChunk?
        var failure: (any Error)?
        for var segment in candidates where chunk == nil {
            // Recorded on another cluster node: the segment is fetched from there.
            if let segments { segment = try await segments.readable(segment) }
            let at = max(segment.start, segment.end.addingTimeInterval(-1))
            do {
                chunk = try PlaybackChunker().chunk(
                    of: [segment.recordedSegment], from: at, until: at.addingTimeInterval(0.01), origin: segment.start.addingTimeInterval(-10))
            } catch {
                failure = error
            }
        }
        guard let chunk else {
            throw Problem(.notFound, "camera \"\(camera.name)\" has no live picture, and its last recording cannot be read: \(failure.map { "\($0)" } ?? "")")
        }
        return Snapshot(bytes: try await decode(chunk.bytes, ffmpeg: ffmpeg), takenAt: chunk.firstFrame)
    }

    /// Decodes the first picture of an MP4 byte stream to JPEG with ffmpeg (off the event loops).
    static func decode(_ mp4: [UInt8], ffmpeg: String) async throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-snapshot-\(UUID().uuidString).mp4")
        try Data(mp4).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        return try await NIOThreadPool.singleton.runIfActive {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                ffmpeg, "-nostdin", "-loglevel", "error", "-i", input.path, "-frames:v", "1", "-vf", "scale='min(640,iw)':-2", "-q:v", "5",
                "-f", "image2", "-c:v", "mjpeg", "pipe:1",
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, data.count > 2, data.first == 0xFF else {
                throw Problem(.serviceUnavailable, "the picture could not be decoded (ffmpeg exit \(process.terminationStatus)); is ffmpeg installed?")
            }
            return Array(data)
        }
    }
}
