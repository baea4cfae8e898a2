import Foundation
import Logging
import NIOCore
import NIOPosix

/// An RTSP client that plays one stream and reports raw RTP/RTCP packets as ``RTSPMediaEvent`` values.
///
/// ```swift
/// let client = try RTSPClient(url: "rtsp://user:pass@camera/stream")
/// try await client.withEvents { events in
///     for await event in events { … }
/// }
/// ```
/// Credentials in the URL (user information and credential query parameters) are used and never logged.
public struct RTSPClient: Sendable {
    /// Settings for a client.
    public struct Configuration: Sendable {
        /// How media should be carried.
        public var transport: RTSPTransportPreference
        /// Credentials overriding those in the URL.
        public var credentials: RTSPCredentials?
        /// The limit for establishing the TCP connection.
        public var connectTimeout: Duration
        /// The limit for each response.
        public var responseTimeout: Duration
        /// How long to wait for a first UDP packet before falling back to TCP.
        public var udpTimeout: Duration
        /// How long playing may go without media.
        public var mediaTimeout: Duration
        /// Whether to set up audio as well as video.
        public var includeAudio: Bool
        /// The `User-Agent` header value.
        public var userAgent: String
        /// The events kept when the consumer falls behind (newest kept).
        public var eventBufferSize: Int
        /// Whether a Basic challenge may be answered over this plain connection (the password goes in clear);
        /// false by default. Digest is always answered.
        public var allowsPlainBasicAuth: Bool
        /// The shortest time between two reads of a playing TCP session's socket (zero: read whenever data arrives).
        /// A recorder of many cameras sets a few tens of milliseconds: each read then gathers several of a camera's
        /// bursts, for fewer system calls and wake-ups, at the cost of that much latency.
        public var mediaReadInterval: Duration = .zero

        /// Creates a configuration.
        public init(
            transport: RTSPTransportPreference = .tcp, credentials: RTSPCredentials? = nil,
            connectTimeout: Duration = .seconds(10), responseTimeout: Duration = .seconds(10),
            udpTimeout: Duration = .seconds(3), mediaTimeout: Duration = .seconds(10), includeAudio: Bool = true,
            userAgent: String = "OpenRTCC", eventBufferSize: Int = 4096, allowsPlainBasicAuth: Bool = false
        ) {
            self.allowsPlainBasicAuth = allowsPlainBasicAuth
            self.transport = transport
            self.credentials = credentials
            self.connectTimeout = connectTimeout
            self.responseTimeout = responseTimeout
            self.udpTimeout = udpTimeout
            self.mediaTimeout = mediaTimeout
            self.includeAudio = includeAudio
            self.userAgent = userAgent
            self.eventBufferSize = eventBufferSize
        }
    }

    /// The socket receive buffer asked for when reads are paced.
    static let pacedReceiveBuffer = 2 << 20

