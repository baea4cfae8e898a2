import Foundation

/// Fans frames out to live viewers: one `AsyncStream` per subscriber that keeps only the newest
/// frames (`bufferingNewest`), so a slow viewer drops frames instead of holding memory.
public actor FrameBroadcaster {
    private var subscribers: [UUID: AsyncStream<TimedVideoFrame>.Continuation] = [:]

    /// Creates a broadcaster with no subscriber.
    public init() {}

    /// The number of live subscribers.
    public var subscriberCount: Int { subscribers.count }

    /// A stream of the frames published from now on, keeping at most `bufferingNewest` unread.
    /// Viewers should wait for a keyframe before decoding.
    public func subscribe(bufferingNewest: Int = 50) -> AsyncStream<TimedVideoFrame> {
        let (stream, continuation) = AsyncStream.makeStream(of: TimedVideoFrame.self, bufferingPolicy: .bufferingNewest(max(bufferingNewest, 1)))
        subscribers[UUID()] = continuation
        return stream
    }

    /// Sends a frame to every subscriber, forgetting those whose stream has ended.
    public func publish(_ frame: TimedVideoFrame) {
        for (id, continuation) in subscribers {
            if case .terminated = continuation.yield(frame) { subscribers[id] = nil }
        }
    }

    /// Ends every subscriber's stream.
    public func finish() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
    }
}
