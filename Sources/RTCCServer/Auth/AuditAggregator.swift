import Foundation
import Synchronization

/// Folds a burst of like audit events into few entries, so that a caller repeating a refused request cannot flood the
/// audit log: the first occurrence of an (action, actor, target) in a window is written at once, the rest are only
/// counted, and one summary entry with the count is written when the window has closed.
public final class AuditAggregator: Sendable {
    /// An audit entry to write.
    public struct Entry: Sendable, Equatable {
        /// Audit action, e.g. `access.denied`.
        public var action: String
        /// Who did it.
        public var actor: String
        /// What it concerned.
        public var target: String
        /// Source address (of the first occurrence in the window).
        public var source: String
        /// What happened, with the count.
        public var detail: String
        /// Occurrences this entry stands for.
        public var count: Int
    }

    private struct Bucket {
        var first: Entry
        var opened: Date
        var suppressed: Int
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        /// The earliest time a window with suppressed occurrences closes (a fast path for ``due(now:)``).
        var nextDue = Date.distantFuture
    }

    /// How long one entry stands for its repeats.
    public let window: TimeInterval
    private let state = Mutex(State())
    /// Windows kept at most; beyond that every window is closed and summarised at once.
    static let capacity = 10_000

    /// Creates an aggregator whose entries each stand for `window` seconds of repeats.
    public init(window: TimeInterval = 60) { self.window = window }

    /// Notes one occurrence; returns the entries to write now: the first of a window, and the summary of the window
    /// it replaces.
    public func note(action: String, actor: String, target: String, source: String, detail: String, now: Date = Date()) -> [Entry] {
        let key = "\(action)\u{1F}\(actor)\u{1F}\(target)"
        return state.withLock { state in
            var out: [Entry] = []
            if let bucket = state.buckets[key] {
                if now < bucket.opened.addingTimeInterval(window) {
                    state.buckets[key]?.suppressed += 1
                    state.nextDue = min(state.nextDue, bucket.opened.addingTimeInterval(window))
                    return []
                }
                if let summary = summary(bucket) { out.append(summary) }
            }
            if state.buckets.count >= Self.capacity {
                out += state.buckets.values.compactMap(summary)
                state.buckets.removeAll()
                state.nextDue = .distantFuture
            }
            let first = Entry(action: action, actor: actor, target: target, source: source, detail: "\(detail); count 1", count: 1)
            state.buckets[key] = Bucket(first: first, opened: now, suppressed: 0)
            out.append(first)
            return out
        }
    }

    /// Summaries of the windows closed by `now` that counted repeats; those windows are forgotten.
    public func due(now: Date = Date()) -> [Entry] {
        state.withLock { state in
            guard now >= state.nextDue else { return [] }
            var out: [Entry] = []
            var next = Date.distantFuture
            for (key, bucket) in state.buckets {
                let closes = bucket.opened.addingTimeInterval(window)
                if closes <= now {
                    if let summary = summary(bucket) { out.append(summary) }
                    state.buckets[key] = nil
                } else if bucket.suppressed > 0 {
                    next = min(next, closes)
                }
            }
            state.nextDue = next
            return out
        }
    }

    private func summary(_ bucket: Bucket) -> Entry? {
        guard bucket.suppressed > 0 else { return nil }
        var entry = bucket.first
        let base = entry.detail.dropLast("; count 1".count)
        entry.count = bucket.suppressed
        entry.detail = "\(base); count \(bucket.suppressed) more in the \(Int(window)) s after \(bucket.opened.ISO8601Format())"
        return entry
    }
}
