import Foundation
import Logging
import RTCCCore
import RTCCStore
import ServiceLifecycle

/// Deletes recordings past each camera's retention days (or its owner's shorter agreed retention), then the oldest
/// recordings while the disk quota is exceeded or the recordings volume has less free space than its margin — one
/// segment at a time, just enough, never a segment under an active hold and never one still being written. Footage an alert bookmarked on a city (non-partner) camera outlives the camera's retention: for
/// `bookmarkKeepDays` after the alert, or while the alert is linked to a case, unless it was dismissed. A partner's
/// camera keeps its owner's agreement; only an explicit hold keeps its footage longer. The disk quota ignores
/// bookmarks (holds are what protects footage from it). The index row goes first, then the file, so the index never promises footage that is gone; every
/// deletion is written to the `deletion_log` table.
public struct RetentionSweeper: Sendable {
    /// What one sweep removed.
    public struct Report: Sendable, Equatable {
        /// Segments deleted.
        public var segments = 0
        /// Bytes freed.
        public var bytes: Int64 = 0

        /// Creates a report.
        public init(segments: Int = 0, bytes: Int64 = 0) {
            self.segments = segments
            self.bytes = bytes
        }
    }

    let store: Store
    let quotaBytes: Int64?
    let bookmarkKeepDays: Int
    let logger: Logger
    /// The free bytes kept on each recordings volume.
    public struct FreeSpaceMargin: Sendable {
        /// The recordings folders, one per volume.
        public var volumes: [String]
        /// The free bytes kept on each.
        public var minimumFreeBytes: Int64

        /// A margin of `minimumFreeBytes` on each of `volumes`.
        public init(volumes: [String], minimumFreeBytes: Int64) {
            self.volumes = volumes
            self.minimumFreeBytes = minimumFreeBytes
        }
    }

    /// The recordings volumes watched for free space, and the free bytes kept on each; nil watches nothing.
    let freeSpace: FreeSpaceMargin?
    /// Reads a volume's free bytes (statvfs); replaceable in tests.
    let freeBytes: @Sendable (String) throws -> Int64
    /// In a cluster, this node's name: it deletes only the segments it recorded (the files on its own disk), and its
    /// quota counts only those. Nil for a single server.
    public var node: String?

    /// Creates a sweeper; `quotaBytes` nil means no quota; `freeSpace` keeps at least that many bytes free on each
    /// recordings volume.
    public init(
        store: Store, quotaBytes: Int64?, bookmarkKeepDays: Int = 90, freeSpace: FreeSpaceMargin? = nil,
        freeBytes: @escaping @Sendable (String) throws -> Int64 = VolumeSpace.freeBytes(at:), logger: Logger
    ) {
        self.store = store
        self.quotaBytes = quotaBytes
        self.bookmarkKeepDays = bookmarkKeepDays
        self.freeSpace = freeSpace
        self.freeBytes = freeBytes
        self.logger = logger
    }

    /// One pass over every camera and the quota.
    public func sweep(now: Date = Date()) async throws -> Report {
        var report = Report()
        let policies = try await store.community.retentionPolicies()
        for camera in try await store.cameras.all() {
            let days = Self.retentionDays(camera, policies: policies)
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            let bookmarksSince = camera.partnerID == nil ? now.addingTimeInterval(-Double(bookmarkKeepDays) * 86_400) : nil
            while true {
                let batch = try await store.segments.expired(cameraID: camera.id, before: cutoff, bookmarksRaisedSince: bookmarksSince, limit: 200, node: node)
                if batch.isEmpty { break }
                for segment in batch { try await remove(segment, reason: "retention \(days) days", now: now, into: &report) }
            }
        }
        report = try await keepWithinQuota(now: now, into: report)
        report = try await keepFreeSpace(now: now, into: report)
        if report.segments > 0 { logger.info("retention removed \(report.segments) segments, \(report.bytes) bytes") }
        return report
    }

    /// Deletes the oldest unheld footage, one segment at a time, only until the recordings are within the disk quota
    /// (cheap when they are: one sum). Run every few seconds, so the quota holds between full sweeps.
    public func keepWithinQuota(now: Date = Date(), into report: Report = Report()) async throws -> Report {
        guard let quotaBytes else { return report }
        var report = report
        var total = try await store.segments.totalBytes(node: node)
        quota: while total > quotaBytes {
            let batch = try await store.segments.oldestUnheld(limit: 50, node: node)
            if batch.isEmpty {
                logger.warning("disk quota exceeded but every remaining segment is held or still recording")
                break
            }
            for segment in batch {
                try await remove(segment, reason: "disk quota", now: now, into: &report)
                total -= segment.bytes
                if total <= quotaBytes { break quota }
            }
        }
        return report
    }

