import Foundation
import Hummingbird
import Logging
import Prometheus
import RTCCMedia
import RTCCCore
import RTCCStore

/// Health, metrics, the OpenAPI document and the administrator's system status.
struct SystemRoutes {
    let services: AppServices
    /// When this server started serving (its router was built).
    let startedAt = Date()

    func register(on router: Router<AppRequestContext>) {
        router.add(.health, health)
        router.add(.openAPI, openAPI)
        router.add(.metrics, metrics)
        router.add(.systemStatus, status)
        router.add(.nodes, nodes)
    }

    /// `GET /api/v1/nodes`: every recorder node registered in the shared database, alive or not, with the cameras it
    /// holds (``NodeList``). A server on SQLite is a single server: an empty list.
    @Sendable func nodes(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let config = services.config
        guard services.store.isPostgres else {
            return try Reply.json(NodeList(cluster: false, thisNode: nil, leaseSeconds: config.cluster.leaseSeconds, nodes: []))
        }
        let nodes = try await services.store.cluster.nodes(staleAfter: config.cluster.leaseSeconds)
        return try Reply.json(NodeList(
            cluster: config.cluster.isNode, thisNode: config.cluster.nodeName, leaseSeconds: config.cluster.leaseSeconds,
            nodes: nodes.map(NodeList.Node.init)))
    }

    /// `GET /api/v1/health`: 200 while the server is ok or degraded, 503 when it is down (``HealthReport``). Anyone may
    /// ask; an administrator also gets paths, camera ids and raw errors.
    @Sendable func health(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let detailed = identity?.permissions.contains(.usersWrite) == true
        let report = await HealthCheck(services: services).report(detailed: detailed, logger: context.logger)
        if let cameras = report.cameras { services.signIns.cameras.set(Double(cameras)) }
        return try Reply.json(report, status: report.status == .down ? .serviceUnavailable : .ok)
    }

    @Sendable func openAPI(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        Reply.text(try OpenAPIDocument.text(), contentType: "application/yaml")
    }

    /// `GET /api/v1/system/status`: version, database, recorder, every camera's link and uptime, and recordings storage.
    @Sendable func status(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let now = Date()
        let database = await databaseStatus(context)
        let healths = await services.recorders.allHealth()
        let cameras = try await cameraStatuses(healths: healths, now: now)
        let recorder = SystemStatus.Recorder(
            name: ProcessInfo.processInfo.hostName, cameras: healths.count,
            streaming: healths.values.filter { $0.state == .streaming || $0.state == .degraded }.count,
            failing: healths.values.filter { $0.state == .down || $0.state == .recordingFailed }.count)
        let storage = try await storageStatus(now: now, logger: context.logger)
        return try Reply.json(SystemStatus(
            version: RTCCVersion.current, startedAt: startedAt, database: database, recorders: [recorder], cameras: cameras, storage: [storage]))
    }

