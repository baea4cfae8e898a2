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
        /// Where segment files go; the index journal is kept here.
        public var root: URL
        /// Further recordings folders on other volumes: cameras are spread over all of them by free space, and move
        /// off a volume whose writes fail (see ``RecordingVolumes``).
        public var moreRoots: [URL] = []
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
        /// Permissions and group of segment files and folders (0600/0700 by default).
        public var fileMode = RecordingFileMode.private

        /// Creates settings with defaults.
        public init(root: URL) { self.root = root }
    }

    let services: AppServices
    let settings: Settings
    let logger: Logger
    /// Every recorder reports its segments through this queue, so recording never waits on the database.
    let index: QueuedRecordingIndex
    /// In a cluster, this node's membership: only the cameras whose lease it holds are recorded, each under its
    /// lease's epoch. Nil for a single server, which records every recordable camera.
    let membership: ClusterMembership?
    /// The recordings volumes and which camera records to which.
    public let volumes: RecordingVolumes

    /// Creates the supervisor; with `membership`, a cluster node's.
    public init(services: AppServices, settings: Settings, logger: Logger, membership: ClusterMembership? = nil) {
        self.services = services
        self.settings = settings
        self.logger = logger
        self.membership = membership
        volumes = RecordingVolumes(roots: [settings.root] + settings.moreRoots, logger: logger)
        index = QueuedRecordingIndex(
            inner: DatabaseRecordingIndex(store: services.store), journal: settings.root.appendingPathComponent("index-journal.jsonl"),
            logger: logger)
    }

    /// Stores what the journal kept from the last run, repairs open segments, then keeps one recorder running per
    /// recordable camera until shutdown.
    public func run() async throws {
        // A node name already in use by a live node stops the start-up here, before anything is recorded.
        try await membership?.register()
        try await index.replayJournal()
        if await !index.storeQueued() {
            logger.error("the recording journal could not be stored in the index yet; it is retried while recording")
        }
        try await recoverOpenSegments()
        // Cancellation reaches the recorders through the task group; each seals its open segment.
        let index = index
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await index.run() }
            if let membership { group.addTask { await membership.run() } }
            let outcome: Result<Void, any Error>
            do {
                try await untilGracefulShutdown()
                outcome = .success(())
            } catch is CancellationError {
                // Shutdown: the normal end.
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            // The recorders have sealed their segments: store what is queued before the server stops. This runs in
            // its own task, which shutdown's cancellation does not reach.
            _ = await Task { await index.drain(within: .seconds(10)) }.value
            await index.finish()
            // Every recorder has stopped: the other nodes may take the cameras at once.
            if let membership { await Task { await membership.leave() }.value }
            group.cancelAll()
            try outcome.get()
        }
    }

    /// Supervises the recorders until a graceful shutdown; a cluster node first hands its cameras to the other nodes
    /// (make-before-break, for up to 20 s) while its recorders keep recording.
    private func untilGracefulShutdown() async throws {
        let membership = membership
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervise() }
            group.addTask {
                try await gracefulShutdown()
                if let membership { _ = await membership.handOverAll(within: .seconds(20)) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Seals, after repair, every segment whose writer died before sealing it. Missing files lose their index row.
    public func recoverOpenSegments() async throws {
        for segment in try await services.store.segments.unsealed(node: membership?.name) {
            do {
                let repaired = try SegmentRecovery.recover(segment.recordedSegment)
                try await DatabaseRecordingIndex(store: services.store).sealed(repaired)
                logger.info("recovered open segment", metadata: ["segment": "\(segment.id)", "frames": "\(repaired.frames)"])
            } catch let refused as RecordingReportRefused {
                // Another node took the camera before this segment's end: its row keeps what was stored before.
                logger.warning("open segment not sealed: fenced", metadata: ["segment": "\(segment.id)", "reason": "\(refused.reason)"])
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
        /// The main stream URL with credentials (user information and query credentials put back); never logged.
        public var url: String
        /// Whether Basic credentials may go to this camera over plain RTSP.
        public var allowsPlainBasicAuth = false
        /// In a cluster, the lease this node records the camera under (a new epoch restarts the recorder).
        public var fence: RecordingFence?
        /// Whether the camera is to be recorded by two cluster nodes at once.
        public var redundant = false

        /// Two targets are the same recording whatever their redundancy, which decides how many nodes record the
        /// camera, not how this node does: changing it restarts no recorder.
        public static func == (lhs: Target, rhs: Target) -> Bool {
            lhs.cameraID == rhs.cameraID && lhs.name == rhs.name && lhs.url == rhs.url && lhs.allowsPlainBasicAuth == rhs.allowsPlainBasicAuth
                && lhs.fence == rhs.fence
        }
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
                do {
                    credentials = try services.cipher.open(CameraSecrets.self, from: sealed).main
                } catch {
                    // Not recorded without its credentials (never tried bare): its health says why, at every refresh.
                    logger.error("camera not recorded: stored credentials cannot be opened", metadata: ["camera": "\(camera.id)", "error": "\(error)"])
                    await services.recorders.update(camera.id, CameraHealth(state: .down, reason: Self.credentialsUnreadable))
                    continue
                }
            }
            targets[camera.id] = Target(
                cameraID: camera.id, name: camera.name, url: StreamURL.withCredentials(address, credentials),
                allowsPlainBasicAuth: try await plainBasicAllowed(camera.id), redundant: camera.redundant)
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

    /// The health reason of a camera whose sealed credentials cannot be opened.
    /// How far a camera's clock may be off the server's before it is reported (the recorder's own tolerance: beyond it,
    /// footage is timed by the server's clock).
    static let clockTolerance: TimeInterval = WallClockMapper(clockRate: 90_000).tolerance

    static let credentialsUnreadable =
        "the camera's stored credentials cannot be decrypted (the credential key changed, or the record is damaged); not recorded. Enter its credentials again"

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
            // The last camera list read: while the database cannot be read, the recorders keep recording what they
            // record, and a cluster node keeps wanting every camera (not only its own, which would shrink its share
            // and make it offer cameras away once the database is back).
            var known: [UUID: Target] = [:]
            var unreadableSince: Date?
            while !Task.isCancelled {
                do {
                    known = try await targets()
                    if let since = unreadableSince {
                        logger.notice("the camera list can be read again", metadata: ["after": "\(Int(Date().timeIntervalSince(since))) s"])
                        unreadableSince = nil
                    }
                } catch {
                    if unreadableSince == nil {
                        unreadableSince = Date()
                        logger.error(
                            "the camera list cannot be read; the recorders keep recording what they record",
                            metadata: ["cameras": "\(running.count)", "error": "\(String(reflecting: error))"])
                    }
                }
                var current = known
                if let membership { current = await leased(current, membership: membership) }
                await wanted.set(current)
                for (id, target) in current where running[id] != target {
                    running[id] = target
                    // A new run of the camera: an earlier run (even of the same target, when the camera left and came
                    // back between two of its checks) sees it is no longer the current one and stops.
                    let run = await wanted.start(id)
                    group.addTask { await record(target, run: run, wanted: wanted) }
                }
                running = running.filter { current[$0.key] != nil }
                await waitForChange(upTo: await pause(before: settings.refreshInterval))
                try Task.checkCancellation()
            }
        }
    }

    /// Of `targets`, the cameras whose lease this node holds, each with its lease's fence; every recordable camera is
    /// offered to the membership for its next claim.
    private func leased(_ targets: [UUID: Target], membership: ClusterMembership) async -> [UUID: Target] {
        await membership.want(Set(targets.keys), redundant: Set(targets.values.filter(\.redundant).map(\.cameraID)))
        let fences = await membership.fences()
        var leased: [UUID: Target] = [:]
        for (id, fence) in fences {
            guard var target = targets[id] else { continue }
            target.fence = fence
            leased[id] = target
        }
        return leased
    }

    /// Returns after a registry change, a change of this node's leases, or `timeout`.
    private func waitForChange(upTo timeout: Duration) async {
        guard let membership else {
            await services.registryChanges.wait(upTo: timeout)
            return
        }
        let seen = await membership.changes.signalCount
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await services.registryChanges.wait(upTo: timeout) }
            group.addTask { _ = await membership.changes.wait(after: seen, upTo: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Whether the camera's owner allowed Basic credentials over plain RTSP; false when the secrets cannot be opened.
    private func plainBasicAllowed(_ cameraID: UUID) async throws -> Bool {
        guard let sealed = try await services.store.cameras.sealedSecrets(id: cameraID) else { return false }
        do {
            return try services.cipher.open(CameraSecrets.self, from: sealed).allowPlainBasicAuth == true
        } catch {
            return false
        }
    }

    /// Why the outbound policy refuses the camera's host now (every address it resolves to is checked), or nil.
    func outboundRefusal(_ target: Target) -> OutboundRefusal? {
        guard let host = URLComponents(string: target.url)?.host else { return OutboundRefusal(host: "?", reason: "the stream URL has no host") }
        do {
            _ = try services.config.outboundNetworks.check(host: host)
            return nil
        } catch {
            return error
        }
    }

    /// For a cluster node's live viewers: an ingest of `cameraID` that writes nothing (another node records it), when
    /// the camera may be watched now and its host is allowed; nil otherwise (logged).
    public func viewerIngest(for cameraID: UUID) async -> CameraRecorder? {
        let target: Target?
        do {
            target = try await targets()[cameraID]
        } catch {
            logger.error("live: the camera list could not be read; no viewer ingest", metadata: ["camera": "\(cameraID)", "error": "\(String(reflecting: error))"])
            return nil
        }
        guard let target, outboundRefusal(target) == nil else { return nil }
        var configuration = CameraRecorder.Configuration(
            url: target.url, segments: SegmentWriter.Configuration(root: settings.root, cameraID: cameraID, fileMode: settings.fileMode),
            transport: settings.transport, offlineAfter: settings.offlineAfter, backoff: settings.backoff)
        configuration.records = false
        configuration.allowsPlainBasicAuth = target.allowsPlainBasicAuth
        return CameraRecorder(configuration: configuration, index: DiscardingRecordingIndex(), logger: logger)
    }

    /// Runs one recorder until the camera is no longer wanted with the same settings, or until cancellation. A camera
    /// whose host the outbound policy refuses is not connected to: its health says why, and the check is repeated.
    private func record(_ target: Target, run: Int, wanted: WantedCameras) async {
        while let refusal = outboundRefusal(target) {
            logger.error("camera not connected: outbound policy", metadata: ["camera": "\(target.cameraID)", "error": "\(refusal)"])
            await services.recorders.update(target.cameraID, CameraHealth(state: .down, reason: "\(refusal)"))
            try? await Task.sleep(for: settings.refreshInterval)
            guard !Task.isCancelled, await wanted.contains(target, run: run) else {
                if await wanted.target(for: target.cameraID) == nil { await services.recorders.stopped(target.cameraID) }
                return
            }
        }
        // A camera whose volume fails moves to another volume: a new recorder there, until the camera is no longer
        // wanted (or no other volume is usable, when the recorder keeps retrying where it is).
        var root = await volumes.volume(for: target.cameraID)
        var movedAfter: (at: Date, framesPerSecond: Double)?
        while true {
            var configuration = CameraRecorder.Configuration(
                url: target.url,
                segments: SegmentWriter.Configuration(
                    root: root, cameraID: target.cameraID, segmentDuration: settings.segmentDuration, fileMode: settings.fileMode),
                transport: settings.transport, offlineAfter: settings.offlineAfter, backoff: settings.backoff)
            configuration.segments.fence = target.fence
            configuration.allowsPlainBasicAuth = target.allowsPlainBasicAuth
            let recorder = CameraRecorder(configuration: configuration, index: index, logger: logger)
            await services.recorders.started(target.cameraID, recorder)
            let metrics = CameraMetrics(registry: services.metrics, cameraID: target.cameraID)
            let volume = root, failedBefore = movedAfter
            let outcome = await withTaskGroup(of: RecorderEnd.self) { group in
                group.addTask { await recorder.run(); return .stopped }
                group.addTask { await follow(recorder, target: target, metrics: metrics, volume: volume, movedAfter: failedBefore) }
                group.addTask {
                    while !Task.isCancelled, await wanted.contains(target, run: run) { try? await Task.sleep(for: .milliseconds(500)) }
                    return .stopped
                }
                let first = await group.next() ?? .stopped
                group.cancelAll()
                return first
            }
            guard case .move(let next, let failedAt, let fps) = outcome, !Task.isCancelled, await wanted.contains(target, run: run) else { break }
            root = next
            movedAfter = movedAfter ?? (failedAt, fps)
        }
        if await wanted.target(for: target.cameraID) == nil {
            await services.recorders.stopped(target.cameraID)
            await volumes.release(target.cameraID)
        }
        await membership?.recorderStopped(target.cameraID)
    }

    /// How one recorder of a camera ended: stopped (no longer wanted, or shutdown), or to go on at another volume.
    enum RecorderEnd: Sendable {
        case stopped
        /// Writing failed on this volume at `failedAt` and `to` is usable; the camera's frame rate then, to count
        /// what was not recorded until the next volume takes over.
        case move(to: URL, failedAt: Date, framesPerSecond: Double)
    }

    /// Follows a recorder's events into health, metrics, camera events and alerts. Returns `.move` when writing fails
    /// and another volume is usable; `movedAfter` (when and at what frame rate writing failed on the volume left)
    /// closes the `recording_failed` alert once this recorder has written its first frames.
    private func follow(
        _ recorder: CameraRecorder, target: Target, metrics: CameraMetrics, volume: URL, movedAfter: (at: Date, framesPerSecond: Double)?
    ) async -> RecorderEnd {
        var downSince: Date?
        var clockReported = false
        var movedAfter = movedAfter
        var framesPerSecond = 0.0
        for await event in recorder.events {
            switch event {
            case .health(let health):
                await services.recorders.update(target.cameraID, health)
                metrics.update(health)
                if health.framesPerSecond > 0 { framesPerSecond = health.framesPerSecond }
                if let failed = movedAfter, health.framesRecorded > 0 {
                    movedAfter = nil
                    let now = Date()
                    let lost = Int((now.timeIntervalSince(failed.at) * failed.framesPerSecond).rounded())
                    let reason = String(format: "recording moved to %@ after %.1f s; about %d frames were not recorded", volume.path, now.timeIntervalSince(failed.at), lost)
                    await note(CameraEvent(cameraID: target.cameraID, at: now, kind: "recording_resumed", reason: reason))
                    await outage { try await $0.recordingResumed(target.cameraID, at: now, framesLost: lost) }
                }
                if !clockReported, let offset = health.clockOffset, abs(offset) > Self.clockTolerance {
                    clockReported = true
                    await outage { try await $0.cameraClockOff(target.cameraID, name: target.name, offset: offset) }
                }
            case .offline(let lastFrameAt):
                // A node that was frozen or cut off sees "no video" for cameras another node took meanwhile: only
                // the holder of the lease reports an outage (the next lease round says whether this node still is).
                if let membership, let fence = target.fence, await !membership.confirmsLease(of: target.cameraID, fence: fence) {
                    logger.notice("camera offline on a node that lost its lease; not reported", metadata: ["camera": "\(target.cameraID)"])
                    continue
                }
                downSince = lastFrameAt
                let since = lastFrameAt.map { " since \($0.ISO8601Format())" } ?? ""
                await note(CameraEvent(cameraID: target.cameraID, at: Date(), kind: "offline", reason: "no video\(since)"))
                metrics.offline.set(1.0)
                await outage { try await $0.cameraOffline(target.cameraID, name: target.name, lastFrameAt: lastFrameAt) }
            case .online(let at):
                await note(CameraEvent(cameraID: target.cameraID, at: at, kind: "online", reason: "video is back"))
                metrics.offline.set(0.0)
                await outage { try await $0.cameraOnline(target.cameraID, at: at, downSince: downSince) }
                downSince = nil
            case .recordingFailed(let reason):
                await volumes.writeFailed(at: volume, reason: reason)
                if movedAfter == nil {
                    // A camera that already failed elsewhere keeps its open alert; this is the same outage.
                    await note(CameraEvent(cameraID: target.cameraID, at: Date(), kind: "recording_failed", reason: reason))
                    await outage { try await $0.recordingFailed(target.cameraID, name: target.name, reason: reason) }
                }
                let next = await volumes.volume(for: target.cameraID)
                if next != volume { return .move(to: next, failedAt: Date(), framesPerSecond: framesPerSecond) }
            case .recordingResumed(let at, let framesLost):
                await note(CameraEvent(cameraID: target.cameraID, at: at, kind: "recording_resumed", reason: "\(framesLost) frames were not recorded"))
                await outage { try await $0.recordingResumed(target.cameraID, at: at, framesLost: framesLost) }
            case .sessionStarted, .segmentSealed:
                break
            }
        }
        return .stopped
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

/// The cameras the supervisor currently wants recorded, and the current run of each: a camera's recorder stops once
/// its target changes or a newer run of the camera starts.
actor WantedCameras {
    private var targets: [UUID: RecorderSupervisor.Target] = [:]
    private var runs: [UUID: Int] = [:]

    func set(_ targets: [UUID: RecorderSupervisor.Target]) { self.targets = targets }
    /// Starts a new run of a camera; returns its number.
    func start(_ id: UUID) -> Int {
        let next = (runs[id] ?? 0) + 1
        runs[id] = next
        return next
    }
    func contains(_ target: RecorderSupervisor.Target, run: Int) -> Bool { targets[target.cameraID] == target && runs[target.cameraID] == run }
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

/// An index that keeps nothing, for ingests that write no segments.
struct DiscardingRecordingIndex: RecordingIndex {
    func opened(_ segment: RecordedSegment) async throws {}
    func progressed(_ segment: RecordedSegment) async throws {}
    func sealed(_ segment: RecordedSegment) async throws {}
}
