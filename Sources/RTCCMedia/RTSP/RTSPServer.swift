import Foundation
import Logging
import NIOCore
import NIOPosix

/// A small RTSP server (OPTIONS, DESCRIBE, SETUP over TCP-interleaved or UDP, PLAY, GET_PARAMETER, TEARDOWN)
/// serving named paths such as `/cam1` from ``RTSPMediaSource`` values, for simulators and tests.
///
/// ```swift
/// let server = try await RTSPServer.bind(sources: ["/cam1": source])
/// try await server.run() // until cancelled
/// ```
public struct RTSPServer: Sendable {
    /// Settings for a server.
    public struct Configuration: Sendable {
        /// The address to listen on.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// Credentials clients must present, if any.
        public var authentication: RTSPServerAuthentication?
        /// The session timeout announced, in seconds.
        public var sessionTimeout: Int

        /// Creates a configuration.
        public init(host: String = "127.0.0.1", port: Int = 0, authentication: RTSPServerAuthentication? = nil, sessionTimeout: Int = 60) {
            self.host = host
            self.port = port
            self.authentication = authentication
            self.sessionTimeout = sessionTimeout
        }
    }

    typealias Connection = NIOAsyncChannel<RTSPMessage, RTSPMessage>

    private let serverChannel: NIOAsyncChannel<Connection, Never>
    let configuration: Configuration
    let sources: [String: any RTSPMediaSource]
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// The port the server listens on.
    public var port: Int { serverChannel.channel.localAddress?.port ?? configuration.port }

    /// Binds the listening socket; call ``run()`` to serve.
    public static func bind(
        configuration: Configuration = Configuration(), sources: [String: any RTSPMediaSource],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rtcc.media.rtsp-server")
    ) async throws -> RTSPServer {
        let channel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(RTSPMessageEncoder()))
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        var normalized: [String: any RTSPMediaSource] = [:]
        for (path, source) in sources { normalized[RTSPServerConnectionStateMachine.normalize(path)] = source }
        return RTSPServer(serverChannel: channel, configuration: configuration, sources: normalized, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    private init(
        serverChannel: NIOAsyncChannel<Connection, Never>, configuration: Configuration, sources: [String: any RTSPMediaSource],
        eventLoopGroup: any EventLoopGroup, logger: Logger
    ) {
        self.serverChannel = serverChannel
        self.configuration = configuration
        self.sources = sources
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Serves connections until the task is cancelled, then closes the listening socket and every connection.
    public func run() async throws {
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask {
                        let handler = RTSPServerConnection(server: self, connection: connection)
                        await handler.run()
                    }
                }
            }
        }
    }

    /// Closes the listening socket without serving (for a server bound but never run).
    public func close() async {
        try? await serverChannel.channel.close()
    }
}
