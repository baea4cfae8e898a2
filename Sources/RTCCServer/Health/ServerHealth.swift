import Foundation
import Logging
import RTCCMedia
import RTCCStore

/// What `GET /api/v1/health` reads besides the store: the recording index queue and the recordings folders of the
/// background services (registered when they are built), and the shared database probe.
public actor ServerHealth {
    /// The recorders' queue to the database index; nil when this server does not record.
    private(set) var indexQueue: QueuedRecordingIndex?
    /// The recordings folders and the free space kept on each one's volume.
    private(set) var recordingsFolders: [String] = []
    /// The recordings volumes, when this server records: which are set aside after failed writes, and their cameras.
    private(set) var volumes: RecordingVolumes?
    private var probe: DatabaseProbe?
    private var databaseFailing = false

    /// Nothing watched yet.
    public init() {}

    /// Reports on `indexQueue` and on `recordingsFolders` from now on.
    public func watch(indexQueue: QueuedRecordingIndex, recordingsFolders: [String], volumes: RecordingVolumes? = nil) {
        self.indexQueue = indexQueue
        self.recordingsFolders = recordingsFolders
        self.volumes = volumes
    }

    /// Probes the database with `probe` instead of the default (a count of cameras with a 2 s timeout).
    public func probeDatabase(with probe: DatabaseProbe) { self.probe = probe }

    /// Notes whether the database answered; true when that changed since the last check (so each outage is logged
    /// once, not at every poll of a load balancer).
    func noteDatabase(answered: Bool) -> Bool {
        defer { databaseFailing = !answered }
        return databaseFailing == answered
    }

    /// The probe in use, made from `store` the first time.
    func databaseProbe(store: Store) -> DatabaseProbe {
        if let probe { return probe }
        let made = DatabaseProbe(timeout: .seconds(2)) { try await store.cameras.count() }
        probe = made
        return made
    }
}

/// Builds a ``HealthReport`` from the services: cheap enough for a load balancer to call every few seconds (one
/// shared database query, one statvfs and one access check per folder, and in-memory state).
struct HealthCheck {
    let services: AppServices
    /// Reads a volume's free bytes (statvfs); replaceable in tests.
    var freeBytes: @Sendable (String) throws -> Int64 = VolumeSpace.freeBytes(at:)
    /// A queued report waiting longer than this makes the index queue degraded.
    static let pendingTolerance: TimeInterval = 10

    /// The report; `detailed` adds paths, camera ids and raw errors (for administrators).
    func report(detailed: Bool, logger: Logger, now: Date = Date()) async -> HealthReport {
        let probe = await services.health.databaseProbe(store: services.store)
        let outcome = await probe.check()
        var answered = false
        if case .answered = outcome { answered = true }
        let changed = await services.health.noteDatabase(answered: answered)
        let (database, cameras) = databaseHealth(outcome, logger: changed ? logger : nil)
        let volumes = await services.health.volumes?.volumes() ?? []
        let storage = await services.health.recordingsFolders.map { path in
            storageHealth(path, volume: volumes.count > 1 ? volumes.first { $0.root.path == URL(fileURLWithPath: path).standardizedFileURL.path } : nil, detailed: detailed)
        }
        var queue: HealthReport.IndexQueue?
        if let index = await services.health.indexQueue { queue = await indexQueueHealth(index, detailed: detailed, now: now) }
        let recorders = recordersHealth(await services.recorders.allHealth(), detailed: detailed)
        return HealthReport(
            status: HealthReport.overall(database: database, storage: storage, indexQueue: queue, recorders: recorders),
            version: RTCCVersion.current, cameras: cameras, database: database, storage: storage, indexQueue: queue, recorders: recorders)
    }

    /// The database's component; `logger` (nil while the state is unchanged) gets the error or the recovery.
    private func databaseHealth(_ outcome: DatabaseProbe.Outcome, logger: Logger?) -> (HealthReport.Database, Int?) {
        var database = HealthReport.Database(status: .ok, kind: services.store.isPostgres ? "postgresql" : "sqlite")
        switch outcome {
        case .answered(let cameras, let latency):
            database.latencyMilliseconds = (Self.seconds(latency) * 10_000).rounded() / 10
            logger?.notice("health: the database answers again")
            return (database, cameras)
        case .failed(let error):
            logger?.error("health: the database query failed", metadata: ["error": "\(error)"])
            database.status = .down
            database.reason = "the database query failed; the server log has the error"
        case .noAnswer(let waited):
            logger?.error("health: the database has not answered", metadata: ["waited": "\(waited)"])
            database.status = .down
            database.reason = "the database has not answered for \(String(format: "%.1f", Self.seconds(waited))) s"
        }
        return (database, nil)
    }

    /// One folder's component; `volume` is its state among several recordings volumes.
    private func storageHealth(_ path: String, volume: RecordingVolumes.Volume?, detailed: Bool) -> HealthReport.Storage {
        let minimum = services.config.recordingsMinimumFreeBytes
        let writable = access(path, W_OK) == 0
        let failure = errno
        var storage = HealthReport.Storage(status: .ok, path: detailed ? path : nil, minimumFreeBytes: minimum, writable: writable)
        storage.cameras = volume?.cameras
        if !writable {
            storage.status = .down
            storage.reason = volume == nil
                ? "the recordings folder cannot be written (\(String(cString: strerror(failure)))); recording stops"
                : "the recordings folder cannot be written (\(String(cString: strerror(failure)))); its cameras record on the other volumes"
        } else if let failed = volume?.failure {
            storage.status = .degraded
            storage.reason = "writing failed here (\(detailed ? failed : "see the server log")); its cameras moved to the other volumes"
        }
        do {
            let free = try freeBytes(path)
            storage.freeBytes = free
            if storage.status == .ok, minimum > 0, free < minimum {
                storage.status = .degraded
                storage.reason = "free space is below the minimum kept; the oldest unheld footage is being deleted to make room"
            }
        } catch {
            storage.status = .down
            storage.reason = storage.reason ?? "the volume's free space cannot be read; check that the recordings folder exists"
        }
        return storage
    }

    private func indexQueueHealth(_ index: QueuedRecordingIndex, detailed: Bool, now: Date) async -> HealthReport.IndexQueue {
        let oldest = await index.oldestPendingSince.map { max(0, now.timeIntervalSince($0)) }
        var queue = HealthReport.IndexQueue(
            status: .ok, pending: await index.backlog, oldestPendingSeconds: oldest.map { ($0 * 10).rounded() / 10 },
            unavailableSince: await index.unavailableSince, lastError: detailed ? await index.lastError : nil)
        if queue.unavailableSince != nil {
            queue.status = .degraded
            queue.reason = "the database refuses segment reports; they are journaled beside the recordings and retried"
        } else if let oldest, oldest > Self.pendingTolerance {
            queue.status = .degraded
            queue.reason = "segment reports have waited \(Int(oldest)) s for the database; they are journaled beside the recordings and retried"
        }
        return queue
    }

    private func recordersHealth(_ healths: [UUID: CameraHealth], detailed: Bool) -> HealthReport.Recorders {
        let failed = healths.filter { $0.value.state == .recordingFailed }.keys.sorted { $0.uuidString < $1.uuidString }
        var recorders = HealthReport.Recorders(
            status: failed.isEmpty ? .ok : .degraded, cameras: healths.count,
            streaming: healths.values.filter { $0.state == .streaming || $0.state == .degraded }.count, recordingFailed: failed.count,
            recordingFailedCameras: detailed ? failed : nil)
        if !failed.isEmpty { recorders.reason = "\(failed.count) camera(s) deliver video that cannot be written" }
        return recorders
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
