import Foundation
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RTCCCore
import RTCCServer
import ServiceLifecycle
import Testing

/// The HTTP server against slow and malformed clients, written as the attacks: raw TCP connections to a real server on
/// loopback that send half a request, broken syntax, unknown methods or too many connections, and a check that every
/// answer (errors included) carries the security headers.
@Suite struct HTTPHardeningTests {
    // MARK: slow clients

    @Test func aThousandSlowClientsAreClosedWithinTheHeaderTimeoutWhileOthersAreServed() async throws {
        let slowClients = 1000
        try await LiveServer.run(configure: { config in
            config.headerTimeoutSeconds = 2
            config.maxConnectionsPerAddress = 4 * slowClients
        }) { _, port in
            var slow: [RawConnection] = []
            for _ in 0..<slowClients {
                let connection = try await RawConnection.open(port: port)
                try await connection.send("GET /api/v1/health HT")
                slow.append(connection)
            }
            // While they all hang, another client is served at once.
            let started = ContinuousClock.now
            let normal = try await RawConnection.open(port: port)
            try await normal.send("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\nConnection: close\r\n\r\n")
            let served = try #require(await normal.closed(within: .seconds(2)), "a normal request was not answered while slow clients hung")
            #expect(served.status == 200)
            #expect(ContinuousClock.now - started < .seconds(1))
            // Each slow client is answered 408 and closed once its 2 s are up (slack for 1 000 closes while the rest of the suite runs on 2 cores; the client's clock starts a little after the server's).
            var late = 0
            var early = 0
            var wrongStatus = 0
            for connection in slow {
                guard let reply = await connection.closed(within: connection.opened + .seconds(9) - .now) else {
                    late += 1
                    continue
                }
                if reply.closedAt - connection.opened > .milliseconds(8000) { late += 1 }
                if reply.closedAt - connection.opened < .milliseconds(1500) { early += 1 }
                if reply.status != 408 { wrongStatus += 1 }
            }
            #expect(late == 0, "\(late) of \(slowClients) slow connections were still open 8 s after they opened (2 s timeout; the suite runs in parallel on 2 cores)")
            #expect(early == 0, "\(early) slow connections were closed before their header timeout")
            #expect(wrongStatus == 0, "\(wrongStatus) slow connections were not answered 408")
        }
    }

    @Test func aConnectionThatSendsNothingIsClosedQuietly() async throws {
        try await LiveServer.run(configure: { $0.headerTimeoutSeconds = 1 }) { _, port in
            let silent = try await RawConnection.open(port: port)
            let reply = try #require(await silent.closed(within: .seconds(3)))
            #expect(reply.text.isEmpty)
        }
    }

    @Test func connectionsOverThePerAddressCapAreRefusedAtOnce() async throws {
        try await LiveServer.run(configure: { $0.maxConnectionsPerAddress = 4 }) { _, port in
            var held: [RawConnection] = []
            for _ in 0..<4 {
                let connection = try await RawConnection.open(port: port)
                // Each is admitted: it is served, and kept alive.
                try await connection.send("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\n\r\n")
                try await connection.waitForResponse()
                held.append(connection)
            }
            let fifth = try await RawConnection.open(port: port)
            let refused = try #require(await fifth.closed(within: .seconds(1)), "the fifth connection from one address was not closed at once")
            #expect(refused.status == 503)
            #expect(refused.header("content-type") == "application/problem+json")
            // A place frees when one closes.
            try await held.removeFirst().close()
            let deadline = ContinuousClock.now + .seconds(3)
            var served = false
            while !served, ContinuousClock.now < deadline {
                let next = try await RawConnection.open(port: port)
                try await next.send("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\nConnection: close\r\n\r\n")
                served = await next.closed(within: .seconds(2))?.status == 200
            }
            #expect(served, "no connection was admitted after one of the four closed")
            for connection in held { try await connection.close() }
        }
    }

    // MARK: malformed requests

