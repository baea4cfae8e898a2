import Foundation
import RTCCCore
import Synchronization

/// Pushes alerts to the analysts' WebSockets: each change is encoded once and put in every subscriber's
/// ``AlertMailbox``. A subscriber's writer takes everything waiting at once, so under a burst several alerts go out in
/// one WebSocket message (``batchText(_:)``) instead of one message each, without any added delay when it is quiet.
public actor AlertHub {
    /// One message on `/api/v1/alerts/live`.
    public struct Message: Codable, Sendable {
        /// `alert`.
        public var type = "alert"
        /// `raised` or `updated`.
        public var change: String
        /// The alert after the change.
        public var alert: Alert

        /// Creates a message.
        public init(change: String, alert: Alert) {
            self.change = change
            self.alert = alert
        }
    }

    /// Messages a slow subscriber may fall behind by (it then loses the oldest, and reloads the queue).
    public static let bufferSize = 4096

    /// Shortest time between two messages to one analyst: alerts raised meanwhile wait and go together.
    public static let pushInterval = Duration.milliseconds(20)

    private var subscribers: [UUID: AlertMailbox] = [:]

    /// Creates a hub with no subscribers.
    public init() {}

    /// How many analysts are connected.
    public var subscriberCount: Int { subscribers.count }

    /// A mailbox of encoded messages until ``unsubscribe(_:)``.
    public func subscribe() -> (id: UUID, messages: AlertMailbox) {
        let id = UUID()
        let mailbox = AlertMailbox(capacity: Self.bufferSize)
        subscribers[id] = mailbox
        return (id, mailbox)
    }

    /// Stops a subscription.
    public func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    /// Sends `alert` to every subscriber (encoded by the caller's task, not on the hub).
    public nonisolated func publish(_ alert: Alert, change: String) async {
        await deliver(Self.message(alertJSON: alert.json, change: change))
    }

    /// Sends an encoded ``Message`` to every subscriber, and in a cluster to the other nodes' subscribers.
    public func deliver(_ text: String) {
        deliverLocally(text)
        relay?.yield(text)
    }

    /// Sends an encoded ``Message`` to this node's subscribers only (one that came from another node).
    public func deliverLocally(_ text: String) {
        for mailbox in subscribers.values { mailbox.post(text) }
    }

    /// In a cluster, the messages to pass on to the other nodes (in order); nil for a single server.
    private var relay: AsyncStream<String>.Continuation?

    /// Starts passing every delivered message on; the returned stream yields them in order.
    public func relayed() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(Self.bufferSize))
        relay = continuation
        return stream
    }

    /// The ``Message`` for an encoded alert, exactly as encoding the message would write it (keys sorted).
    public static func message(alertJSON: String, change: String) -> String {
        #"{"alert":"# + alertJSON + #","change":""# + change + #"","type":"alert"}"#
    }

    /// One WebSocket message for `messages` (each an encoded ``Message``): the message itself when there is one,
    /// else `{"type":"batch","messages":[…]}` with them in order.
    public static func batchText(_ messages: [String]) -> String {
        messages.count == 1 ? messages[0] : #"{"type":"batch","messages":["# + messages.joined(separator: ",") + "]}"
    }
}

/// One analyst's waiting messages: posting never blocks the hub; the writer takes all that wait in one call.
public final class AlertMailbox: Sendable {
    private struct State {
        var queue: [String] = []
        var waiter: CheckedContinuation<[String]?, Never>?
        var finished = false
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Adds a message, dropping the oldest beyond the capacity.
    func post(_ message: String) {
        let waiter: CheckedContinuation<[String]?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                // Someone waits, so nothing is queued: hand the message over directly.
                state.waiter = nil
                return waiter
            }
            state.queue.append(message)
            if state.queue.count > capacity { state.queue.removeFirst(state.queue.count - capacity) }
            return nil
        }
        waiter?.resume(returning: [message])
    }

    /// Ends the mailbox: a waiting or later ``next()`` returns nil once the queue is empty.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[String]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Every waiting message (oldest first), waiting for one if none is there; nil once finished, or when the calling
    /// task is cancelled.
    public func next() async -> [String]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[String]?, Never>) in
                let answer: [String]?? = state.withLock { state in
                    if !state.queue.isEmpty {
                        defer { state.queue.removeAll(keepingCapacity: true) }
                        return .some(state.queue)
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            finish()
        }
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
