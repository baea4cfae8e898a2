import NIOCore

/// An ``RTSPMediaSource`` that replays recorded RTP packets in a loop at their recorded pace.
///
/// Each viewer starts at the first packet (record from a keyframe). On each loop, sequence numbers
/// continue and RTP timestamps advance by the track's span plus ``Track/loopGap``, so decoders see one
/// continuous stream.
public struct RTSPPacketReplaySource: RTSPMediaSource {
    /// A recorded packet.
    public struct Packet: Sendable, Equatable {
        /// The track (index of the `m=` section).
        public var track: Int
        /// When the packet was sent, relative to the first one.
        public var offset: Duration
        /// The whole RTP packet.
        public var bytes: ByteBuffer

        /// Creates a recorded packet.
        public init(track: Int, offset: Duration, bytes: ByteBuffer) {
            self.track = track
            self.offset = offset
            self.bytes = bytes
        }
    }

    /// The description served.
    public let sessionDescription: SessionDescription
    /// The recorded packets, in send order.
    public let packets: [Packet]
    /// The pause between the last packet of one loop and the first of the next.
    public let loopGap: Duration
    /// How many times to play the recording; `nil` loops until the viewer leaves.
    public let loops: Int?

    /// Creates a replay source.
    public init(sessionDescription: SessionDescription, packets: [Packet], loopGap: Duration = .milliseconds(40), loops: Int? = nil) {
        self.sessionDescription = sessionDescription
        self.packets = packets
        self.loopGap = loopGap
        self.loops = loops
    }

    /// A paced, looping sequence for one viewer.
    public func makePackets() -> any AsyncSequence<RTSPMediaPacket, any Error> & Sendable {
        Sequence(source: self)
    }

    struct Sequence: AsyncSequence, Sendable {
        typealias Element = RTSPMediaPacket
        let source: RTSPPacketReplaySource

        func makeAsyncIterator() -> Iterator {
            var counts: [Int: Int] = [:]
            for packet in source.packets { counts[packet.track, default: 0] += 1 }
            return Iterator(source: source, timestampSpans: Self.timestampSpans(source), packetCounts: counts)
        }

        /// Per track: the RTP timestamp distance from the first to the last packet, plus the loop gap.
        static func timestampSpans(_ source: RTSPPacketReplaySource) -> [Int: UInt32] {
            var first: [Int: UInt32] = [:]
            var last: [Int: UInt32] = [:]
            for packet in source.packets {
                guard let timestamp = packet.bytes.getInteger(at: packet.bytes.readerIndex + 4, as: UInt32.self) else { continue }
                if first[packet.track] == nil { first[packet.track] = timestamp }
                last[packet.track] = timestamp
            }
            var spans: [Int: UInt32] = [:]
            for (track, start) in first {
                let rate = source.sessionDescription.media.indices.contains(track)
                    ? source.sessionDescription.media[track].rtpMaps.first?.clockRate ?? 90_000 : 90_000
                let gapTicks = UInt32(clamping: Int(Double(rate) * Double(source.loopGap.components.attoseconds) / 1e18)
                    + Int(source.loopGap.components.seconds) * rate)
                spans[track] = (last[track] ?? start) &- start &+ Swift.max(1, gapTicks)
            }
            return spans
        }
    }

    struct Iterator: AsyncIteratorProtocol {
        let source: RTSPPacketReplaySource
        let timestampSpans: [Int: UInt32]
        let packetCounts: [Int: Int]
        let clock = ContinuousClock()
        var start: ContinuousClock.Instant?
        var index = 0
        var loop = 0

        mutating func next() async throws -> RTSPMediaPacket? {
            guard !source.packets.isEmpty else { return nil }
            if index == source.packets.count {
                index = 0
                loop += 1
            }
            if let loops = source.loops, loop >= loops { return nil }
            let loopLength = (source.packets.last?.offset ?? .zero) + source.loopGap
            let begin = start ?? clock.now
            start = begin
            let packet = source.packets[index]
            index += 1
            try await clock.sleep(until: begin + packet.offset + loopLength * loop)
            return RTSPMediaPacket(track: packet.track, bytes: rewrite(packet))
        }

        private func rewrite(_ packet: Packet) -> ByteBuffer {
            var bytes = packet.bytes
            guard loop > 0, bytes.readableBytes >= 12 else { return bytes }
            let base = bytes.readerIndex
            let count = UInt16(truncatingIfNeeded: packetCounts[packet.track] ?? 0)
            if let sequence = bytes.getInteger(at: base + 2, as: UInt16.self) {
                bytes.setInteger(sequence &+ count &* UInt16(truncatingIfNeeded: loop), at: base + 2)
            }
            if let timestamp = bytes.getInteger(at: base + 4, as: UInt32.self) {
                bytes.setInteger(timestamp &+ (timestampSpans[packet.track] ?? 0) &* UInt32(truncatingIfNeeded: loop), at: base + 4)
            }
            return bytes
        }
    }
}
