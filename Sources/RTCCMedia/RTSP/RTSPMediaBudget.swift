import NIOCore
import Synchronization

/// The bytes of media an ``RTSPClient`` may have read but its consumer not yet handled. While they are spent the client
/// stops reading its sockets, so a consumer that falls behind slows the camera down through TCP instead of losing
/// packets from a queue; what waits is bounded by bytes, not by a count of packets of any size.
///
/// The client spends the payload bytes of every media packet before handing it on; the consumer gives them back once it
/// has handled the packet (``release(_:)``), and the client gives back those of packets it does not hand on.
public final class RTSPMediaBudget: Sendable {
    private struct State {
        var available: Int
        var waiter: (needed: Int, continuation: CheckedContinuation<Void, Never>)?
        /// Called once bytes are available again after ``RTSPMediaBudget/spendNow(_:whenRoom:)`` overspent.
        var whenRoom: (@Sendable () -> Void)?
        var cancelled = false

        /// Whether `bytes` may be spent now: enough is available, or nothing is spent at all (a packet larger than the
        /// whole budget), or the spender's task was cancelled.
        func grants(_ bytes: Int, capacity: Int) -> Bool {
            cancelled || available >= bytes || available == capacity
        }
    }

    /// The bytes that may wait at once.
    public let capacity: Int
    private let state: Mutex<State>

    /// A budget of `capacity` bytes (1 MiB: four seconds of a 2 Mbit/s camera).
    public init(capacity: Int = 1 << 20) {
        self.capacity = max(capacity, 1)
        self.state = Mutex(State(available: max(capacity, 1)))
    }

    /// The bytes not spent.
    public var available: Int { state.withLock { $0.available } }

    /// The payload bytes of the media packets among `messages`.
    static func mediaBytes(of messages: [RTSPMessage]) -> Int {
        var total = 0
        for case .interleaved(let frame) in messages { total += frame.payload.readableBytes }
        return total
    }

    /// The payload bytes of the packets among `events`.
    public static func bytes(of events: [RTSPMediaEvent]) -> Int {
        var total = 0
        for event in events {
            switch event {
            case .rtp(_, let bytes, _), .rtcp(_, let bytes, _): total += bytes.readableBytes
            case .sessionStarted, .fellBackToTCP, .ended: break
            }
        }
        return total
    }

    /// Spends `bytes`, waiting while less is available (one spender at a time: the client's reader). More than the
    /// whole capacity is granted once nothing else is spent, so a packet larger than the budget cannot wait forever.
    /// Returns at once when the task is cancelled.
    func spend(_ bytes: Int) async {
        guard bytes > 0 else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let granted = state.withLock { state -> Bool in
                    if state.grants(bytes, capacity: capacity) {
                        state.available -= bytes
                        return true
                    }
                    state.waiter = (bytes, continuation)
                    return false
                }
                if granted { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume()
        }
    }

    /// Spends `bytes` without waiting (an event loop cannot wait): the budget may go into debt. Returns whether bytes
    /// are left; when none are, `whenRoom` is called once the consumer has given a quarter of the capacity back (not at
    /// the first byte, so a reader held back resumes for a useful amount of reading, not one packet at a time).
    func spendNow(_ bytes: Int, whenRoom: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            state.available -= bytes
            guard state.available <= 0 else { return true }
            state.whenRoom = whenRoom
            return false
        }
    }

    /// Makes the whole capacity available again (a new connection: what the last one spent will not be handed on).
    func reset() {
        let waiter = state.withLock { state in
            state.available = capacity
            state.cancelled = false
            state.whenRoom = nil
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume()
    }

    /// Gives back `bytes` spent earlier; a waiting spender goes on once enough is available.
    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let (resumed, room) = state.withLock { state -> (CheckedContinuation<Void, Never>?, (@Sendable () -> Void)?) in
            state.available = min(state.available + bytes, capacity)
            var room: (@Sendable () -> Void)?
            if state.available >= capacity / 4, let whenRoom = state.whenRoom {
                room = whenRoom
                state.whenRoom = nil
            }
            guard let waiter = state.waiter, state.grants(waiter.needed, capacity: capacity) else { return (nil, room) }
            state.available -= waiter.needed
            state.waiter = nil
            return (waiter.continuation, room)
        }
        resumed?.resume()
        room?()
    }
}
