import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

/// Accounts against the attacks: an anonymous guesser trying to lock out an administrator, probing which accounts
/// exist, a disabled user's credentials, a caller hammering what it may not do, and share-link token guessing.
@Suite(.timeLimit(.minutes(5))) struct AccountHardeningTests {
    static func login(_ username: String, _ password: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: ["username": username, "password": password]), as: UTF8.self)
    }

    // MARK: lockout

    @Test(.enabled(if: LoopbackAlias.available, "needs 127.0.0.2 and 127.0.0.3 on the loopback interface (Linux)"))
    func fiveWrongPasswordsFromOneAddressDoNotStopTheAdminSigningInFromAnother() async throws {
        try await LiveServer.run { _, port in
            for attempt in 1...5 {
                let reply = try await LoopbackAlias.post("/api/v1/auth/login", body: Self.login("admin", "guess number \(attempt)"), from: "127.0.0.2", port: port)
                #expect(reply.status == 401, "attempt \(attempt)")
            }
            // The guesser is locked out even with the right password…
            let guesser = try await LoopbackAlias.post("/api/v1/auth/login", body: Self.login("admin", TestApp.password), from: "127.0.0.2", port: port)
            #expect(guesser.status == 401, "a single guesser is locked after 5 failures in 15 minutes")
            // …while the administrator, elsewhere, signs in.
            let owner = try await LoopbackAlias.post("/api/v1/auth/login", body: Self.login("admin", TestApp.password), from: "127.0.0.3", port: port)
            #expect(owner.status == 200, "\(owner.body)")
            #expect(owner.header("set-cookie")?.contains("rtcc_session=") == true)
        }
    }

    @Test func failuresLockAnAccountForOneAddressAfterFiveInFifteenMinutes() {
        let lock = FailureLock(limit: 5, window: 15 * 60, lockFor: 900)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let guesser = "admin\u{1F}198.51.100.7", owner = "admin\u{1F}10.1.2.3"
        for minute in 0..<4 { #expect(!lock.fail(guesser, now: start.addingTimeInterval(Double(minute) * 60)).locked) }
        #expect(lock.retryAfter(guesser, now: start.addingTimeInterval(300)) == nil)
        #expect(lock.fail(guesser, now: start.addingTimeInterval(14 * 60)).locked, "the fifth failure within 15 minutes locks")
        #expect(lock.retryAfter(guesser, now: start.addingTimeInterval(15 * 60)) != nil)
        #expect(lock.retryAfter(owner, now: start.addingTimeInterval(15 * 60)) == nil, "another address is not locked")
        #expect(lock.retryAfter(guesser, now: start.addingTimeInterval(14 * 60 + 901)) == nil, "the lock lasts lockoutSeconds")
        // Failures more than 15 minutes apart in fives (one every 4 minutes) never lock.
        let slow = "analyst\u{1F}198.51.100.8"
        for step in 0..<10 { #expect(!lock.fail(slow, now: start.addingTimeInterval(Double(step) * 4 * 60)).locked) }
    }

    @Test func anUnknownAccountAndALockedAccountGetByteIdenticalAnswers() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            func login(_ name: String, _ password: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: jsonHeaders, body: jsonBody(["username": name, "password": password]))
            }
            for _ in 0..<5 { #expect(try await login("officer", "wrong password!").status == .unauthorized) }
            let locked = try await login("officer", TestApp.password)
            let unknown = try await login("nobody", TestApp.password)
            let wrong = try await login("analyst", "wrong password!")
            for response in [locked, unknown, wrong] {
                #expect(response.status == .unauthorized)
                #expect(Array(response.body.readableBytesView) == Array(locked.body.readableBytesView))
                #expect(Self.comparable(response.headers) == Self.comparable(locked.headers))
            }
            #expect(locked.headers[.retryAfter] == nil)
        }
        // Only the audit log tells them apart.
        let failures = try await app.services.audit.entries(action: "auth.login_failed")
        #expect(failures.contains { $0.actor == "officer" && $0.detail == "account locked for this address" })
        #expect(failures.contains { $0.actor == "nobody" && $0.detail == "unknown user" })
    }

    /// Headers less the ones that change from one response to the next on their own.
    static func comparable(_ headers: HTTPFields) -> [String] {
        headers.filter { $0.name != .date }.map { "\($0.name.canonicalName): \($0.value)" }.sorted()
    }

    // MARK: disabled users

    @Test func disablingAUserEndsItsSessionAndTokenAtOnceAndForGood() async throws {
        let app = try await TestApp.make()
        let officer = try #require(app.users[.officer])
        let issued = try await app.services.store.tokens.issue(name: "lpr feed", ownerID: officer.id, scopes: [.camerasRead], expiresAt: nil)
        let bearer: HTTPFields = [.authorization: "Bearer \(issued.secret)"]
        try await app.test { client async throws in
            // Both in use, the token's identity remembered.
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: app.headers(.officer)).status == .ok)
            let disable = try await client.execute(
                uri: "/api/v1/users/\(officer.id)", method: .patch, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["disabled": true]))
            #expect(disable.status == .ok)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: app.headers(.officer)).status == .unauthorized)
            // Enabled again, the old session and token stay dead: the user signs in again and is issued new tokens.
            let enable = try await client.execute(
                uri: "/api/v1/users/\(officer.id)", method: .patch, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["disabled": false]))
            #expect(enable.status == .ok)
            #expect(try await client.execute(uri: "/api/v1/cameras", method: .get, headers: bearer).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: app.headers(.officer)).status == .unauthorized)
        }
        #expect(try await app.services.store.sessions.find(token: app.cookies[.officer]!) == nil)
        #expect(try await app.services.store.tokens.list().first { $0.id == issued.token.id }?.revokedAt != nil)
        let updates = try await app.services.audit.entries(action: "users.update")
        #expect(updates.contains { $0.detail.contains("sessions ended, tokens revoked") })
    }

    // MARK: refused requests

    @Test func aBurstOfRefusedRequestsIsAuditedOnceWithItsCount() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            for _ in 0..<100 {
                #expect(try await client.execute(uri: "/api/v1/users", method: .get, headers: app.headers(.officer)).status == .forbidden)
            }
        }
        let first = try await app.services.audit.entries(action: "access.denied")
        #expect(first.count == 1)
        let entry = try #require(first.first)
        #expect(entry.actor == "officer")
        #expect(entry.target == "GET /api/v1/users")
        #expect(entry.detail.contains("users:read") && entry.detail.contains("/api/v1/users") && entry.detail.contains("count 1"), "\(entry.detail)")
        // When the minute is over, one summary entry carries the count of the rest.
        try await app.services.recordClosedAuditBursts(now: Date().addingTimeInterval(61))
        let all = try await app.services.audit.entries(action: "access.denied")
        #expect(all.count == 2)
        #expect(all.contains { $0.detail.contains("count 99 more") }, "\(all.map(\.detail))")
    }

    @Test func aMinuteOfRepeatsIsOneEntryAndOneSummary() {
        let aggregator = AuditAggregator(window: 60)
        let now = Date()
        var written = 0
        for second in 0..<300 {
            written += aggregator.note(
                action: "access.denied", actor: "partner", target: "GET /api/v1/cameras/{id}", source: "10.0.0.9", detail: "needs cameras:read",
                now: now.addingTimeInterval(Double(second) / 10)
            ).count
        }
        #expect(written == 1, "300 denials within 30 s: one entry")
        let summaries = aggregator.due(now: now.addingTimeInterval(60))
        #expect(summaries.map(\.count) == [299])
        #expect(aggregator.due(now: now.addingTimeInterval(120)).isEmpty)
    }

    // MARK: share links

    @Test func guessingShareTokensFromOneAddressGets429AfterTheLimit() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            for guess in 0..<10 {
                let response = try await client.execute(uri: "/api/v1/share/guess-\(guess)-\(UUID().uuidString)", method: .get)
                #expect(response.status == .notFound)
            }
            let throttled = try await client.execute(uri: "/api/v1/share/guess-\(UUID().uuidString)", method: .get)
            #expect(throttled.status == .tooManyRequests)
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(throttled.headers[.contentType] == "application/problem+json")
        }
        let guesses = try await app.services.audit.entries(action: "evidence.share_guess")
        #expect(guesses.count == 1, "ten guesses in a minute: one entry")
        #expect(guesses.first?.detail.contains("count 1") == true)
        try await app.services.recordClosedAuditBursts(now: Date().addingTimeInterval(61))
        #expect(try await app.services.audit.entries(action: "evidence.share_guess").contains { $0.detail.contains("count 9 more") })
    }
}

/// HTTP/1.1 requests sent from another loopback address (127.0.0.2…), to play clients on different machines.
enum LoopbackAlias {
    /// Whether 127.0.0.2 can be bound (every 127/8 address is local on Linux; macOS has only 127.0.0.1).
    static let available: Bool = {
        #if os(Linux)
        return true
        #else
        return false
        #endif
    }()

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = NIOLockedValueBox([UInt8]())
        let done: EventLoopPromise<RawReply>
        init(done: EventLoopPromise<RawReply>) { self.done = done }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }
        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(RawReply(text: latin1(received.withLockedValue { $0 }), closedAt: .now))
        }
    }

    /// POSTs JSON `body` to 127.0.0.1:`port` from `source`, and returns what the server sent before closing (the server
    /// and reply types are HTTPHardeningTests' ``LiveServer`` and ``RawReply``).
    static func post(_ path: String, body: String, from source: String, port: Int) async throws -> RawReply {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: RawReply.self)
        let channel = try await ClientBootstrap(group: loop)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(done: done)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        return try await done.futureResult.get()
    }
}
