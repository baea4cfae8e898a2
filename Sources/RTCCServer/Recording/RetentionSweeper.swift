import Foundation
import Logging
import RTCCCore
import RTCCStore
import ServiceLifecycle

/// Deletes recordings past each camera's retention days (or its owner's shorter agreed retention), then the oldest
/// recordings while the disk quota is exceeded — never a segment under an active hold and never one still being
/// written. Footage an alert bookmarked on a city (non-partner) camera outlives the camera's retention: for
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

    /// Creates a sweeper; `quotaBytes` nil means no quota.
    public init(store: Store, quotaBytes: Int64?, bookmarkKeepDays: Int = 90, logger: Logger) {
        self.store = store
        self.quotaBytes = quotaBytes
        self.bookmarkKeepDays = bookmarkKeepDays
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
                let batch = try await store.segments.expired(cameraID: camera.id, before: cutoff, bookmarksRaisedSince: bookmarksSince, limit: 200)
                if batch.isEmpty { break }
                for segment in batch { try await remove(segment, reason: "retention \(days) days", now: now, into: &report) }
            }
        }
        if let quotaBytes {
            while try await store.segments.totalBytes() > quotaBytes {
                let batch = try await store.segments.oldestUnheld(limit: 50)
                if batch.isEmpty {
                    logger.warning("disk quota exceeded but every remaining segment is held or still recording")
                    break
                }
                for segment in batch { try await remove(segment, reason: "disk quota", now: now, into: &report) }
            }
        }
        if report.segments > 0 { logger.info("retention removed \(report.segments) segments, \(report.bytes) bytes") }
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

/// Runs the ``RetentionSweeper`` every `interval` until shutdown.
public struct RetentionService: Service {
    let sweeper: RetentionSweeper
    let interval: Duration

    /// Creates the service.
    public init(sweeper: RetentionSweeper, interval: Duration = .seconds(300)) {
        self.sweeper = sweeper
        self.interval = interval
    }

    /// Sweeps, then sleeps, until cancelled or shut down gracefully.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        while !Task.isCancelled {
            do {
                _ = try await sweeper.sweep()
            } catch {
                sweeper.logger.error("retention sweep failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
