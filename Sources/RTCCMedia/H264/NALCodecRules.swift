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
    /// Splits one RTP payload into complete NAL units, using `fragment` to carry a fragmented
    /// NAL unit across packets.
    static func nalUnits(
        fromPayload payload: [UInt8], fragment: inout [UInt8]?, maximumSize: Int
    ) throws(VideoDepacketizerError) -> [[UInt8]]
    /// What a NAL unit means to assembly.
    static func role(of nalUnit: [UInt8]) -> NALRole
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
