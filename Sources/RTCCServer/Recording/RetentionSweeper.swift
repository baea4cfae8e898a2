import Foundation
import Logging
import RTCCCore
import RTCCStore
import ServiceLifecycle

/// Deletes recordings past each camera's retention days, then the oldest recordings while the disk quota is
/// exceeded — never a segment under an active hold and never one still being written. The index row goes first,
/// then the file, so the index never promises footage that is gone.
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
    let logger: Logger

    /// Creates a sweeper; `quotaBytes` nil means no quota.
    public init(store: Store, quotaBytes: Int64?, logger: Logger) {
        self.store = store
        self.quotaBytes = quotaBytes
        self.logger = logger
    }

    /// One pass over every camera and the quota.
    public func sweep(now: Date = Date()) async throws -> Report {
        var report = Report()
        for camera in try await store.cameras.all() {
            let cutoff = now.addingTimeInterval(-Double(camera.retentionDays) * 86_400)
            while true {
                let batch = try await store.segments.expired(cameraID: camera.id, before: cutoff, limit: 200)
                if batch.isEmpty { break }
                for segment in batch { try await remove(segment, into: &report) }
            }
        }
        if let quotaBytes {
            while try await store.segments.totalBytes() > quotaBytes {
                let batch = try await store.segments.oldestUnheld(limit: 50)
                if batch.isEmpty {
                    logger.warning("disk quota exceeded but every remaining segment is held or still recording")
                    break
                }
                for segment in batch { try await remove(segment, into: &report) }
            }
        }
        if report.segments > 0 { logger.info("retention removed \(report.segments) segments, \(report.bytes) bytes") }
        return report
    }

    private func remove(_ segment: SegmentRecord, into report: inout Report) async throws {
        try await store.segments.delete(id: segment.id)
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
        try await cancelWhenGracefulShutdown { await loop() }
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
