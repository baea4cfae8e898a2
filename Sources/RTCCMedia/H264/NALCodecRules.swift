/// What a NAL unit means to access-unit assembly.
enum NALRole: Sendable {
    /// A parameter set: kept aside and put back before each keyframe.
    case parameterSet
    /// A slice of a picture that can be decoded alone (IDR / IRAP).
    case keyframeSlice
    /// A slice of any other picture.
    case slice
    /// An access unit delimiter or other unit the container does not need.
    case discardable
    /// Anything else (SEI, …), kept in the sample.
    case other
}

/// The codec-specific parts of RTP depacketization and access-unit assembly.
protocol NALCodecRules: Sendable {
    associatedtype ParameterSets: NALParameterSetStore
    /// Hands the NAL units (or the piece of a fragmented one) that one RTP payload carries to `assembler`.
    static func depacketize(_ payload: UnsafeBufferPointer<UInt8>, into assembler: inout AccessUnitAssembler<Self>) throws(VideoDepacketizerError)
    /// What a NAL unit means to assembly, from its first header byte.
    static func role(ofHeader header: UInt8) -> NALRole
}

extension NALCodecRules {
    /// Hands the units of an aggregation packet to `assembler`: after `headerSize` bytes, NAL units each preceded by a
    /// 16-bit size. The whole packet is checked before any unit is handed on.
    static func depacketizeAggregation(
        _ payload: UnsafeBufferPointer<UInt8>, headerSize: Int, into assembler: inout AccessUnitAssembler<Self>
    ) throws(VideoDepacketizerError) {
        var offset = headerSize
        var units: [Range<Int>] = []
        while offset < payload.count {
            guard payload.count - offset >= 2 else { throw .truncatedAggregationPacket }
            let size = Int(payload[offset]) << 8 | Int(payload[offset + 1])
            offset += 2
            guard size > 0, payload.count - offset >= size else { throw .truncatedAggregationPacket }
            units.append(offset..<(offset + size))
            offset += size
        }
        guard !units.isEmpty else { throw .emptyAggregationPacket }
        for unit in units { try assembler.appendNALUnit(UnsafeBufferPointer(rebasing: payload[unit])) }
    }

    /// Hands one fragmentation unit (FU-A, or H.265's FU) to `assembler`: `fuHeader` carries the start and end bits,
    /// `unitHeader` is the fragmented NAL unit's own header (one or two bytes) rebuilt from the packet, and its bytes
    /// start at `dataOffset`.
    static func depacketizeFragment(
        _ payload: UnsafeBufferPointer<UInt8>, fuHeader: UInt8, unitHeader: (UInt8, UInt8?), dataOffset: Int,
        into assembler: inout AccessUnitAssembler<Self>
    ) throws(VideoDepacketizerError) {
        let start = fuHeader & 0x80 != 0
        let end = fuHeader & 0x40 != 0
        if start {
            guard !end else {
                assembler.dropFragment()
                throw .fragmentStartAndEnd
            }
            assembler.beginFragment(header: unitHeader.0, unitHeader.1)
        }
        try assembler.continueFragment(UnsafeBufferPointer(rebasing: payload[dataOffset...]), ends: end)
    }
}

/// Storage for a codec's parameter sets.
protocol NALParameterSetStore: Sendable {
    /// Whether every set needed to decode a keyframe is known.
    var isComplete: Bool { get }
    /// The sets to put before a keyframe, in decoding order.
    var nalUnits: [[UInt8]] { get }
    /// Absorbs a parameter set; returns whether anything changed.
    mutating func update(with nalUnit: [UInt8]) throws(ParameterSetError) -> Bool
    /// The track format the sets describe.
    func videoFormat() throws(ParameterSetError) -> VideoFormat
}

extension H264ParameterSets: NALParameterSetStore {}
