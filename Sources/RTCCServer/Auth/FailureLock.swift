import Foundation
import Synchronization

/// Counts failures per key in a sliding window and locks a key that reaches the limit, for a while.
///
/// Used for sign-in lockout, keyed by account *and* source address (so a guesser locks only itself out of an account),
/// and for share-link guessing, keyed by source address. State is held in memory: a restart clears it, which an
/// anonymous client cannot cause.
public final class FailureLock: Sendable {
    /// Failures that lock a key.
    public let limit: Int
    /// How far back failures count.
    public let window: TimeInterval
    /// How long a key stays locked once it reaches ``limit``.
    public let lockFor: TimeInterval

    private struct Entry {
        var failures: [Date] = []
        var lockedUntil: Date?
    }

    private let entries = Mutex([String: Entry]())
    /// Keys kept at most: beyond that, lapsed entries are dropped, and if that is not enough the oldest half.
    static let capacity = 100_000

    /// Creates a lock that closes `key` after `limit` failures within `window` seconds, for `lockFor` seconds.
    public init(limit: Int, window: TimeInterval, lockFor: TimeInterval) {
        self.limit = max(1, limit)
        self.window = window
        self.lockFor = lockFor
    }

    /// Seconds until `key` opens again, or nil when it is not locked.
    public func retryAfter(_ key: String, now: Date = Date()) -> Int? {
        entries.withLock { entries in
            guard let until = entries[key]?.lockedUntil, until > now else { return nil }
            return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// Counts a failure for `key`; returns how many failures are now in the window, and whether this one locked the key.
    @discardableResult
    public func fail(_ key: String, now: Date = Date()) -> (failures: Int, locked: Bool) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { Self.prune(&entries, now: now, window: window) }
            var entry = entries[key] ?? Entry()
            let start = now.addingTimeInterval(-window)
            entry.failures.removeAll { $0 <= start }
            entry.failures.append(now)
            let count = entry.failures.count
            var locked = false
            if count >= limit {
                entry.lockedUntil = now.addingTimeInterval(lockFor)
                entry.failures = []
                locked = true
            }
            entries[key] = entry
            return (count, locked)
        }
    }

    /// Forgets `key`'s failures (a successful sign-in).
    public func succeed(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// The latest time a key starting with `prefix` stays locked until, or nil when none is locked (an account's locks
    /// from every address, with keys `account + separator + address`).
    public func lockedUntil(prefix: String, now: Date = Date()) -> Date? {
        entries.withLock { entries in
            entries.filter { $0.key.hasPrefix(prefix) }.compactMap(\.value.lockedUntil).filter { $0 > now }.max()
        }
    }

    /// Forgets every key starting with `prefix` (an administrator unlocked the account).
    public func forget(prefix: String) {
        entries.withLock { entries in entries = entries.filter { !$0.key.hasPrefix(prefix) } }
    }

    private static func prune(_ entries: inout [String: Entry], now: Date, window: TimeInterval) {
        let start = now.addingTimeInterval(-window)
        entries = entries.filter { ($0.value.lockedUntil ?? .distantPast) > now || $0.value.failures.contains { $0 > start } }
        guard entries.count >= capacity else { return }
        // Still full (a flood of distinct keys): keep the keys locked longest.
        let kept = entries.sorted { ($0.value.lockedUntil ?? .distantPast) > ($1.value.lockedUntil ?? .distantPast) }.prefix(capacity / 2)
        entries = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }
}
