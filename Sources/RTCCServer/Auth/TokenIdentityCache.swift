import Foundation
import RTCCCore
import Synchronization

/// API-token identities remembered for a moment, so that a feed sending many events a second is not looked up in the
/// database (token, then owner) on every request.
///
/// A token revoked, or an owner changed or disabled, through this server is forgotten at once (``forgetAll()``); a
/// change made by another process (the `rtcc` CLI on the same database) takes effect within ``lifetime``. An entry
/// never outlives its token's expiry.
///
/// When an entry lapses, the requests that arrive with that token while it is being looked up again all wait for the
/// one lookup, instead of each reading the database: at 1 000 requests a second a lapse otherwise sent hundreds of
/// identical reads to the database at once, every ``lifetime``, and held up everything else waiting for it.
public final class TokenIdentityCache: Sendable {
    /// How long an identity is trusted without reading the database again.
    public static let lifetime: TimeInterval = 2

    /// What a lookup found: the identity and the token's expiry.
    public typealias Found = (identity: Identity, expiry: Date?)

    private struct Entry {
        var identity: Identity
        var validUntil: Date
    }

    private struct State {
        /// Keyed by the secret's SHA-256, so the secrets themselves are not kept.
        var entries: [String: Entry] = [:]
        /// The lookup under way for each key.
        var lookups: [String: Task<Found?, any Error>] = [:]
        /// Raised by ``forgetAll()``: a lookup that started before it does not store what it read.
        var generation = 0
    }

    private let state = Mutex(State())

    /// Creates an empty cache.
    public init() {}

    /// The identity remembered for `secret`, unless it is stale.
    public func identity(for secret: String, now: Date = Date()) -> Identity? {
        let key = SecretToken.digest(secret)
        return state.withLock { state in Self.fresh(key, in: &state, now: now) }
    }

    /// The identity for `secret`: the one remembered, else what `lookup` finds (nil: no such valid token), looked up
    /// once for every caller asking meanwhile and then remembered. A lookup's error reaches every caller waiting for
    /// it, and nothing is remembered.
    public func identity(for secret: String, now: Date = Date(), lookup: @escaping @Sendable () async throws -> Found?) async throws -> Identity? {
        let key = SecretToken.digest(secret)
        let (known, pending, generation): (Identity?, Task<Found?, any Error>?, Int) = state.withLock { state in
            if let known = Self.fresh(key, in: &state, now: now) { return (known, nil, state.generation) }
            if let running = state.lookups[key] { return (nil, running, state.generation) }
            let started = Task { try await lookup() }
            state.lookups[key] = started
            return (nil, started, state.generation)
        }
        if let known { return known }
        guard let pending else { return nil }
        let found: Found?
        do {
            found = try await pending.value
        } catch {
            state.withLock { state in if state.lookups[key] == pending { state.lookups[key] = nil } }
            throw error
        }
        state.withLock { state in
            guard state.lookups[key] == pending else { return }
            state.lookups[key] = nil
            // A token revoked or a user changed while this lookup ran: what it read may be out of date.
            guard state.generation == generation, let found else { return }
            Self.store(found, key: key, in: &state, now: Date())
        }
        return found?.identity
    }

    /// Forgets every identity (a token was revoked or a user changed), and what lookups under way will find.
    public func forgetAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.lookups.removeAll()
            state.generation += 1
        }
    }

    private static func fresh(_ key: String, in state: inout State, now: Date) -> Identity? {
        guard let entry = state.entries[key] else { return nil }
        guard entry.validUntil > now else {
            state.entries[key] = nil
            return nil
        }
        return entry.identity
    }

    /// Remembers what a lookup found until the token's expiry or ``lifetime`` from `now`, whichever comes first.
    private static func store(_ found: Found, key: String, in state: inout State, now: Date) {
        // A flood of distinct bad or short-lived tokens cannot grow the table without bound.
        if state.entries.count >= 10_000 { state.entries.removeAll() }
        state.entries[key] = Entry(identity: found.identity, validUntil: min(now.addingTimeInterval(lifetime), found.expiry ?? .distantFuture))
    }
}
