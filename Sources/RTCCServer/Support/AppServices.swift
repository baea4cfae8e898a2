import Foundation
import Logging
import HummingbirdBcrypt
import NIOPosix
import Prometheus
import RTCCCore
import RTCCStore

/// Everything route handlers need, built once per application.
public struct AppServices: Sendable {
    /// Settings.
    public let config: AppConfig
    /// Database.
    public let store: Store
    /// Tamper-evident audit log.
    public let audit: AuditLog
    /// Stream credential encryption.
    public let cipher: CredentialCipher
    /// Prometheus registry rendered at `/metrics`.
    public let metrics: PrometheusCollectorRegistry
    /// Running camera recorders and their health.
    public let recorders: RecorderRegistry
    /// Live streams fanned out from the recorders to viewers.
    public let live: LiveHub
    let snapshots = Snapshotter()
    let onvifDevices = ONVIFDevices()
    let playback = PlaybackSessions()
    let sightingIndexes = SightingIndexCache()
    let liveLatency: LiveLatency
    let throttle: LoginThrottle
    /// Password hashing.
    public let passwords: PasswordHasher
    let signIns: SignInMetrics
    /// Evidence export jobs: run by this service (add it to the application's services).
    public let exports: ExportService
    /// Alerts pushed live to analysts.
    public let alertHub = AlertHub()
    /// In a cluster, what reaches the other nodes at once (alerts, sharing changes); nil for a single server.
    public let clusterEvents: ClusterEvents?
    /// What `/api/v1/health` reads of the background services (the recording index queue, the recordings folders).
    public let health = ServerHealth()
    let intakeLimiter: IntakeRateLimiter
    /// Signalled when a camera's sharing changes, so the recorder supervisor re-reads the registry at once.
    public let registryChanges = RegistryWakeup()
    /// Public sign-ups per source address within an hour.
    let signUps: SignUpThrottle
    let intake: IntakeBatcher
    /// Signalled when a mail is queued, so the outbox mailer sends it at once.
    public let mailQueued = RegistryWakeup()
    /// API-token identities remembered for a moment (forget them when a token or user changes).
    let tokenIdentities = TokenIdentityCache()
    /// Sign-in lockout, per account and source address: a guesser locks only itself out (docs/SECURITY.md).
    public let signInLocks: FailureLock
    /// Wrong share-link tokens per source address: over the limit, the address gets 429 for a minute.
    public let shareGuesses = FailureLock(limit: ShareRoutes.wrongTokensPerMinute, window: 60, lockFor: 60)
    /// Refused requests (403) and share-token guesses, folded into one audit entry per minute and kind, with a count.
    public let auditBursts = AuditAggregator(window: 60)
    /// Failed sign-ins counted within this window lock an account for the address they came from (CJIS AC-7).
    public static let failedSignInWindow: TimeInterval = 15 * 60

    /// Creates the services.
    public init(config: AppConfig, store: Store, cipher: CredentialCipher, metrics: PrometheusCollectorRegistry) {
        self.config = config
        self.store = store
        self.audit = AuditLog(store: store)
        self.cipher = cipher
        self.metrics = metrics
        let recorders = RecorderRegistry()
        self.recorders = recorders
        self.live = LiveHub(recorders: recorders, masks: { [store] id in try await store.community.mask(cameraID: id) })
        self.signInLocks = FailureLock(limit: config.maxFailedLogins, window: Self.failedSignInWindow, lockFor: Double(config.lockoutSeconds))
        self.liveLatency = LiveLatency(registry: metrics)
        self.throttle = LoginThrottle(attemptsPerMinute: config.loginAttemptsPerMinute)
        self.passwords = PasswordHasher(cost: config.bcryptCost)
        self.signIns = SignInMetrics(registry: metrics)
        self.intakeLimiter = IntakeRateLimiter(perSecond: config.intakeEventsPerSecond)
        self.signUps = SignUpThrottle(limit: config.signUpsPerHour, window: 3600)
        self.intake = IntakeBatcher(store: store, metrics: metrics)
        if let node = config.cluster.nodeName, case .postgres(let url) = config.resolvedDatabase {
            self.clusterEvents = ClusterEvents(node: node, databaseURL: url, store: store, logger: Logger(label: "rtcc.cluster"))
        } else {
            self.clusterEvents = nil
        }
        self.exports = ExportService(
            store: store, audit: audit, directory: config.evidenceDirectory, signingKey: config.evidenceSigningKey,
            segments: config.cluster.isNode ? ClusterSegments(store: store, config: config, logger: Logger(label: "rtcc.cluster")) : nil)
    }

    /// A camera's sharing or the registry changed: the recorder supervisor (and analytics) re-read it at once, here and,
    /// in a cluster, on every node; with `stopped`, live viewers of `camera` are cut on every node.
    func registryChanged(camera: UUID? = nil, stopped: Bool = false) async {
        await registryChanges.signal()
        await clusterEvents?.cameraChanged(camera, stopped: stopped)
    }

    /// Segments whichever node recorded them, readable here.
    var readableSegments: ClusterSegments { ClusterSegments(store: store, config: config, logger: Logger(label: "rtcc.cluster")) }

    /// Appends an audit entry for the caller of a request.
    func record(
        _ action: String, target: String = "", detail: String = "", by identity: Identity?, context: AppRequestContext,
        purpose: String? = nil, actorName: String? = nil
    ) async throws {
        try await audit.append(AuditEvent(
            actor: identity?.actor ?? actorName ?? "anonymous", action: action, target: target, source: context.source, purpose: purpose,
            detail: detail))
    }

    /// Writes aggregated audit entries (see ``AuditAggregator``).
    func record(_ entries: [AuditAggregator.Entry]) async throws {
        for entry in entries {
            try await audit.append(AuditEvent(
                actor: entry.actor, action: entry.action, target: entry.target, source: entry.source, purpose: nil, detail: entry.detail))
        }
    }

    /// Writes the summaries of aggregated audit windows that have closed by `now` (called as requests pass).
    public func recordClosedAuditBursts(now: Date = Date()) async throws {
        let due = auditBursts.due(now: now)
        if !due.isEmpty { try await record(due) }
    }
}

/// bcrypt hashing off the event loops (a cost-12 hash takes a quarter second of CPU).
public struct PasswordHasher: Sendable {
    /// bcrypt cost factor.
    public let cost: Int

    /// Creates a hasher.
    public init(cost: Int) { self.cost = cost }

    /// Hashes a password.
    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(clamping: cost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Checks a password against a hash.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// Sign-in counters and the registry gauge, registered once.
struct SignInMetrics: Sendable {
    let succeeded: Counter
    let failed: Counter
    let cameras: Gauge

    init(registry: PrometheusCollectorRegistry) {
        let logins = MetricNameDescriptor(namespace: "rtcc", metricName: "logins", unitName: "total", helpText: "Sign-in attempts by result")
        succeeded = registry.makeCounter(descriptor: logins, labels: [("result", "success")])
        failed = registry.makeCounter(descriptor: logins, labels: [("result", "failure")])
        cameras = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "rtcc", metricName: "cameras", unitName: "count", helpText: "Cameras in the registry"))
    }
}
