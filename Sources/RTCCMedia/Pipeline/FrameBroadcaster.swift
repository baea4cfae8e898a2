import Foundation

/// A recorded picture as live viewers get it: the access unit (its format carries the codec
/// configuration, from which ``FMP4Muxer/initializationSegment()`` is made) with its timing.
public struct LiveVideoFrame: Sendable {
    /// The picture and its format.
    public var accessUnit: VideoAccessUnit
    /// Decode and presentation times, in 90 kHz ticks.
    public var timing: DecodeTiming
    /// Wall-clock time of the presentation time.
    public var wallClock: Date

    /// Creates a frame from its fields.
    public init(accessUnit: VideoAccessUnit, timing: DecodeTiming, wallClock: Date) {
        self.accessUnit = accessUnit
        self.timing = timing
        self.wallClock = wallClock
    }
}

/// Fans frames out to live viewers: one `AsyncStream` per subscriber that keeps only the newest
/// frames (`bufferingNewest`), so a slow viewer drops frames instead of holding memory.
public actor FrameBroadcaster {
    private var subscribers: [UUID: AsyncStream<LiveVideoFrame>.Continuation] = [:]

    /// Creates a broadcaster with no subscriber.
    public init() {}

    /// The number of live subscribers.
    public var subscriberCount: Int { subscribers.count }

    /// A stream of the frames published from now on, keeping at most `bufferingNewest` unread.
    /// Viewers should wait for a keyframe before decoding.
    public func subscribe(bufferingNewest: Int = 50) -> AsyncStream<LiveVideoFrame> {
        let (stream, continuation) = AsyncStream.makeStream(of: LiveVideoFrame.self, bufferingPolicy: .bufferingNewest(max(bufferingNewest, 1)))
        subscribers[UUID()] = continuation
        return stream
    }

    /// Sends a frame to every subscriber, forgetting those whose stream has ended.
    public func publish(_ frame: LiveVideoFrame) {
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
