import Foundation
import Synchronization

/// Fans frames out to live viewers: one `AsyncStream` per subscriber that keeps only the newest
/// frames (`bufferingNewest`), so a slow viewer drops frames instead of holding memory.
///
/// A lock rather than an actor: a recorder publishes every frame of its camera, mostly with no viewer, and a hop to an
/// actor per frame cost more than the whole fan-out.
public final class FrameBroadcaster: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<TimedVideoFrame>.Continuation]>([:])

    /// Creates a broadcaster with no subscriber.
    public init() {}

    /// The number of live subscribers.
    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// A stream of the frames published from now on, keeping at most `bufferingNewest` unread.
    /// Viewers should wait for a keyframe before decoding.
    public func subscribe(bufferingNewest: Int = 50) -> AsyncStream<TimedVideoFrame> {
        let (stream, continuation) = AsyncStream.makeStream(of: TimedVideoFrame.self, bufferingPolicy: .bufferingNewest(max(bufferingNewest, 1)))
        subscribers.withLock { $0[UUID()] = continuation }
        return stream
    }

    /// Sends a frame to every subscriber, forgetting those whose stream has ended.
    public func publish(_ frame: TimedVideoFrame) {
        subscribers.withLock { subscribers in
            for (id, continuation) in subscribers {
                if case .terminated = continuation.yield(frame) { subscribers[id] = nil }
            }
        }
    }

    /// Ends every subscriber's stream.
    public func finish() {
        let ended = subscribers.withLock { subscribers in
            defer { subscribers = [:] }
            return Array(subscribers.values)
        }
        for continuation in ended { continuation.finish() }
    }
}
