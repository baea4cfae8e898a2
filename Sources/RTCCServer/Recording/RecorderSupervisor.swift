import Foundation
import Logging
import Prometheus
import RTCCCore
import RTCCMedia
import RTCCStore
import ServiceLifecycle

/// Records every camera that shares 24/7 (`live` tier, a main stream URL, and for temporary cameras an active window
/// that covers now), and every "live during alarms" camera while an alarm is open: one ``CameraRecorder`` per camera, started, stopped and restarted as the registry changes.
/// At start it repairs and seals segments a crash left open, so the index matches the files. Cameras whose owner paused
/// or revoked sharing are not recorded; ``AppServices/registryChanges`` wakes it at once when that happens.
public struct RecorderSupervisor: Service {
    /// Recording settings.
    public struct Settings: Sendable {
        /// Where segment files go.
        public var root: URL
        /// Segment length.
        public var segmentDuration: Duration = .seconds(60)
        /// No frame for this long raises an offline event.
        public var offlineAfter: Duration = .seconds(10)
        /// RTP transport.
        public var transport: RTSPTransportPreference = .tcp
        /// How often the camera list is re-read.
        public var refreshInterval: Duration = .seconds(15)
        /// Delays between reconnection attempts: short, so a camera that comes back is recording again within ~2 s.
        public var backoff = ReconnectBackoff(initial: .milliseconds(250), maximum: .milliseconds(500))

        /// Creates settings with defaults.
        public init(root: URL) { self.root = root }
    }

    let services: AppServices
    let settings: Settings
    let logger: Logger

    /// Creates the supervisor.
    public init(services: AppServices, settings: Settings, logger: Logger) {
        self.services = services
        self.settings = settings
        self.logger = logger
    }

    /// Repairs open segments, then keeps one recorder running per recordable camera until shutdown.
    public func run() async throws {
        try await recoverOpenSegments()
        // Cancellation reaches the recorders through the task group; each seals its open segment.
        try await cancelWhenGracefulShutdown {
            try await supervise()
        }
    }

    /// Seals, after repair, every segment whose writer died before sealing it. Missing files lose their index row.
    public func recoverOpenSegments() async throws {
        for segment in try await services.store.segments.unsealed() {
            do {
                let repaired = try SegmentRecovery.recover(segment.recordedSegment)
                try await DatabaseRecordingIndex(store: services.store).sealed(repaired)
                logger.info("recovered open segment", metadata: ["segment": "\(segment.id)", "frames": "\(repaired.frames)"])
            } catch {
                try await services.store.segments.delete(id: segment.id)
                logger.warning("dropped unrecoverable segment", metadata: ["segment": "\(segment.id)", "error": "\(error)"])
            }
        }
    }

    /// A camera to record, with the URL to connect to (credentials included).
    public struct Target: Sendable, Equatable {
        /// The camera.
        public var cameraID: UUID
        /// Its name.
        public var name: String
        /// The main stream URL with credentials.
        public var url: String
    }

    /// The cameras to record now: `live` sharing (or "live during alarms" with an alarm open at `now`) not paused or
    /// revoked by the owner, a main stream URL, and an active window (if any) covering `now`.
    public func targets(now: Date = Date()) async throws -> [UUID: Target] {
        var targets: [UUID: Target] = [:]
        let blocked = try await services.store.community.blockedCameras()
        let alarms = try await services.store.community.alarms(at: now)
        for camera in try await services.store.cameras.all() where Self.shared(camera, alarms: alarms) && !blocked.contains(camera.id) {
            guard let address = camera.mainStreamURL else { continue }
            if let window = camera.activeWindow, !(window.from...window.until).contains(now) { continue }
            var credentials: StreamCredentials?
            if let sealed = try await services.store.cameras.sealedSecrets(id: camera.id) {
                credentials = try? services.cipher.open(CameraSecrets.self, from: sealed).main
            }
            targets[camera.id] = Target(cameraID: camera.id, name: camera.name, url: StreamURL.withCredentials(address, credentials))
        }
        return targets
    }

    /// The next moment after `now` at which a recordable camera's active window opens or closes, so a temporary
    /// camera starts and stops recording on time rather than at the next registry refresh.
    public func nextWindowBoundary(after now: Date = Date()) async throws -> Date? {
        var next: Date?
        let alarms = try await services.store.community.alarms(at: now)
        for camera in try await services.store.cameras.all() where camera.mainStreamURL != nil {
            var edges: [Date] = []
            switch camera.sharing {
            case .alarmOnly:
                // An alarm's end stops the recording (and so the live view) on time.
                if let end = alarms[camera.id] { edges = [end.addingTimeInterval(0.001)] }
            case .live:
                if let window = camera.activeWindow { edges = [window.from, window.until.addingTimeInterval(0.001)] }
            default:
                break
            }
            for edge in edges where edge > now { next = min(next ?? edge, edge) }
        }
        return next
    }

    /// Whether a camera's owner shares its video now: always for `live`, during an open alarm for `alarm_only`.
    static func shared(_ camera: Camera, alarms: [UUID: Date]) -> Bool {
        camera.sharing == .live || (camera.sharing == .alarmOnly && alarms[camera.id] != nil)
    }