    private func databaseStatus(_ context: AppRequestContext) async -> SystemStatus.Database {
        let kind = services.store.isPostgres ? "postgresql" : "sqlite"
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try await services.store.cameras.count()
            let elapsed = clock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return SystemStatus.Database(kind: kind, ok: true, detail: "answered in \(String(format: "%.1f", milliseconds)) ms")
        } catch {
            context.logger.error("system status: the database did not answer", metadata: ["error": "\(String(reflecting: error))"])
            return SystemStatus.Database(kind: kind, ok: false, detail: "the database did not answer; the server log has the error")
        }
    }

    private func cameraStatuses(healths: [UUID: CameraHealth], now: Date) async throws -> [SystemStatus.Camera] {
        let day = DateInterval(start: now.addingTimeInterval(-86_400), end: now)
        let events = try await services.store.cameraEvents.availability(from: day.start, until: day.end)
        let blocked = try await services.store.community.blockedCameras()
        return try await services.store.cameras.all().sorted { $0.name < $1.name }.map { camera in
            let health = blocked.contains(camera.id) ? nil : healths[camera.id]
            let upNow = health.map { $0.state == .streaming || $0.state == .degraded || $0.state == .recordingFailed }
            let window = DateInterval(start: max(day.start, min(camera.createdAt, now)), end: now)
            return SystemStatus.Camera(
                id: camera.id, name: camera.name,
                state: blocked.contains(camera.id) ? "paused_by_owner" : health?.state.rawValue ?? "not_recorded",
                reason: health?.reason, bitrateKbps: (health?.bitrate ?? 0) / 1000, fps: health?.framesPerSecond ?? 0,
                lastFrameAt: health?.lastFrameAt,
                uptime24h: CameraUptime.fraction(of: window, events: events[camera.id] ?? [], upNow: upNow))
        }
    }

    private func storageStatus(now: Date, logger: Logger) async throws -> SystemStatus.Storage {
        let config = services.config
        let volumes = config.resolvedRecordingsDirectories
        let used = try await services.store.segments.totalBytes()
        let since = now.addingTimeInterval(-86_400)
        let rate = try await services.store.segments.recordingRate(since: since)
        // The rate over the last 24 hours, or over the time since recording began when that is shorter.
        let span = rate.oldestSegmentStart.map { now.timeIntervalSince(max(since, $0)) } ?? 0
        let bytesPerDay = span >= 60 && rate.bytes > 0 ? Int64((Double(rate.bytes) * 86_400 / span).rounded()) : 0
        var storage = SystemStatus.Storage(
            path: volumes.joined(separator: ":"), totalBytes: nil, freeBytes: nil, usedByRecordingsBytes: used, bytesPerDay: bytesPerDay,
            daysLeft: nil, problem: nil)
        // Several volumes add up; two folders on one file system count once.
        var total: Int64 = 0, free: Int64 = 0, room: Int64 = 0
        var seen = Set<UInt>()
        for path in volumes {
            var info = statvfs()
            guard statvfs(path, &info) == 0 else {
                let problem = VolumeSpaceUnreadable(path: path, errno: errno).description
                logger.error("system status: \(problem)")
                storage.problem = problem
                return storage
            }
            guard seen.insert(UInt(info.f_fsid)).inserted else { continue }
            let volumeFree = Int64(info.f_bavail) * Int64(info.f_frsize)
            total += Int64(info.f_blocks) * Int64(info.f_frsize)
            free += volumeFree
            // Footage is deleted once a volume keeps less than the minimum free space.
            room += max(0, volumeFree - config.recordingsMinimumFreeBytes)
        }
        storage.totalBytes = total
        storage.freeBytes = free
        // … or once the recordings pass the quota.
        if let quota = config.diskQuotaBytes { room = min(room, max(0, quota - used)) }
        if bytesPerDay > 0 { storage.daysLeft = Double(room) / Double(bytesPerDay) }
        return storage
    }

    @Sendable func metrics(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let cameras = try await services.store.cameras.count()
        services.signIns.cameras.set(Double(cameras))
        return Reply.text(services.metrics.emitToString(), contentType: "text/plain; version=0.0.4")
    }
}

/// The OpenAPI 3 document shipped with the server.
public enum OpenAPIDocument {
    /// The YAML text.
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources") ?? Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        else { throw Problem(.internalServerError, "the OpenAPI document is missing from this build") }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// The product version.
public enum RTCCVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}

/// What `GET /api/v1/system/status` answers: the administrator's view of the whole system.
struct SystemStatus: Codable {
    /// The database, and whether it answers.
    struct Database: Codable {
        /// `sqlite` or `postgresql`.
        var kind: String
        var ok: Bool
        /// How fast it answered, or why it did not (the error itself goes to the server log).
        var detail: String
    }

    /// A recorder: this server process, which records every camera.
    struct Recorder: Codable {
        /// The host it runs on.
        var name: String
        /// Cameras it has a link to.
        var cameras: Int
        /// Of those, how many deliver video (streaming or degraded).
        var streaming: Int
        /// Of those, how many are down or cannot write their recordings.
        var failing: Int
    }

    /// One camera's link and how much of the last 24 hours it was up.
    struct Camera: Codable {
        var id: UUID
        var name: String
        /// `connecting`, `streaming`, `degraded`, `down`, `recording_failed`, `not_recorded` or `paused_by_owner`.
        var state: String
        var reason: String?
        /// Video kilobits per second over the last few seconds.
        var bitrateKbps: Double
        var fps: Double
        var lastFrameAt: Date?
        /// Share (0…1) of the last 24 hours (or since the camera was added) with video arriving; null when unknown.
        var uptime24h: Double?
    }

    /// A recordings folder and its volume.
    struct Storage: Codable {
        var path: String
        /// The volume's size and the bytes free to the server (statvfs); null when the folder cannot be read.
        var totalBytes: Int64?
        var freeBytes: Int64?
        /// Bytes of the indexed recordings.
        var usedByRecordingsBytes: Int64
        /// Bytes recorded per day, from the segments of the last 24 hours (or since recording began, when later).
        var bytesPerDay: Int64
        /// Days until footage is deleted to make room (free space above the minimum kept, or the quota left, at
        /// `bytesPerDay`); null when nothing is being recorded.
        var daysLeft: Double?
        /// Why the volume could not be read, when it could not.
        var problem: String?
    }

    var version: String
    var startedAt: Date
    var database: Database
    var recorders: [Recorder]
    var cameras: [Camera]
    var storage: [Storage]
}
