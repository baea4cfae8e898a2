/// Turns RTP packets of an H.265 stream (RFC 7798, without DONL) into access units.
///
/// Handles single NAL unit packets, aggregation packets (AP) and fragmentation units (FU). Packets
/// must arrive in sequence order. An access unit ends at the marker bit or when the RTP timestamp
/// changes; broken access units are dropped; output starts at the first IRAP picture, with VPS,
/// SPS and PPS put before every IRAP picture.
public struct H265Depacketizer: Sendable {
    private var core: NALDepacketizerCore<H265Rules>

    /// Creates a depacketizer; `parameterSets` may come from the SDP and are updated in-band.
    public init(parameterSets: H265ParameterSets = H265ParameterSets(), maximumAccessUnitSize: Int = 8 << 20) {
        core = NALDepacketizerCore(parameterSets: parameterSets, codec: .h265, maximumAccessUnitSize: maximumAccessUnitSize)
    }

    /// The parameter sets in force.
    public var parameterSets: H265ParameterSets { core.assembler.parameterSets }

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

    /// Ends the access unit in progress and returns what is pending.
    public mutating func flush() -> [VideoAccessUnit] {
        core.flush()
    }
}

/// RFC 7798 payload rules for H.265.
enum H265Rules: NALCodecRules {
    typealias ParameterSets = H265ParameterSets

    static func role(ofHeader header: UInt8) -> NALRole {
        let type = H265NALUnitType.of(header)
        switch type {
        case H265NALUnitType.vps, H265NALUnitType.sps, H265NALUnitType.pps: return .parameterSet
        case H265NALUnitType.firstIRAP...H265NALUnitType.lastIRAP: return .keyframeSlice
        case 0..<32: return .slice
        case H265NALUnitType.accessUnitDelimiter, 36, 37, 38: return .discardable
        default: return .other
        }
    }

    static func depacketize(_ payload: UnsafeBufferPointer<UInt8>, into assembler: inout AccessUnitAssembler<Self>) throws(VideoDepacketizerError) {
        guard payload.count >= 3 else { throw .payloadTooShort }
        guard payload[0] & 0x80 == 0 else { throw .forbiddenBitSet }
        let type = H265NALUnitType.of(payload[0])
        let isFragment = type == H265NALUnitType.fragmentationUnit
        if assembler.hasOpenFragment, !isFragment || payload[2] & 0x80 != 0 {
            assembler.dropFragment()
            throw .fragmentWithoutEnd
        }
        switch type {
        case 0..<48:
            try assembler.appendNALUnit(payload)
        case H265NALUnitType.aggregationPacket:
            try depacketizeAggregation(payload, headerSize: 2, into: &assembler)
        case H265NALUnitType.fragmentationUnit:
            guard payload.count >= 4 else {
                assembler.dropFragment()
                throw .truncatedFragment
            }
            let fuHeader = payload[2]
            let unitHeader = ((payload[0] & 0x81) | ((fuHeader & 0x3F) << 1), payload[1])
            try depacketizeFragment(payload, fuHeader: fuHeader, unitHeader: unitHeader, dataOffset: 3, into: &assembler)
        default:
            throw .unsupportedPacketType(type)
        }
    }
}