    /// Deletes the oldest unheld footage on each recordings volume, one segment at a time, until that volume has its
    /// margin of free space again (what fills it need not be ours: unindexed files, other programs). Cheap when there
    /// is room: one statvfs call per volume. A volume whose free space cannot be read throws (after the others were
    /// seen to): that is never taken as "room enough".
    public func keepFreeSpace(now: Date = Date(), into report: Report = Report()) async throws -> Report {
        guard let freeSpace else { return report }
        var report = report
        var unreadable: (any Error)?
        for volume in freeSpace.volumes {
            // Only segments on this volume free space on it; with one volume every segment is on it.
            let folder = freeSpace.volumes.count > 1 ? URL(fileURLWithPath: volume).standardizedFileURL.path + "/" : nil
            do {
                report = try await keepFreeSpace(on: volume, below: folder, margin: freeSpace.minimumFreeBytes, now: now, into: report)
            } catch let error as VolumeSpaceUnreadable {
                unreadable = error
            }
        }
        if let unreadable { throw unreadable }
        return report
    }

    private func keepFreeSpace(on volume: String, below folder: String?, margin: Int64, now: Date, into report: Report) async throws -> Report {
        var report = report
        var free = try freeBytes(volume)
        guard free < margin else { return report }
        logger.warning(
            "recordings volume low on space; deleting the oldest unheld footage",
            metadata: ["free": "\(free)", "margin": "\(margin)", "path": "\(volume)"])
        while free < margin {
            guard let oldest = try await store.segments.oldestUnheld(limit: 1, node: node, below: folder).first else {
                logger.error("recordings volume low on space but every remaining segment on it is held or still recording", metadata: ["path": "\(volume)"])
                break
            }
            try await remove(oldest, reason: "free space", now: now, into: &report)
            free = try freeBytes(volume)
        }
        return report
    }

    /// The days a camera's footage is kept: its own retention, or its owner's agreed retention when that is shorter.
    public static func retentionDays(_ camera: Camera, policies: [UUID: Int]) -> Int {
        guard let partner = camera.partnerID, let agreed = policies[partner] else { return camera.retentionDays }
        return min(camera.retentionDays, agreed)
    }

    private func remove(_ segment: SegmentRecord, reason: String, now: Date, into report: inout Report) async throws {
        try await store.segments.delete(id: segment.id)
        try await store.community.logDeletion(DeletionRecord(
            cameraID: segment.cameraID, segmentID: segment.id, startedAt: segment.start, endedAt: segment.end, bytes: segment.bytes, reason: reason,
            deletedAt: now))
        do {
            try FileManager.default.removeItem(atPath: segment.path)
        } catch CocoaError.fileNoSuchFile {
            logger.debug("segment file already gone", metadata: ["path": "\(segment.path)"])
        }
        report.segments += 1
        report.bytes += segment.bytes
    }
}

/// Runs the ``RetentionSweeper`` every `interval` until shutdown, and checks the disk quota and the recordings volume's
/// free space every `spaceInterval` in between, so footage is made room for before writes fail.
public struct RetentionService: Service {
    let sweeper: RetentionSweeper
    /// Moves old segments to the archive folder before each full sweep, when an archive folder is set.
    let archiver: SegmentArchiver?
    let interval: Duration
    let spaceInterval: Duration

    /// Creates the service.
    public init(sweeper: RetentionSweeper, archiver: SegmentArchiver? = nil, interval: Duration = .seconds(300), spaceInterval: Duration = .seconds(5)) {
        self.sweeper = sweeper
        self.archiver = archiver
        self.interval = interval
        self.spaceInterval = spaceInterval
    }

    /// Sweeps, then sleeps, until cancelled or shut down gracefully.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        let clock = ContinuousClock()
        var nextSweep = clock.now
        while !Task.isCancelled {
            do {
                if clock.now >= nextSweep {
                    nextSweep = clock.now + interval
                    if let archiver {
                        do {
                            _ = try await archiver.archive()
                        } catch {
                            sweeper.logger.error("archive pass failed", metadata: ["error": "\(String(reflecting: error))"])
                        }
                    }
                    _ = try await sweeper.sweep()
                } else {
                    _ = try await sweeper.keepWithinQuota()
                    _ = try await sweeper.keepFreeSpace()
                }
            } catch {
                sweeper.logger.error("retention sweep failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: min(spaceInterval, interval))
        }
    }
}

/// Free space of a volume, as statvfs reports it to an unprivileged writer.
public enum VolumeSpace {
    /// Bytes available at `path`'s volume to a process without root's reserve. Throws when the volume cannot be read.
    public static func freeBytes(at path: String) throws -> Int64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw VolumeSpaceUnreadable(path: path, errno: errno) }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}

/// statvfs failed for a recordings path.
public struct VolumeSpaceUnreadable: Error, CustomStringConvertible {
    /// The path asked about.
    public var path: String
    /// The error number.
    public var errno: Int32

    public var description: String { "the free space of \(path) cannot be read (\(String(cString: strerror(errno)))); check that the recordings folder exists" }
}
