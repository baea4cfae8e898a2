import NIOCore

/// Packs H.264 or H.265 access units into RTP packets: single NAL unit packets, fragmentation units for units larger
/// than ``maximumPayloadSize`` (FU-A, RFC 6184 packetization-mode 1; FU, RFC 7798) and, when ``aggregatesSmallUnits``
/// is set, aggregation packets for runs of small units such as parameter sets (STAP-A; AP without DONL fields).
///
/// Every packet of an access unit carries its RTP timestamp; the last one has the marker bit set.
/// Sequence numbers continue across calls. Announce H.264 with `packetization-mode=1` in the SDP; H.265 needs no
/// `sprop-max-don-diff`.
///
/// ```swift
/// var packetizer = VideoPacketizer(codec: .h264, ssrc: 0x1234_5678)
/// let packets = packetizer.packetize(accessUnit.nalUnits, timestamp: 90_000)
/// ```
public struct VideoPacketizer: Sendable {
    /// The default largest RTP payload, which keeps packets under a 1500-byte Ethernet MTU.
    public static let defaultMaximumPayloadSize = 1400

    private var state: NALPacketizerState

    /// The RTP payload type written into each packet.
    public var payloadType: UInt8 {
        get { state.payloadType }
        set { state.payloadType = newValue & 0x7F }
    }

    /// The synchronisation source written into each packet.
    public var ssrc: UInt32 {
        get { state.ssrc }
        set { state.ssrc = newValue }
    }

    /// The sequence number the next packet gets.
    public var sequenceNumber: UInt16 {
        get { state.sequenceNumber }
        set { state.sequenceNumber = newValue }
    }

    /// The largest RTP payload produced, in bytes.
    public var maximumPayloadSize: Int { state.builder.maximumPayloadSize }

    /// Whether runs of small NAL units are aggregated into one packet.
    public var aggregatesSmallUnits: Bool { state.builder.aggregates }

    /// Creates a packetizer; `maximumPayloadSize` below 8 is raised to 8.
    public init(
        codec: VideoCodec, payloadType: UInt8 = 96, ssrc: UInt32, sequenceNumber: UInt16 = .random(in: .min ... .max),
        maximumPayloadSize: Int = defaultMaximumPayloadSize, aggregatesSmallUnits: Bool = true
    ) {
        state = NALPacketizerState(
            builder: NALPayloadBuilder(codec: codec, maximumPayloadSize: maximumPayloadSize, aggregates: aggregatesSmallUnits),
            payloadType: payloadType & 0x7F, ssrc: ssrc, sequenceNumber: sequenceNumber)
    }

    /// The RTP packets for one access unit (NAL units without start codes), marker set on the last.
    public mutating func packetize(_ nalUnits: [[UInt8]], timestamp: UInt32) -> [RTPPacket] {
        state.packets(for: nalUnits, timestamp: timestamp)
    }

    /// The same packets as packetize(_:timestamp:), serialized, ready to send.
    public mutating func serializedPackets(_ nalUnits: [[UInt8]], timestamp: UInt32) -> [ByteBuffer] {
        state.buffers(for: nalUnits, timestamp: timestamp)
    }

    /// The RTP payloads (without RTP headers) for one access unit under these rules, for callers that
    /// prepare payloads once and stamp headers later.
    public func payloads(_ nalUnits: [[UInt8]]) -> [[UInt8]] {
        state.builder.payloads(for: nalUnits)
    }
}
