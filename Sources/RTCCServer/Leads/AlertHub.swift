import Foundation
import RTCCCore

/// Pushes alerts to the analysts' WebSockets: each change is encoded once and handed to every subscriber's bounded
/// stream (a subscriber that falls more than ``bufferSize`` messages behind loses the oldest, and reloads the queue).
public actor AlertHub {
    /// One message on `/api/v1/alerts/live`.
    public struct Message: Codable, Sendable {
        /// `alert`.
        public var type = "alert"
        /// `raised` or `updated`.
        public var change: String
        /// The alert after the change.
        public var alert: Alert
    }

    /// Messages a slow subscriber may fall behind by.
    public static let bufferSize = 1024

    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]

    /// Creates a hub with no subscribers.
    public init() {}

    /// How many analysts are connected.
    public var subscriberCount: Int { subscribers.count }

    /// A stream of encoded messages until the caller's task ends.
    public func subscribe() -> (id: UUID, messages: AsyncStream<String>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(Self.bufferSize))
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return (id, stream)
    }

    /// Stops a subscription.
    public func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    /// Sends `alert` to every subscriber.
    public func publish(_ alert: Alert, change: String) {
        guard !subscribers.isEmpty, let data = try? JSONCoding.encoder.encode(Message(change: change, alert: alert)) else { return }
        let text = String(decoding: data, as: UTF8.self)
        for continuation in subscribers.values { continuation.yield(text) }
    }
}

/// A token bucket per caller: intake refuses a flood from one token with 429 and says when to retry.
actor IntakeRateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private var buckets: [String: Bucket] = [:]

    /// Allows `perSecond` events a second with a burst of as many.
    init(perSecond: Int) { rate = Double(max(1, perSecond)) }

    /// Takes one event from `caller`'s bucket; nil when allowed, else the seconds to wait.
    func take(_ caller: String, now: ContinuousClock.Instant = .now) -> Int? {
        var bucket = buckets[caller] ?? Bucket(tokens: rate, updated: now)
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(rate, bucket.tokens + seconds * rate)
        bucket.updated = now
        defer { buckets[caller] = bucket }
        guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
        bucket.tokens -= 1
        return nil
    }
}