    /// How long to wait before re-reading the registry: `interval`, or less when a window opens or closes sooner.
    private func pause(before interval: Duration) async -> Duration {
        let now = Date()
        guard let boundary = try? await nextWindowBoundary(after: now) else { return interval }
        let untilBoundary = Duration.milliseconds(Int64((boundary.timeIntervalSince(now) * 1000).rounded(.up)) + 20)
        return min(interval, untilBoundary)
    }

    private func supervise() async throws {
        let wanted = WantedCameras()
        try await withThrowingDiscardingTaskGroup { group in
            var running: [UUID: Target] = [:]
            while !Task.isCancelled {
                let current = (try? await targets()) ?? running
                await wanted.set(current)
                for (id, target) in current where running[id] != target {
                    running[id] = target
                    group.addTask { await record(target, wanted: wanted) }
                }
                running = running.filter { current[$0.key] != nil }
                await services.registryChanges.wait(upTo: await pause(before: settings.refreshInterval))
                try Task.checkCancellation()
            }
        }
    }

    /// Runs one recorder until the camera is no longer wanted with the same settings, or until cancellation.
    private func record(_ target: Target, wanted: WantedCameras) async {
        let recorder = CameraRecorder(
            configuration: CameraRecorder.Configuration(
                url: target.url,
                segments: SegmentWriter.Configuration(root: settings.root, cameraID: target.cameraID, segmentDuration: settings.segmentDuration),
                transport: settings.transport, offlineAfter: settings.offlineAfter, backoff: settings.backoff),
            index: DatabaseRecordingIndex(store: services.store), logger: logger)
        await services.recorders.started(target.cameraID, recorder)
        let metrics = CameraMetrics(registry: services.metrics, cameraID: target.cameraID)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await recorder.run() }
            group.addTask { await follow(recorder, target: target, metrics: metrics) }
            group.addTask {
                while !Task.isCancelled, await wanted.contains(target) { try? await Task.sleep(for: .milliseconds(500)) }
            }
            await group.next()
            group.cancelAll()
        }
        if await wanted.target(for: target.cameraID) == nil { await services.recorders.stopped(target.cameraID) }
    }

    private func follow(_ recorder: CameraRecorder, target: Target, metrics: CameraMetrics) async {
        for await event in recorder.events {
            switch event {
            case .health(let health):
                await services.recorders.update(target.cameraID, health)
                metrics.update(health)
            case .offline(let lastFrameAt):
                let since = lastFrameAt.map { " since \($0.ISO8601Format())" } ?? ""
                await note(CameraEvent(cameraID: target.cameraID, at: Date(), kind: "offline", reason: "no video\(since)"))
                metrics.offline.set(1.0)
                await outage { try await $0.cameraOffline(target.cameraID, name: target.name, lastFrameAt: lastFrameAt) }
            case .online(let at):
                await note(CameraEvent(cameraID: target.cameraID, at: at, kind: "online", reason: "video is back"))
                metrics.offline.set(0.0)
                await outage { try await $0.cameraOnline(target.cameraID, at: at) }
            case .sessionStarted, .segmentSealed:
                break
            }
        }
    }

    /// Raises or clears a camera's outage alert; a failure is logged (the camera event is stored regardless).
    private func outage(_ change: (LeadDesk) async throws -> Void) async {
        do {
            try await change(LeadDesk(services: services))
        } catch {
            logger.error("could not update the camera's outage alert", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private func note(_ event: CameraEvent) async {
        do {
            try await services.store.cameraEvents.record(event)
        } catch {
            logger.error("could not store camera event", metadata: ["camera": "\(event.cameraID)", "error": "\(String(reflecting: error))"])
        }
    }
}

/// The cameras the supervisor currently wants recorded.
actor WantedCameras {
    private var targets: [UUID: RecorderSupervisor.Target] = [:]

    func set(_ targets: [UUID: RecorderSupervisor.Target]) { self.targets = targets }
    func contains(_ target: RecorderSupervisor.Target) -> Bool { targets[target.cameraID] == target }
    func target(for id: UUID) -> RecorderSupervisor.Target? { targets[id] }
}

/// Per-camera Prometheus gauges.
struct CameraMetrics: Sendable {
    let up: Gauge
    let offline: Gauge
    let fps: Gauge
    let bitrate: Gauge
    let reconnects: Gauge
    let packetsLost: Gauge
    let frames: Gauge

    init(registry: PrometheusCollectorRegistry, cameraID: UUID) {
        let labels = [("camera", cameraID.uuidString)]
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "rtcc", subsystem: "camera", metricName: name, unitName: "", helpText: help), labels: labels)
        }
        up = gauge("streaming", "1 while frames arrive (streaming or degraded)")
        offline = gauge("offline", "1 after no frame arrived for the offline threshold")
        fps = gauge("frames_per_second", "Frames per second over the last seconds")
        bitrate = gauge("bitrate_bps", "Video bits per second")
        reconnects = gauge("reconnects", "Sessions started after the first")
        packetsLost = gauge("packets_lost", "RTP packets lost since the recorder started")
        frames = gauge("frames_recorded", "Frames written since the recorder started")
    }

    func update(_ health: CameraHealth) {
        up.set(health.state == .streaming || health.state == .degraded ? 1.0 : 0.0)
        fps.set(health.framesPerSecond)
        bitrate.set(health.bitrate)
        reconnects.set(Double(health.reconnects))
        packetsLost.set(Double(health.packetsLost))
        frames.set(Double(health.framesRecorded))
    }
}
