import Foundation
import RTCCCore
import Logging
import RTCCMedia
import RTCCStore

/// Rebuilds the recording index from the segment files after a lost or restored database.
///
/// Segment files live at `<recordings>/<camera id>/<day>/<segment id>.mp4`, in each recordings folder (one per volume)
/// and the archive folder (whose files are indexed as archived). Every file whose segment has no row is read
/// (frames, media duration, codec) and hashed; a fragment torn by a crash is cut off first, as at start-up. A file's
/// wall-clock end is its modification time (the recorder writes and fsyncs each fragment as it completes, so this is
/// the end of the last fragment to within one fragment) and its start is that end minus its media duration. In-segment
/// gaps are not in the file and are not restored. Files of cameras the registry does not know are listed, not indexed.
public struct RecordingReindexer: Sendable {
    /// What one run found and did.
    public struct Report: Sendable, Codable, Equatable {
        /// Segment files found.
        public var files = 0
        /// Files already in the index.
        public var alreadyIndexed = 0
        /// Files indexed by this run (or that would be, in a dry run).
        public var indexed = 0
        /// Files of cameras the registry does not know, by camera id.
        public var unknownCameras: [String: Int] = [:]
        /// Second copies of a segment already found in another folder, left out.
        public var duplicates: [String] = []
        /// Files that could not be read, with the reason.
        public var unreadable: [String: String] = [:]
    }

    let store: Store
    /// The folders walked, and whether each is the archive folder.
    let folders: [(root: URL, archived: Bool)]
    let logger: Logger

    /// A reindexer for the recordings under `root`.
    public init(store: Store, root: URL, logger: Logger) {
        self.init(store: store, recordings: [root], archive: nil, logger: logger)
    }

    /// A reindexer for the recordings under every folder of `recordings` and under `archive`.
    public init(store: Store, recordings: [URL], archive: URL?, logger: Logger) {
        self.store = store
        folders = recordings.map { ($0, false) } + (archive.map { [($0, true)] } ?? [])
        self.logger = logger
    }

    /// Walks the recordings and indexes every unindexed segment file of a known camera; `dryRun` only reports.
    public func run(dryRun: Bool = false) async throws -> Report {
        var report = Report()
        let cameras = Set(try await store.cameras.all().map(\.id))
        var candidates: [(camera: UUID, segment: UUID, path: String, archived: Bool)] = []
        let manager = FileManager.default
        for (root, archived) in folders {
            for cameraFolder in try manager.contentsOfDirectory(atPath: root.path).sorted() {
                guard let camera = UUID(uuidString: cameraFolder) else { continue }
                let cameraURL = root.appendingPathComponent(cameraFolder, isDirectory: true)
                var isFolder: ObjCBool = false
                guard manager.fileExists(atPath: cameraURL.path, isDirectory: &isFolder), isFolder.boolValue else { continue }
                for day in try manager.contentsOfDirectory(atPath: cameraURL.path).sorted() {
                    let dayURL = cameraURL.appendingPathComponent(day, isDirectory: true)
                    guard manager.fileExists(atPath: dayURL.path, isDirectory: &isFolder), isFolder.boolValue else { continue }
                    for name in try manager.contentsOfDirectory(atPath: dayURL.path).sorted() where name.hasSuffix(".mp4") {
                        guard let segment = UUID(uuidString: String(name.dropLast(4))) else { continue }
                        candidates.append((camera, segment, dayURL.appendingPathComponent(name).path, archived))
                    }
                }
            }
        }
        report.files = candidates.count
        let indexed = try await store.segments.existingIDs(candidates.map(\.segment))
        var seen = Set<UUID>()
        for candidate in candidates {
            // A file both in a recordings folder and in the archive (an archive pass stopped between its copy and the
            // delete) is indexed once, where it was found first: the recordings folder.
            guard seen.insert(candidate.segment).inserted else {
                report.duplicates.append(candidate.path)
                continue
            }
            if indexed.contains(candidate.segment) {
                report.alreadyIndexed += 1
                continue
            }
            guard cameras.contains(candidate.camera) else {
                report.unknownCameras[candidate.camera.uuidString.lowercased(), default: 0] += 1
                continue
            }
            do {
                var record = try Self.record(for: candidate.segment, camera: candidate.camera, at: candidate.path, repair: !dryRun)
                record.archived = candidate.archived
                if !dryRun { try await store.segments.upsert(record) }
                report.indexed += 1
            } catch {
                report.unreadable[candidate.path] = "\(error)"
            }
        }
        logger.notice(
            "recordings reindexed",
            metadata: ["files": "\(report.files)", "indexed": "\(report.indexed)", "dryRun": "\(dryRun)", "unreadable": "\(report.unreadable.count)"])
        return report
    }

    /// The index row of one segment file, read and hashed from the file (a torn last fragment cut off when `repair`).
    static func record(for id: UUID, camera: UUID, at path: String, repair: Bool) throws -> SegmentRecord {
        var summary = try SegmentFileSummary.read(fileAt: path)
        guard summary.frames > 0 else { throw SegmentFileError.noCompleteFragment(path: path) }
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date ?? Date()
        if summary.fileBytes > summary.completeBytes, repair {
            _ = try SegmentRecovery.repair(fileAt: path)
            summary = try SegmentFileSummary.read(fileAt: path)
        }
        let sha256 = try SegmentHash.sha256(ofFileAt: path)
        return SegmentRecord(
            id: id, cameraID: camera, stream: "main", path: path, start: modified.addingTimeInterval(-summary.mediaDuration), end: modified,
            bytes: summary.completeBytes, frames: summary.frames, gaps: [], codec: summary.codec, sha256: sha256)
    }
}
