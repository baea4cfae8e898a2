import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOSSL
import Prometheus
import ServiceLifecycle
import RTCCCore
import RTCCMedia
import RTCCStore

/// Builds the router with every route and middleware. Shared by `rtcc serve` and the tests.
public func buildRouter(services: AppServices) async throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(tls: services.config.usesTLS))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: ControlCharacterGuard())
    router.add(middleware: WebAppMiddleware(mapTileURL: services.config.mapTileURL))
    router.add(middleware: AuthMiddleware(services: services))
    SystemRoutes(services: services).register(on: router)
    AuthRoutes(services: services, decoyHash: try await services.passwords.hash(SecretToken.generate())).register(on: router)
    CameraRoutes(services: services).register(on: router)
    CameraProbeRoutes(services: services).register(on: router)
    ONVIFRoutes(services: services).register(on: router)
    PTZRoutes(services: services).register(on: router)
    PartnerRoutes(services: services).register(on: router)
    UserRoutes(services: services).register(on: router)
    RecordRoutes(services: services).register(on: router)
    RecordingRoutes(services: services).register(on: router)
    HoldRoutes(services: services).register(on: router)
    LiveRoutes(services: services).register(on: router)
    PlaybackRoutes(services: services).register(on: router)
    PreferenceRoutes(services: services).register(on: router)
    TelemetryRoutes(services: services).register(on: router)
    CaseRoutes(services: services).register(on: router)
    EvidenceRoutes(services: services).register(on: router)
    ShareRoutes(services: services).register(on: router)
    CustodyRoutes(services: services).register(on: router)
    SeenRoutes(services: services).register(on: router)
    CoverageRoutes(services: services).register(on: router)
    PlanRoutes(services: services).register(on: router)
    DeploymentRoutes(services: services).register(on: router)
    ImpactRoutes(services: services).register(on: router)
    EventRoutes(services: services).register(on: router)
    AlertRoutes(services: services).register(on: router)
    CommunityRoutes(services: services).register(on: router)
    PortalRoutes(services: services).register(on: router)
    FootageRequestRoutes(services: services).register(on: router)
    TransparencyRoutes(services: services).register(on: router)
    AnalyticsRoutes(services: services).register(on: router)
    AddressRoutes(services: services).register(on: router)
    ClusterRoutes(services: services).register(on: router)
    return router
}

/// Builds the HTTP(S) application over already-open services.
public func buildApplication(
    services: AppServices, logger: Logger, extraServices: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let config = services.config
    let router = try await buildRouter(services: services)
    let server: HTTPServerBuilder
    let http: HTTPServerBuilder = .guarded(webSocketRouter: router, limits: HTTPLimits(config: config))
    if let cert = config.tlsCertificatePath, let key = config.tlsKeyPath {
        let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        server = try .tls(http, tlsConfiguration: tls)
    } else {
        server = http
    }
    var background: [any Service] = extraServices + [services.live, services.exports, ServerHeartbeat(services: services, logger: logger)]
    if let events = services.clusterEvents {
        await events.connect(alertHub: services.alertHub, live: services.live, registryChanges: services.registryChanges)
        background.append(events)
    }
    background.append(AuditCheckpointService(
        audit: services.audit, checkpoints: AuditCheckpoints(config: config), interval: .seconds(config.auditCheckpointSeconds), logger: logger))
    if let smtp = config.smtpSettings {
        background.append(OutboxMailer(
            store: services.store, client: SMTPClient(settings: smtp, policy: config.outboundNetworks), wakeup: services.mailQueued, logger: logger,
            firstPause: TimeInterval(config.mailRetrySeconds)))
    }
    let membership = config.cluster.isNode ? ClusterMembership(settings: config.cluster, store: services.store, logger: logger) : nil
    if let membership, !(config.recordingEnabled && config.cluster.records) {
        background.append(ClusterNodeService(membership: membership))
    }
    if config.recordingEnabled && (membership == nil || config.cluster.records) {
        let volumes = config.resolvedRecordingsDirectories
        var settings = RecorderSupervisor.Settings(root: URL(fileURLWithPath: volumes[0]))
        settings.moreRoots = volumes.dropFirst().map { URL(fileURLWithPath: $0) }
        settings.segmentDuration = .seconds(config.segmentSeconds)
        settings.offlineAfter = .seconds(config.offlineSeconds)
        settings.transport = config.rtspTransport == "udp" ? .udpWithTCPFallback : .tcp
        settings.fileMode = .recordings(group: config.recordingsGroup)
        let supervisor = RecorderSupervisor(services: services, settings: settings, logger: logger, membership: membership)
        background.append(supervisor)
        if config.cluster.isNode {
            // Live viewers of a camera another node records are fed by one ingest per camera on this node.
            await services.live.setViewerIngest { cameraID in await supervisor.viewerIngest(for: cameraID) }
        }
        await services.health.watch(
            indexQueue: supervisor.index, recordingsFolders: volumes + (config.archiveDirectory.map { [$0] } ?? []),
            volumes: supervisor.volumes)
        background.append(AnalyticsService(services: services, logger: logger))
        background.append(ONVIFService(services: services, logger: logger))
        for volume in volumes { try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true) }
        var sweeper = RetentionSweeper(
            store: services.store, quotaBytes: config.diskQuotaBytes, bookmarkKeepDays: config.bookmarkKeepDays,
            freeSpace: config.recordingsMinimumFreeBytes > 0 ? .init(volumes: volumes, minimumFreeBytes: config.recordingsMinimumFreeBytes) : nil,
            logger: logger)
        sweeper.node = config.cluster.nodeName
        var archiver: SegmentArchiver?
        if let archive = config.archiveDirectory {
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            archiver = SegmentArchiver(
                store: services.store, recordings: volumes.map { URL(fileURLWithPath: $0) }, archive: URL(fileURLWithPath: archive),
                afterDays: config.archiveAfterDays, filePermissions: Int(RecordingFileMode.recordings(group: config.recordingsGroup).file), logger: logger)
            archiver?.node = config.cluster.nodeName
        }
        background.append(RetentionService(sweeper: sweeper, archiver: archiver))
    }
    return Application(
        router: router, server: server,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "OpenRTCC"),
        services: background,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
        logger: logger)
}

/// Opens the store named by `config`, migrates it, and prepares the services.
public func openServices(config: AppConfig, logger: Logger, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) async throws -> AppServices {
    try config.validate()
    let store = try Store(location: config.resolvedDatabase, logger: logger)
    do {
        try await store.migrate()
        return AppServices(config: config, store: store, cipher: try config.makeCipher(), metrics: metrics)
    } catch {
        await store.shutdown()
        throw error
    }
}
