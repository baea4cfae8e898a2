import Foundation
import RTCCCore
import RTCCServer
import Synchronization
import Testing

/// The short memory of API-token identities that spares the database a lookup per request.
@Suite struct TokenIdentityCacheTests {
    let feed = Identity(
        user: User(id: UUID(), username: "feeds", displayName: "Feeds", role: .admin, partnerID: nil, disabled: false, createdAt: Date()),
        permissions: [.eventsWrite], credential: .token(id: UUID(), name: "gunshot feed"))

    /// Counts lookups; each waits until `release()` (or a short sleep when not held).
    final class Lookups: Sendable {
        private let state = Mutex((count: 0, held: [CheckedContinuation<Void, Never>](), holding: false))
        var count: Int { state.withLock { $0.count } }
        func hold() { state.withLock { $0.holding = true } }
        func release() {
            let waiting = state.withLock { state in
                defer { state.held = []; state.holding = false }
                return state.held
            }
            for waiter in waiting { waiter.resume() }
        }
        func waitForStart(_ n: Int) async {
            while count < n { try? await Task.sleep(for: .milliseconds(5)) }
        }
        func run<T: Sendable>(_ answer: T) async -> T {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let park = state.withLock { state in
                    state.count += 1
                    if state.holding { state.held.append(continuation) }
                    return state.holding
                }
                if !park { continuation.resume() }
            }
            return answer
        }
    }

    final class Tally: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }

    @Test func requestsArrivingWhileATokenIsLookedUpShareTheOneLookup() async throws {
        let cache = TokenIdentityCache()
        let lookups = Lookups()
        lookups.hold()
        let feed = self.feed
        let names = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<200 {
                group.addTask { try await cache.identity(for: "secret-a") { await lookups.run((feed, nil)) }?.user.username }
            }
            await lookups.waitForStart(1)
            try await Task.sleep(for: .milliseconds(50))
            lookups.release()
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(names.count == 200 && names.allSatisfy { $0 == "feeds" })
        #expect(lookups.count == 1, "200 simultaneous requests read the database \(lookups.count) times")
        // Remembered afterwards: no further lookup.
        _ = try await cache.identity(for: "secret-a") { await lookups.run((feed, nil)) }
        #expect(lookups.count == 1)
        // Another secret is looked up on its own.
        _ = try await cache.identity(for: "secret-b") { await lookups.run((feed, nil)) }
        #expect(lookups.count == 2)
    }

    @Test func aLookupUnderWayWhenIdentitiesAreForgottenIsNotRemembered() async throws {
        let cache = TokenIdentityCache()
        let lookups = Lookups()
        lookups.hold()
        let feed = self.feed
        let first = Task { try await cache.identity(for: "secret") { await lookups.run((feed, nil)) } }
        await lookups.waitForStart(1)
        // The token is revoked through this server while its owner is being read.
        cache.forgetAll()
        lookups.release()
        _ = try await first.value
        #expect(cache.identity(for: "secret") == nil, "what was read before the revocation must not be trusted")
        _ = try await cache.identity(for: "secret") { await lookups.run(nil as TokenIdentityCache.Found?) }
        #expect(lookups.count == 2)
        #expect(cache.identity(for: "secret") == nil, "an unknown token is not remembered")
    }

    @Test func aFailedLookupReachesEveryWaiterAndLeavesNothingRemembered() async throws {
        struct DatabaseDown: Error {}
        let cache = TokenIdentityCache()
        let lookups = Lookups()
        lookups.hold()
        let failures = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await cache.identity(for: "secret") { () async throws -> TokenIdentityCache.Found? in
                            _ = await lookups.run(0)
                            throw DatabaseDown()
                        }
                    } catch is DatabaseDown {
                        failures.add()
                    } catch {}
                }
            }
            await lookups.waitForStart(1)
            try? await Task.sleep(for: .milliseconds(50))
            lookups.release()
        }
        #expect(failures.count == 20)
        #expect(lookups.count == 1)
        let feed = self.feed
        let recovered = try await cache.identity(for: "secret") { await lookups.run((feed, nil)) }
        #expect(recovered?.user.username == "feeds")
        #expect(lookups.count == 2)
    }

    @Test func anIdentityNeverOutlivesItsTokensExpiry() async throws {
        let cache = TokenIdentityCache()
        let feed = self.feed
        let expiry = Date().addingTimeInterval(0.5)
        _ = try await cache.identity(for: "expiring") { (feed, expiry) }
        #expect(cache.identity(for: "expiring", now: expiry.addingTimeInterval(-0.1)) != nil)
        #expect(cache.identity(for: "expiring", now: expiry.addingTimeInterval(0.1)) == nil)
        // Without an expiry, remembered for the lifetime from when the lookup ended.
        let before = Date()
        _ = try await cache.identity(for: "lasting") { (feed, nil) }
        let after = Date()
        #expect(cache.identity(for: "lasting", now: before.addingTimeInterval(TokenIdentityCache.lifetime - 0.1)) != nil)
        #expect(cache.identity(for: "lasting", now: after.addingTimeInterval(TokenIdentityCache.lifetime + 0.1)) == nil)
    }
}
