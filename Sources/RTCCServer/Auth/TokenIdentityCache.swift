import Foundation
import RTCCCore
import Synchronization

/// API-token identities remembered for a moment, so that a feed sending many events a second is not looked up in the
/// database (token, then owner) on every request.
///
/// A token revoked, or an owner changed or disabled, through this server is forgotten at once (``forgetAll()``); a
/// change made by another process (the `rtcc` CLI on the same database) takes effect within ``lifetime``. An entry
/// never outlives its token's expiry.
final class TokenIdentityCache: Sendable {
    /// How long an identity is trusted without reading the database again.
    static let lifetime: TimeInterval = 2

    private struct Entry {
        var identity: Identity
        var validUntil: Date
    }

    /// Keyed by the secret's SHA-256, so the secrets themselves are not kept.
    private let entries = Mutex<[String: Entry]>([:])

    /// The identity remembered for `secret`, unless it is stale.
    func identity(for secret: String, now: Date = Date()) -> Identity? {
        let key = SecretToken.digest(secret)
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.validUntil > now else {
                entries[key] = nil
                return nil
            }
            return entry.identity
        }
    }

    /// Remembers `identity` for `secret` until `expiry` or ``lifetime`` from now, whichever comes first.
    func remember(_ identity: Identity, for secret: String, expiry: Date?, now: Date = Date()) {
        let key = SecretToken.digest(secret)
        let until = min(now.addingTimeInterval(Self.lifetime), expiry ?? .distantFuture)
        entries.withLock { entries in
            // A flood of distinct bad or short-lived tokens cannot grow the table without bound.
            if entries.count >= 10_000 { entries.removeAll() }
            entries[key] = Entry(identity: identity, validUntil: until)
        }
    }

    /// Forgets every identity (a token was revoked or a user changed).
    func forgetAll() { entries.withLock { $0.removeAll() } }
}
