import Crypto
import Foundation
import Logging
import NIOPosix
import RTCCMedia
import RTCCStore

/// Moves sealed segments older than a number of days from the recordings folder to the archive folder (a second
/// volume, a NAS), keeping their place below the folder. Each file is copied, flushed to disk and checked against its
/// recorded SHA-256 before the index names the copy, and only then is the original deleted: a crash at any step leaves
/// the footage readable where the index says it is. Playback, export, retention and holds work on archived segments
/// as on any other (the index row keeps every field); the disk quota and the recordings volume's free space count only
/// what is still in the recordings folder.
public struct SegmentArchiver: Sendable {
    /// What one pass moved.
    public struct Report: Sendable, Equatable {
        /// Segments moved.
        public var segments = 0
        /// Bytes moved.
        public var bytes: Int64 = 0
        /// Segments left where they were: their copy did not match their SHA-256, or could not be written.
        public var failed = 0

        /// Creates a report.
        public init(segments: Int = 0, bytes: Int64 = 0, failed: Int = 0) {
            self.segments = segments
            self.bytes = bytes
            self.failed = failed
        }
    }

    /// A segment that could not be archived, and why.
    public struct Refusal: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    let store: Store
    /// The recordings folders (one per volume) segments are moved from.
    let recordings: [URL]
    /// The archive folder they are moved to.
    let archive: URL
    /// Sealed segments that ended this many days ago or more are moved.
    let afterDays: Int
    /// Permissions of archived files (owner-only unless a group may read recordings).
    let filePermissions: Int
    let logger: Logger
    /// In a cluster, this node's name: it moves only the segments it recorded (the files on its own disk).
    public var node: String?

    /// Creates an archiver from the `recordings` folders to `archive` for segments `afterDays` old.
    public init(store: Store, recordings: [URL], archive: URL, afterDays: Int, filePermissions: Int = 0o600, logger: Logger) {
        self.store = store
        self.recordings = recordings.map(\.standardizedFileURL)
        self.archive = archive.standardizedFileURL
        self.afterDays = afterDays
        self.filePermissions = filePermissions
        self.logger = logger
    }

    /// Moves every segment due, oldest first, up to `limit` per pass.
    public func archive(now: Date = Date(), limit: Int = 500) async throws -> Report {
        var report = Report()
        let cutoff = now.addingTimeInterval(-Double(afterDays) * 86_400)
        for segment in try await store.segments.archivable(before: cutoff, limit: limit, node: node) {
            do {
                if try await move(segment) {
                    report.segments += 1
                    report.bytes += segment.bytes
                }
            } catch {
                report.failed += 1
                logger.error(
                    "segment not archived; it stays in the recordings folder",
                    metadata: ["segment": "\(segment.id)", "path": "\(segment.path)", "error": "\(error)"])
            }
        }
        if report.segments > 0 || report.failed > 0 {
            logger.info("archive: moved \(report.segments) segments, \(report.bytes) bytes; \(report.failed) left in place")
        }
        return report
    }

    /// Copies, checks, re-points the index, then deletes the original; false when the row changed meanwhile.
    private func move(_ segment: SegmentRecord) async throws -> Bool {
        let source = URL(fileURLWithPath: segment.path).standardizedFileURL
        // The same place below the archive as below its recordings folder (camera/day/segment.mp4).
        let folders = recordings.map { $0.path.hasSuffix("/") ? $0.path : $0.path + "/" }
        guard let root = folders.first(where: { source.path.hasPrefix($0) }) else {
            throw Refusal(description: "the file is not below a recordings folder (\(recordings.map(\.path).joined(separator: ", ")))")
        }
        guard let expected = segment.sha256 else { throw Refusal(description: "the segment is not sealed") }
        let target = archive.appendingPathComponent(String(source.path.dropFirst(root.count)))
        let permissions = filePermissions
        try await NIOThreadPool.singleton.runIfActive {
            try Self.copy(source, to: target, expecting: expected, permissions: permissions)
        }
        guard try await store.segments.markArchived(id: segment.id, from: segment.path, to: target.path) else {
            // Deleted (retention) or changed meanwhile: the copy is not referenced; remove it.
            try? FileManager.default.removeItem(at: target)
            return false
        }
        try await NIOThreadPool.singleton.runIfActive {
            do {
                try FileManager.default.removeItem(at: source)
            } catch CocoaError.fileNoSuchFile {}
        }
        return true
    }

    /// Writes `source` to `target` through a temporary file that is flushed and renamed only once its SHA-256 matches.
    static func copy(_ source: URL, to target: URL, expecting expected: String, permissions: Int) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let partial = target.appendingPathExtension("part")
        try? manager.removeItem(at: partial)
        guard manager.createFile(atPath: partial.path, contents: nil, attributes: [.posixPermissions: permissions]) else {
            throw Refusal(description: "cannot create \(partial.path) in the archive folder")
        }
        var hash = SHA256()
        do {
            let input = try FileHandle(forReadingFrom: source)
            defer { try? input.close() }
            let output = try FileHandle(forWritingTo: partial)
            defer { try? output.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                hash.update(data: chunk)
                try output.write(contentsOf: chunk)
            }
            try output.synchronize()
        } catch {
            try? manager.removeItem(at: partial)
            throw error
        }
        let actual = SegmentHash.hex(hash.finalize())
        guard actual == expected.lowercased() else {
            try? manager.removeItem(at: partial)
            throw Refusal(description: "the file's SHA-256 \(actual) is not the recorded \(expected): the recording may be damaged; left in place")
        }
        // The copy keeps the original's last change: `rtcc recordings reindex` dates a file by it.
        if let modified = try manager.attributesOfItem(atPath: source.path)[.modificationDate] as? Date {
            try manager.setAttributes([.modificationDate: modified], ofItemAtPath: partial.path)
        }
        if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
        try manager.moveItem(at: partial, to: target)
    }
}
