/// Counters kept by ``RTPReorderBuffer``.
public struct RTPReceptionStatistics: Sendable, Hashable {
    /// Packets accepted into the buffer (not counting duplicates and late packets).
    public var received: Int = 0
    /// Sequence numbers given up on: never arrived before the buffer moved past them.
    public var lost: Int = 0
    /// Packets whose sequence number was already buffered or recently emitted.
    public var duplicates: Int = 0
    /// Packets that arrived after their slot had been skipped as lost.
    public var late: Int = 0
    /// Packets that arrived out of order but in time to be put back in place.
    public var reordered: Int = 0
    /// Times the stream jumped so far that the buffer restarted at the new sequence number.
    public var resets: Int = 0

    /// Creates zeroed counters.
    public init() {}
}

/// Puts RTP packets received over UDP back into sequence order.
///
/// Packets are held while a gap is open, at most `capacity` of them and at most `maximumDelay`
/// after the oldest one arrived; then the gap is declared lost and emission goes on. Sequence
/// numbers are compared modulo 2^16, so wraparound is handled.
public struct RTPReorderBuffer: Sendable {
    private struct Held: Sendable {
        var packet: RTPPacket
        var arrival: ContinuousClock.Instant
    }

    /// How many packets may be held while waiting for a missing one.
    public let capacity: Int
    /// How long a held packet may wait for the packets before it.
    public let maximumDelay: Duration
    /// Counters since creation.
    public private(set) var statistics = RTPReceptionStatistics()

    private var nextSequence: UInt16?
    private var held: [UInt16: Held] = [:]
    private var recentlyEmitted: [UInt16?]
    private static let historySize = 1024
    /// A jump larger than this (RFC 3550 appendix A.1's MAX_DROPOUT) restarts the sequence.
    private static let maximumDropout = 3000
    /// A step back larger than this is a sender restart, not a late packet (RFC 3550, appendix A.1).
    private static let maximumMisorder = 100

    /// Creates a buffer; `capacity` is clamped to 1...1000.
    public init(capacity: Int = 64, maximumDelay: Duration = .milliseconds(500)) {
        self.capacity = min(max(capacity, 1), 1000)
        self.maximumDelay = maximumDelay
        self.recentlyEmitted = Array(repeating: nil, count: Self.historySize)
    }

    /// The number of packets held waiting for a gap to fill.
    public var heldCount: Int { held.count }

    /// Accepts a packet and returns the packets now ready, in sequence order.
    public mutating func insert(_ packet: RTPPacket, arrival: ContinuousClock.Instant) -> [RTPPacket] {
        let sequence = packet.sequenceNumber
        guard let expected = nextSequence else {
            statistics.received += 1
            nextSequence = sequence
            return emitReady(startingWith: packet) + flushExpired(now: arrival)
        }
        let distance = Int(Int16(bitPattern: sequence &- expected))
        if distance < 0 {
            if recentlyEmitted[Int(sequence) % Self.historySize] == sequence {
                statistics.duplicates += 1
            } else if distance < -Self.maximumMisorder {
                return restart(with: packet, arrival: arrival)
            } else {
                statistics.late += 1
            }
            return flushExpired(now: arrival)
        }
        if distance > Self.maximumDropout {
            return restart(with: packet, arrival: arrival)
        }
        guard held[sequence] == nil else {
            statistics.duplicates += 1
            return flushExpired(now: arrival)
        }
        statistics.received += 1
        if distance == 0 {
            return emitReady(startingWith: packet) + flushExpired(now: arrival)
        }
        held[sequence] = Held(packet: packet, arrival: arrival)
        var output: [RTPPacket] = []
        while held.count > capacity || gapSpan() > capacity {
            output += skipToLowestHeld()
        }
        return output + flushExpired(now: arrival)
    }

    /// Accepts the packet numbered `sequenceNumber` when it arrives in order while nothing is held (the common case) and
    /// returns true: the packet is ready at once, and neither it nor an array is built for it. Returns false, taking
    /// nothing, for any other packet, which goes to ``insert(_:arrival:)``.
    public mutating func acceptInOrder(sequenceNumber: UInt16) -> Bool {
        guard held.isEmpty, let expected = nextSequence, sequenceNumber == expected else { return false }
        statistics.received += 1
        remember(expected)
        nextSequence = expected &+ 1
        return true
    }

    /// Whether a packet is held waiting for a gap to fill (``flushExpired(now:)`` has nothing to do without one).
    public var isHoldingPackets: Bool { !held.isEmpty }

    /// Gives up on gaps whose held packets have waited longer than `maximumDelay`.
    public mutating func flushExpired(now: ContinuousClock.Instant) -> [RTPPacket] {
        var output: [RTPPacket] = []
        while let oldest = held.values.map(\.arrival).min(), now - oldest >= maximumDelay {
            output += skipToLowestHeld()
        }
        return output
    }

    /// Emits every held packet in order, counting the gaps between them as lost.
    public mutating func flush() -> [RTPPacket] {
        var output: [RTPPacket] = []
        while !held.isEmpty {
            output += skipToLowestHeld()
        }
        return output
    }

    private mutating func restart(with packet: RTPPacket, arrival: ContinuousClock.Instant) -> [RTPPacket] {
        let output = flush()
        statistics.resets += 1
        statistics.received += 1
        nextSequence = packet.sequenceNumber
        return output + emitReady(startingWith: packet)
    }

    /// Distance from the expected sequence number to the highest held one.
    private func gapSpan() -> Int {
        guard let expected = nextSequence else { return 0 }
        return held.keys.map { Int($0 &- expected) }.max() ?? 0
    }

    private mutating func skipToLowestHeld() -> [RTPPacket] {
        guard let expected = nextSequence,
            let lowest = held.keys.min(by: { ($0 &- expected) < ($1 &- expected) }),
            let entry = held.removeValue(forKey: lowest)
        else { return [] }
        statistics.lost += Int(lowest &- expected)
        nextSequence = lowest
        return emitReady(startingWith: entry.packet)
    }

    /// Emits `packet` (which has the expected sequence number) and every held packet that follows it.
    private mutating func emitReady(startingWith packet: RTPPacket) -> [RTPPacket] {
        var output = [packet]
        remember(packet.sequenceNumber)
        var next = packet.sequenceNumber &+ 1
        while let entry = held.removeValue(forKey: next) {
            statistics.reordered += 1
            output.append(entry.packet)
            remember(next)
            next &+= 1
        }
        nextSequence = next
        return output
    }

    private mutating func remember(_ sequence: UInt16) {
        recentlyEmitted[Int(sequence) % Self.historySize] = sequence
    }
}
