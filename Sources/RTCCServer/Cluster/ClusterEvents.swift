import Foundation
import Logging
import NIOSSL
import PostgresNIO
import RTCCStore
import SQLKit
import ServiceLifecycle

/// Carries what must reach every node of a cluster at once through PostgreSQL `NOTIFY`: alerts raised or updated (so
/// an analyst connected to any node sees them), and camera sharing changes (an owner's pause or revocation ends live
/// viewers on every node and stops ingest there too). Notifications are wake-ups only: one sent while a node's
/// listening connection is down is lost, and that node catches up at its next registry refresh (15 s) or when the
/// analyst's alert queue reloads.
public actor ClusterEvents: Service {
    /// One notification.
    struct Event: Codable, Sendable {
        /// The sending node (its own events are not delivered twice).
        var node: String
        /// `alert` (an encoded alert message in `text`) or `camera` (sharing of `camera` changed; `stopped` when it may
        /// no longer be watched).
        var kind: String
        var text: String?
        var camera: UUID?
        var stopped: Bool?
    }

    /// The PostgreSQL channel.
    static let channel = "rtcc_events"
    /// Notification payloads must stay under PostgreSQL's 8 000 bytes.
    static let maximumPayload = 7900

    private let node: String
    private let databaseURL: String
    private let store: Store
    private let logger: Logger
    private var alertHub: AlertHub?
    private var live: LiveHub?
    private var registryChanges: RegistryWakeup?
    private var outgoingAlerts: AsyncStream<String>?

    /// Creates the events of node `node` over the cluster's database.
    public init(node: String, databaseURL: String, store: Store, logger: Logger) {
        self.node = node
        self.databaseURL = databaseURL
        self.store = store
        self.logger = logger
    }

    /// Where events from the other nodes are delivered.
    func connect(alertHub: AlertHub, live: LiveHub, registryChanges: RegistryWakeup) async {
        self.alertHub = alertHub
        self.live = live
        self.registryChanges = registryChanges
        outgoingAlerts = await alertHub.relayed()
    }

    /// Tells the other nodes about an alert message (already delivered here).
    public func alert(_ text: String) async { await send(Event(node: node, kind: "alert", text: text)) }

    /// Tells the other nodes that a camera's sharing changed.
    public func cameraChanged(_ cameraID: UUID?, stopped: Bool) async {
        await send(Event(node: node, kind: "camera", camera: cameraID, stopped: stopped))
    }

    private func send(_ event: Event) async {
        do {
            let payload = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
            guard payload.utf8.count <= Self.maximumPayload else {
                logger.warning("cluster event too large to notify; other nodes see it at their next refresh", metadata: ["kind": "\(event.kind)"])
                return
            }
            try await store.sql.raw("SELECT pg_notify(\(bind: Self.channel), \(bind: payload))").run()
        } catch {
            logger.error("cluster event could not be sent", metadata: ["kind": "\(event.kind)", "error": "\(String(reflecting: error))"])
        }
    }

    /// Listens, and passes this node's alerts on, until shutdown; reconnects after a lost connection.
    public func run() async throws {
        let outgoing = outgoingAlerts
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if let outgoing {
                    group.addTask { for await text in outgoing { await self.alert(text) } }
                }
                group.addTask { await self.listenUntilCancelled() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func listenUntilCancelled() async {
        var pause: Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                try await listen()
                pause = .milliseconds(200)
            } catch {
                if Task.isCancelled { break }
                logger.error("cluster events: listening connection lost; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }

    private func listen() async throws {
        guard let components = URLComponents(string: databaseURL), let host = components.host else {
            throw ClusterError.needsPostgres
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
            database: components.path.isEmpty ? nil : String(components.path.dropFirst()),
            tls: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())))
        configuration.options.connectTimeout = .seconds(5)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let notifications = try await connection.listen(Self.channel)
            logger.info("cluster events: listening", metadata: ["node": "\(node)"])
            for try await notification in notifications {
                await receive(notification.payload)
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    private func receive(_ payload: String) async {
        guard let event = try? JSONDecoder().decode(Event.self, from: Data(payload.utf8)) else {
            logger.warning("cluster events: unreadable notification ignored")
            return
        }
        guard event.node != node else { return }
        switch event.kind {
        case "alert":
            if let text = event.text { await alertHub?.deliverLocally(text) }
        case "camera":
            if event.stopped == true, let camera = event.camera { await live?.close(cameraID: camera) }
            await registryChanges?.signal()
        default:
            break
        }
    }
}
