import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RTCCServer
import RTCCStore
import ServiceLifecycle

/// `rtcc serve`: runs the server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the OpenRTCC server.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var http: HTTPOptions

    @Option(help: "Run as this node of a recorder cluster (needs PostgreSQL; see docs/DEPLOYMENT.md). Also RTCC_NODE.")
    var node: String?

    @Option(help: "The most cameras this node records; also its weight when cameras are shared out (default 200).")
    var nodeCapacity: Int?

    func run() async throws {
        AllocatorArenas.limit()
        var base = try store.load()
        do {
            if let node { try base.set("nodeName", node, from: "--node") }
            if let nodeCapacity { try base.set("nodeCapacity", String(nodeCapacity), from: "--node-capacity") }
        } catch {
            throw ValidationError(error.description)
        }
        var config = try http.apply(to: base)
        // Every staff role signs in with a second factor unless mfaRequiredRoles says otherwise (docs/SECURITY.md).
        if config.mfaRequiredRoles == nil { config.mfaRequiredRoles = AppConfig.staffRoles }
        try await runServer(config: config) { url in
            say("OpenRTCC is running at \(url)")
        }
    }
}

/// Listening and TLS options.
struct HTTPOptions: ParsableArguments {
    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (default 8080; 0 picks a free port).")
    var port: Int?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; enables HTTPS (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    func apply(to base: AppConfig) throws -> AppConfig {
        var config = base
        do {
            if let host { try config.set("host", host, from: "--host") }
            if let port { try config.set("port", String(port), from: "--port") }
            if let tlsCert { try config.set("tlsCertificatePath", tlsCert, from: "--tls-cert") }
            if let tlsKey { try config.set("tlsKeyPath", tlsKey, from: "--tls-key") }
            try config.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return config
    }
}

/// Runs the HTTP server until SIGINT/SIGTERM; `announce` receives the URL once it listens.
func runServer(
    config: AppConfig, prepare: @escaping @Sendable (AppServices) async throws -> [any Service] = { _ in [] },
    announce: @escaping @Sendable (String) -> Void
) async throws {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = ProcessInfo.processInfo.environment["RTCC_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return handler
    }
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let logger = Logger(label: "rtcc")
    // Owner-only by default: whatever the server creates (database, keys, recordings, evidence) is not world-readable.
    FileModes.restrictProcessUmask()
    try FileModes.secure(config: config)
    let services = try await openServices(config: config, logger: logger, metrics: registry)
    try FileModes.secure(config: config)
    do {
        let extra = try await prepare(services)
        let scheme = config.usesTLS ? "https" : "http"
        let host = config.host == "0.0.0.0" ? "127.0.0.1" : config.host
        let missing = RuntimeDependencies.missing()
        let app = try await buildApplication(services: services, logger: logger, extraServices: extra) { port in
            announce("\(scheme)://\(host):\(port)/")
            for dependency in missing {
                logger.warning("runtime dependency missing", metadata: ["dependency": "\(dependency.name)", "package": "\(dependency.debianPackage)"])
                say("Warning: \(dependency.warning)")
            }
        }
        try await app.runService()
    } catch {
        await services.store.shutdown()
        throw error
    }
    await services.store.shutdown()
}