    /// A request the server must refuse with `status` and a closed connection.
    struct Malformed: Sendable, CustomStringConvertible {
        var description: String
        var bytes: [UInt8]
        var status: Int

        init(_ description: String, _ text: String, _ status: Int) {
            self.init(description, Array(text.utf8), status)
        }

        init(_ description: String, _ bytes: [UInt8], _ status: Int) {
            self.description = description
            self.bytes = bytes
            self.status = status
        }
    }

    static let malformed: [Malformed] = [
        Malformed("a 100 KB request line", "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: rtcc\r\n\r\n", 414),
        Malformed("a request line one byte over 8 KiB", "GET /" + String(repeating: "a", count: 8192 - 13) + " HTTP/1.1\r\nHost: rtcc\r\n\r\n", 414),
        Malformed("one 20 KB header", "GET / HTTP/1.1\r\nHost: rtcc\r\nX-Big: " + String(repeating: "b", count: 20_000) + "\r\n\r\n", 431),
        Malformed(
            "300 headers of 100 bytes",
            "GET / HTTP/1.1\r\nHost: rtcc\r\n" + (0..<300).map { "X-H\($0): " + String(repeating: "c", count: 90) + "\r\n" }.joined() + "\r\n", 431),
        Malformed("bare LF line ends", "GET / HTTP/1.1\nHost: rtcc\n\n", 400),
        Malformed("a bare LF after the request line", "GET / HTTP/1.1\r\nHost: rtcc\nX-A: 1\r\n\r\n", 400),
        Malformed("a folded header", "GET / HTTP/1.1\r\nHost: rtcc\r\nX-A: 1\r\n  continued\r\n\r\n", 400),
        Malformed("a NUL in a header", "GET / HTTP/1.1\r\nHost: rtcc\r\nX-A: a\u{0}b\r\n\r\n", 400),
        Malformed("a NUL in the request line", "GET /a\u{0}b HTTP/1.1\r\nHost: rtcc\r\n\r\n", 400),
        Malformed("a CR without LF", "GET / HTTP/1.1\r\nHost: rtcc\rX-A: 1\r\n\r\n", 400),
        Malformed("TRACE", "TRACE / HTTP/1.1\r\nHost: rtcc\r\n\r\n", 405),
        Malformed("CONNECT", "CONNECT rtcc:443 HTTP/1.1\r\nHost: rtcc:443\r\n\r\n", 405),
        Malformed("an unknown method", "BREW /pot HTTP/1.1\r\nHost: rtcc\r\n\r\n", 405),
        Malformed("a lower-case method", "get / HTTP/1.1\r\nHost: rtcc\r\n\r\n", 405),
        Malformed("a method that is not a token", "GE(T / HTTP/1.1\r\nHost: rtcc\r\n\r\n", 400),
        Malformed("a TLS hello on the plain port", [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + Array(repeating: 0x2A, count: 40), 400),
        Malformed("a space in a header name", "GET / HTTP/1.1\r\nHost: rtcc\r\nX A: 1\r\n\r\n", 400),
        Malformed("a Content-Length that is not a number", "POST /api/v1/auth/login HTTP/1.1\r\nHost: rtcc\r\nContent-Length: ten\r\n\r\n", 400),
        Malformed("an unknown HTTP version", "GET / HTTP/7.3\r\nHost: rtcc\r\n\r\n", 400),
    ]

    @Test func malformedRequestsAreAnsweredAndTheirConnectionsClosed() async throws {
        try await LiveServer.run { _, port in
            for request in Self.malformed {
                let connection = try await RawConnection.open(port: port)
                try await connection.send(request.bytes)
                guard let reply = await connection.closed(within: .seconds(3)) else {
                    Issue.record("\(request): no answer, connection still open after 3 s")
                    try await connection.close()
                    continue
                }
                #expect(reply.status == request.status, "\(request): \(reply.text.prefix(200))")
                #expect(reply.header("content-type") == "application/problem+json", "\(request)")
                #expect(reply.header("connection") == "close", "\(request)")
                #expect(reply.header("x-content-type-options") == "nosniff", "\(request)")
                if request.status == 405 { #expect(reply.header("allow")?.contains("GET") == true, "\(request)") }
                let document = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
                #expect(document?["status"] as? Int == request.status, "\(request): \(reply.body)")
            }
            // At the limits exactly, a request is served.
            let atLimits = try await RawConnection.open(port: port)
            let line = "GET /api/v1/health?" + String(repeating: "q", count: 8192 - 28) + " HTTP/1.1"
            #expect(line.utf8.count == 8192)
            let headers = "Host: rtcc\r\nConnection: close\r\nX-Fill: " + String(repeating: "f", count: 16 * 1024 - 43) + "\r\n\r\n"
            #expect(headers.utf8.count == 16 * 1024)
            try await atLimits.send(line + "\r\n" + headers)
            let served = await atLimits.closed(within: .seconds(3))
            #expect(served?.status == 200, "\(served?.text.prefix(300) ?? "no answer")")
        }
    }

    @Test func anUnfinishedRequestIsAnswered408() async throws {
        try await LiveServer.run(configure: { $0.headerTimeoutSeconds = 1 }) { _, port in
            let connection = try await RawConnection.open(port: port)
            try await connection.send("POST /api/v1/auth/login HTTP/1.1\r\nHost: rtcc\r\nContent-Ty")
            let reply = try #require(await connection.closed(within: .seconds(3)))
            #expect(reply.status == 408)
            #expect(reply.header("connection") == "close")
        }
    }

    @Test func aKeptAliveConnectionIsHeldToTheLimitsForItsNextRequest() async throws {
        try await LiveServer.run(configure: { config in
            config.headerTimeoutSeconds = 1
            config.idleTimeoutSeconds = 2
        }) { _, port in
            // The second request on a connection is checked like the first.
            let reused = try await RawConnection.open(port: port)
            try await reused.send("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\n\r\n")
            try await reused.waitForResponse()
            try await reused.send("TRACE / HTTP/1.1\r\nHost: rtcc\r\n\r\n")
            let second = try #require(await reused.closed(within: .seconds(3)))
            #expect(second.text.hasPrefix("HTTP/1.1 200"))
            #expect(second.text.contains("HTTP/1.1 405"))
            // And it is timed like the first: half a head after a served request gets 408.
            let slow = try await RawConnection.open(port: port)
            try await slow.send("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\n\r\n")
            try await slow.waitForResponse()
            try await slow.send("GET /api/v1/hea")
            let timedOut = try #require(await slow.closed(within: .seconds(3)))
            #expect(timedOut.text.contains("HTTP/1.1 408"))
            // An idle kept-alive connection is closed after the idle timeout, without another answer.
            let idle = try await RawConnection.open(port: port)
            let opened = ContinuousClock.now
            try await idle.send("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\n\r\n")
            try await idle.waitForResponse()
            let closed = try #require(await idle.closed(within: .seconds(5)))
            #expect(closed.closedAt - opened >= .milliseconds(1900))
            #expect(closed.text.components(separatedBy: "HTTP/1.1 ").count == 2, "one response only: \(closed.text.prefix(300))")
        }
    }

    // MARK: what the timeouts must not cut

    @Test func aWebSocketOutlivesTheHeaderAndIdleTimeouts() async throws {
        try await LiveServer.run(configure: { config in
            config.headerTimeoutSeconds = 1
            config.idleTimeoutSeconds = 1
        }) { app, port in
            let socket = try await RawConnection.open(port: port)
            try await socket.send(
                "GET /api/v1/alerts/live HTTP/1.1\r\nHost: rtcc\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Cookie: \(app.headers(.analyst)[.cookie] ?? "")\r\n\r\n")
            try await socket.waitFor(within: .seconds(3)) { $0.contains("HTTP/1.1 101") && $0.contains(#"{"type":"hello"}"#) }
            // Quiet for three times both timeouts, then a ping is still answered with its pong.
            try await Task.sleep(for: .seconds(3))
            #expect(socket.isOpen, "the WebSocket was closed by an HTTP timeout")
            let mask: [UInt8] = [1, 2, 3, 4]
            let payload = Array("ping".utf8).enumerated().map { $0.element ^ mask[$0.offset % 4] }
            try await socket.send([0x89, 0x80 | 4] + mask + payload)
            try await socket.waitFor(within: .seconds(3)) { $0.contains("\u{8A}\u{04}ping") }
            try await socket.close()
        }
    }

    // MARK: security headers

    @Test func errorAnswersCarryTheSecurityHeaders() async throws {
        try await LiveServer.run { app, port in
            let cookie = app.headers(.admin)[.cookie] ?? ""
            let camera = #"{"name":"Nowhere","kind":"city","location":{"latitude":95,"longitude":0}}"#
            let requests: [(head: String, body: String, status: Int)] = [
                ("GET /api/v1/cameras HTTP/1.1\r\nHost: rtcc\r\n", "", 401),
                ("GET /api/v1/no-such-thing HTTP/1.1\r\nHost: rtcc\r\nCookie: \(cookie)\r\n", "", 404),
                ("POST /api/v1/cameras HTTP/1.1\r\nHost: rtcc\r\nCookie: \(cookie)\r\nContent-Type: application/json\r\n", camera, 422),
                ("TRACE /api/v1/health HTTP/1.1\r\nHost: rtcc\r\n", "", 405),
                ("GET /api/v1/health HTTP/1.1\r\nHost: rtcc\r\n", "", 200),
            ]
            for (head, body, status) in requests {
                let connection = try await RawConnection.open(port: port)
                try await connection.send(head + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
                let reply = try #require(await connection.closed(within: .seconds(3)), "\(head)")
                #expect(reply.status == status, "\(head): \(reply.text.prefix(300))")
                #expect(reply.header("x-content-type-options") == "nosniff", "\(head)")
                #expect(reply.header("content-security-policy") == "default-src 'none'; frame-ancestors 'none'", "\(head)")
                #expect(reply.header("x-frame-options") == "DENY", "\(head)")
                #expect(reply.header("referrer-policy") == "no-referrer", "\(head)")
                #expect(reply.header("cache-control") == "no-store", "\(head)")
            }
        }
    }

    @Test func theWebAppPolicyAllowsItsOwnFilesBlobVideoAndTheConfiguredTiles() async throws {
        try await LiveServer.run(configure: { $0.mapTileURL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png" }) { _, port in
            let connection = try await RawConnection.open(port: port)
            try await connection.send("GET /wall HTTP/1.1\r\nHost: rtcc\r\nConnection: close\r\n\r\n")
            let reply = try #require(await connection.closed(within: .seconds(3)))
            #expect(reply.status == 200)
            let policy = try #require(reply.header("content-security-policy"))
            #expect(policy.contains("script-src 'self';"))
            #expect(policy.contains("img-src 'self' data: blob: https://*.tiles.example.org;"))
            #expect(policy.contains("media-src 'self' blob:"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(reply.header("x-frame-options") == "DENY")
            #expect(reply.header("x-content-type-options") == "nosniff")
        }
    }

    @Test func limitsOutsideTheirRangesAreRefusedAtStart() throws {
        var config = AppConfig()
        config.headerTimeoutSeconds = 0
        #expect(throws: AppConfig.Invalid.self) { try config.validate() }
        #expect(throws: AppConfig.Invalid.self) { try config.set("maxHeaderBytes", "12", from: "test") }
        try config.set("maxConnectionsPerAddress", "32", from: "test")
        #expect(config.maxConnectionsPerAddress == 32)
    }
}

// MARK: - helpers

/// A real server on 127.0.0.1 and a free port, over a fresh test database.
enum LiveServer {
    static func run<Value: Sendable>(
        configure: @escaping (inout AppConfig) -> Void = { _ in }, _ body: @escaping @Sendable (TestApp, Int) async throws -> Value
    ) async throws -> Value {
        let app = try await TestApp.make { config in
            config.host = "127.0.0.1"
            config.port = 0
            config.recordingEnabled = false
            configure(&config)
        }
        var logger = Logger(label: "http-hardening")
        logger.logLevel = .warning
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let application = try await buildApplication(services: app.services, logger: logger) { port in
            portFound.yield(port)
            portFound.finish()
        }
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let value = try await body(app, port)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return value
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// What a server sent on a raw connection until it closed it.
struct RawReply: Sendable {
    /// Everything received, as text (Latin-1, so any byte survives).
    var text: String
    /// When the server closed the connection.
    var closedAt: ContinuousClock.Instant

    /// The first response's status code.
    var status: Int? {
        guard text.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    /// A header of the first response, by lower-case name.
    func header(_ name: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// The first response's body.
    var body: String {
        guard let range = text.range(of: "\r\n\r\n") else { return "" }
        return String(text[range.upperBound...])
    }
}

/// A TCP connection that writes raw bytes and keeps what comes back.
struct RawConnection: Sendable {
    let channel: any Channel
    let opened: ContinuousClock.Instant
    private let received: NIOLockedValueBox<[UInt8]>
    private let reply: EventLoopFuture<RawReply>

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<[UInt8]>
        let closed: EventLoopPromise<RawReply>

        init(received: NIOLockedValueBox<[UInt8]>, closed: EventLoopPromise<RawReply>) {
            self.received = received
            self.closed = closed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            let bytes = received.withLockedValue { $0 }
            closed.succeed(RawReply(text: latin1(bytes), closedAt: .now))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    /// Connects to 127.0.0.1:`port`.
    static func open(port: Int) async throws -> RawConnection {
        let received = NIOLockedValueBox([UInt8]())
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let closed = loop.makePromise(of: RawReply.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received, closed: closed))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, opened: .now, received: received, reply: closed.futureResult)
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Whether the server has not closed the connection.
    var isOpen: Bool { channel.isActive }

    /// What the server sent before it closed the connection, or nil when it is still open after `limit`.
    func closed(within limit: Duration) async -> RawReply? {
        let loop = channel.eventLoop
        let outcome = loop.makePromise(of: RawReply?.self)
        let settled = NIOLockedValueBox(false)
        let settle: @Sendable (RawReply?) -> Void = { value in
            if settled.withLockedValue({ done in defer { done = true }; return !done }) { outcome.succeed(value) }
        }
        let nanoseconds = max(0, limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000)
        let timer = loop.scheduleTask(in: .nanoseconds(nanoseconds)) { settle(nil) }
        reply.whenComplete { result in
            timer.cancel()
            settle(try? result.get())
        }
        return (try? await outcome.futureResult.get()) ?? nil
    }

    /// Waits until what was received satisfies `condition`.
    func waitFor(within limit: Duration, _ condition: @Sendable (String) -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let bytes = received.withLockedValue { $0 }
            if condition(latin1(bytes)) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = latin1(received.withLockedValue { $0 })
        Issue.record("not received within \(limit): got \(text.prefix(300))")
        throw CancellationError()
    }

    /// Waits for one complete response (with a `Content-Length`) on a kept-alive connection.
    func waitForResponse() async throws {
        try await waitFor(within: .seconds(3)) { text in
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<end.lowerBound].lowercased()
            guard let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { return false }
            return text[end.upperBound...].unicodeScalars.count >= length
        }
    }

    func close() async throws {
        try await channel.close()
    }
}

/// Bytes as text, one character per byte, so that any byte survives.
func latin1(_ bytes: [UInt8]) -> String {
    String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
}
