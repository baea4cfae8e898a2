/// Turns RTP packets of an H.264 stream (RFC 6184, packetization modes 0 and 1) into access units.
///
/// Handles single NAL unit packets, STAP-A and FU-A. Packets must arrive in sequence order (put a
/// ``RTPReorderBuffer`` in front for UDP). An access unit ends at the marker bit or when the RTP
/// timestamp changes. When a packet is lost or malformed the access unit it belongs to is dropped;
/// output starts at the first IDR picture, with SPS and PPS put before every IDR.
public struct H264Depacketizer: Sendable {
    private var core: NALDepacketizerCore<H264Rules>

    /// Creates a depacketizer; `parameterSets` may come from the SDP and are updated in-band.
    public init(parameterSets: H264ParameterSets = H264ParameterSets(), maximumAccessUnitSize: Int = 8 << 20) {
        core = NALDepacketizerCore(parameterSets: parameterSets, codec: .h264, maximumAccessUnitSize: maximumAccessUnitSize)
    }

    /// The parameter sets in force.
    public var parameterSets: H264ParameterSets { core.assembler.parameterSets }

    /// Counters since creation.
    public var statistics: DepacketizerStatistics { core.assembler.statistics }

    /// Processes one packet and returns the access units it completed.
    ///
    /// On a thrown error the current access unit is dropped and processing can go on with the next
    /// packet; access units completed before the error are returned by the next call.
    public mutating func process(_ packet: RTPPacket) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        try core.process(packet)
    }

    /// Processes the packet `header` describes, its payload read where it lies in the bytes received.
    mutating func process(_ header: RTPHeader, payload: UnsafeBufferPointer<UInt8>) throws(VideoDepacketizerError) -> [VideoAccessUnit] {
        try core.process(sequenceNumber: header.sequenceNumber, timestamp: header.timestamp, marker: header.marker, payload: payload)
    }

    /// Ends the access unit in progress (e.g. at end of stream) and returns what is pending.
    public mutating func flush() -> [VideoAccessUnit] {
        core.flush()
    }
}

/// RFC 6184 payload rules for H.264.
enum H264Rules: NALCodecRules {
    typealias ParameterSets = H264ParameterSets

    static func role(ofHeader header: UInt8) -> NALRole {
        switch H264NALUnitType.of(header) {
        case H264NALUnitType.sps, H264NALUnitType.pps: return .parameterSet
        case H264NALUnitType.idrSlice: return .keyframeSlice
        case 1...4: return .slice
        case H264NALUnitType.accessUnitDelimiter, 10, 11, 12: return .discardable
        default: return .other
        }
    }

    static func depacketize(_ payload: UnsafeBufferPointer<UInt8>, into assembler: inout AccessUnitAssembler<Self>) throws(VideoDepacketizerError) {
        guard let header = payload.first else { throw .payloadTooShort }
        guard header & 0x80 == 0 else { throw .forbiddenBitSet }
        let type = H264NALUnitType.of(header)
        if assembler.hasOpenFragment, type != H264NALUnitType.fuA || (payload.count > 1 && payload[1] & 0x80 != 0) {
            assembler.dropFragment()
            throw .fragmentWithoutEnd
        }
        switch type {
        case 1...23:
            try assembler.appendNALUnit(payload)
        case H264NALUnitType.stapA:
            try depacketizeAggregation(payload, headerSize: 1, into: &assembler)
        case H264NALUnitType.fuA:
            guard payload.count >= 3 else {
                assembler.dropFragment()
                throw .truncatedFragment
            }
            let fuHeader = payload[1]
            try depacketizeFragment(payload, fuHeader: fuHeader, unitHeader: ((header & 0xE0) | (fuHeader & 0x1F), nil), dataOffset: 2, into: &assembler)
        default:
            throw .unsupportedPacketType(type)
        }
    }
}