    /// The stream URL.
    public let url: RTSPURL
    /// The settings.
    public let configuration: Configuration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// Creates a client for `url` (`rtsp://[user:password@]host[:port]/path`).
    public init(
        url: String, configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rtcc.media.rtsp-client")
    ) throws(RTSPURL.ParseError) {
        self.url = try RTSPURL(parsing: url)
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "rtsp.url"] = "\(self.url.description)"
        self.logger = logger
    }

    /// Runs the session while `body` consumes its events; cancels (with TEARDOWN) when `body` returns.
    public func withEvents<Result>(_ body: (AsyncStream<RTSPMediaEvent>) async throws -> Result) async throws -> Result {
        let (stream, continuation) = AsyncStream.makeStream(
            of: RTSPMediaEvent.self, bufferingPolicy: .bufferingNewest(max(16, configuration.eventBufferSize)))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run(events: continuation) }
            let result = try await body(stream)
            group.cancelAll()
            return result
        }
    }

    /// Runs the session until it ends or the task is cancelled, yielding into `events` and finishing it.
    public func run(events: AsyncStream<RTSPMediaEvent>.Continuation) async {
        await run(sink: .oneByOne(events))
    }

    /// Runs the session like ``run(events:)`` but yields the events in the batches they arrived in (the packets of one
    /// socket read together): a recorder of many cameras spends far less on crossing tasks this way. With a `budget`,
    /// the consumer releases each batch's bytes (``RTSPMediaBudget/bytes(of:)``) once handled, and the client stops
    /// reading while the budget is spent: `batches` then needs no bound of its own (`.unbounded`) and loses nothing.
    public func run(batches: AsyncStream<[RTSPMediaEvent]>.Continuation, budget: RTSPMediaBudget? = nil) async {
        await run(sink: .batched(batches, budget: budget))
    }

    private func run(sink: RTSPEventSink) async {
        defer { sink.finish() }
        var forced: RTSPTransportPreference?
        while true {
            // Bytes spent by a connection that ended are not handed on: each connection starts with the whole budget.
            sink.budget?.reset()
            switch await runConnection(forcedTransport: forced, sink: sink) {
            case .restartWithTCP where forced == nil:
                logger.info("no UDP media; reconnecting over TCP")
                forced = .tcp
                sink.deliver([.fellBackToTCP])
            case .restartWithTCP:
                sink.deliver([.ended(.failed(.transportRejected))])
                return
            case .ended(let reason):
                sink.deliver([.ended(reason)])
                return
            }
        }
    }

    enum ConnectionOutcome: Sendable {
        case restartWithTCP
        case ended(RTSPSessionEndReason)
    }

    enum Input: Sendable {
        case messages([RTSPMessage])
        case udp(track: Int, isRTCP: Bool, payload: ByteBuffer)
        case closed(RTSPDecodingError?)
        case responseTimeout(cseq: Int)
        case keepAlive
        case udpCheck
        case mediaCheck
    }

    private func runConnection(forcedTransport: RTSPTransportPreference?, sink: RTSPEventSink) async -> ConnectionOutcome {
        let activity = RTSPMediaActivity()
        let connected: Connected
        do {
            connected = try await connect(sink: sink, activity: activity)
        } catch {
            logger.warning("RTSP connect failed", metadata: ["error": "\(error)"])
            return .ended(.failed(.connectionFailed("\(error)")))
        }
        let channel = connected.channel
        let localHost = channel.channel.localAddress?.ipAddress ?? "0.0.0.0"
        let machine = RTSPClientStateMachine(configuration: machineConfiguration, forcedTransport: forcedTransport)
        let tap = RTSPClientConnection.Tap(handler: connected.tap, eventLoop: channel.channel.eventLoop, activity: activity)
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var connection = RTSPClientConnection(
                    client: self, machine: machine, outbound: outbound, sink: sink, localHost: localHost, tap: tap)
                return try await connection.run(inbound: inbound)
            }
        } catch {
            return .ended(.failed(.connectionClosed))
        }
    }

    /// A connected channel and its media tap.
    private struct Connected: Sendable {
        var channel: NIOAsyncChannel<[RTSPMessage], RTSPMessage>
        var tap: NIOLoopBound<RTSPMediaTap>
    }

    private var machineConfiguration: RTSPClientStateMachine.Configuration {
        RTSPClientStateMachine.Configuration(
            url: url, credentials: configuration.credentials, transport: configuration.transport,
            udpTimeout: configuration.udpTimeout, mediaTimeout: configuration.mediaTimeout,
            includeAudio: configuration.includeAudio, userAgent: configuration.userAgent, allowsPlainBasicAuth: configuration.allowsPlainBasicAuth)
    }

    private func connect(sink: RTSPEventSink, activity: RTSPMediaActivity) async throws -> Connected {
        var bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(configuration.connectTimeout.timeAmount)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if configuration.mediaReadInterval > .zero {
            // Room for what arrives between two paced reads, a keyframe's burst included, so the camera never waits on
            // a full window (the kernel sizes the buffer by what the reader takes per round trip, which over a short
            // round trip stays near its 128 KiB default: too little for 100 ms of a busy stream). Kernel memory, used
            // only while data waits.
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: Self.pacedReceiveBuffer)
        }
        return try await bootstrap
            .connect(host: url.host, port: url.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tap = RTSPMediaTap(sink: sink, activity: activity, readInterval: configuration.mediaReadInterval.timeAmount)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
                    try channel.pipeline.syncOperations.addHandler(tap)
                    try channel.pipeline.syncOperations.addHandler(RTSPMessageBatcher())
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(RTSPMessageEncoder()))
                    return Connected(
                        channel: try NIOAsyncChannel<[RTSPMessage], RTSPMessage>(wrappingChannelSynchronously: channel),
                        tap: NIOLoopBound(tap, eventLoop: channel.eventLoop))
                }
            }
    }
}

extension Duration {
    /// The duration as a NIO `TimeAmount`.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, seconds >= 0 else { return seconds < 0 ? .zero : .nanoseconds(.max) }
        return .nanoseconds(nanoseconds.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }
}
