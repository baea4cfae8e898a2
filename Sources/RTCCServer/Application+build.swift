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
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: WebAppMiddleware())
    router.add(middleware: AuthMiddleware(services: services))
    SystemRoutes(services: services).register(on: router)
    AuthRoutes(services: services, decoyHash: try await services.passwords.hash(SecretToken.generate())).register(on: router)
    CameraRoutes(services: services).register(on: router)
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
    return router
}

/// Builds the HTTP(S) application over already-open services.
public func buildApplication(
    services: AppServices, logger: Logger, extraServices: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let config = services.config
    let router = try await buildRouter(services: services)
    let server: HTTPServerBuilder
    if let cert = config.tlsCertificatePath, let key = config.tlsKeyPath {
        let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        server = try .tls(.http1WebSocketUpgrade(webSocketRouter: router), tlsConfiguration: tls)
    } else {
        server = .http1WebSocketUpgrade(webSocketRouter: router)
    }
    var background: [any Service] = extraServices + [services.live, services.exports]
    if let smtp = config.smtpSettings {
        background.append(OutboxMailer(
            store: services.store, client: SMTPClient(settings: smtp), wakeup: services.mailQueued, logger: logger,
            firstPause: TimeInterval(config.mailRetrySeconds)))
    }
    if config.recordingEnabled {
        var settings = RecorderSupervisor.Settings(root: URL(fileURLWithPath: config.resolvedRecordingsDirectory))
        settings.segmentDuration = .seconds(config.segmentSeconds)
        settings.offlineAfter = .seconds(config.offlineSeconds)
        settings.transport = config.rtspTransport == "udp" ? .udpWithTCPFallback : .tcp
        background.append(RecorderSupervisor(services: services, settings: settings, logger: logger))
        background.append(AnalyticsService(services: services, logger: logger))
        background.append(RetentionService(sweeper: RetentionSweeper(store: services.store, quotaBytes: config.diskQuotaBytes, bookmarkKeepDays: config.bookmarkKeepDays, logger: logger)))
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
