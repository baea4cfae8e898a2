/// The video codecs the media core can depacketize and mux.
public enum VideoCodec: String, Sendable, Hashable, CaseIterable {
    /// H.264 / AVC.
    case h264
    /// H.265 / HEVC.
    case h265
}

/// What a decoder needs to know about a video track before the first frame.
public struct VideoFormat: Sendable, Hashable {
    /// The codec.
    public var codec: VideoCodec
    /// The RFC 6381 codec string, e.g. `avc1.64001F` or `hvc1.1.6.L93.B0`.
    public var codecString: String
    /// Display width in pixels, after cropping.
    public var width: Int
    /// Display height in pixels, after cropping.
    public var height: Int
    /// Frames per second from the SPS timing information, if present.
    public var frameRate: Double?
    /// The body of the `avcC` or `hvcC` box (decoder configuration record).
    public var decoderConfiguration: [UInt8]
    /// An upper bound on how many pictures may precede any picture in decoding order and follow it
    /// in output order (0 without B-frames); feeds ``DecodeTimeline``.
    public var reorderDepth: Int

    /// Creates a format from its fields.
    public init(
        codec: VideoCodec, codecString: String, width: Int, height: Int, frameRate: Double?, decoderConfiguration: [UInt8],
        reorderDepth: Int = 0
    ) {
        self.codec = codec
        self.codecString = codecString
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.decoderConfiguration = decoderConfiguration
        self.reorderDepth = reorderDepth
    }
}

/// One coded picture, ready for an MP4 sample.
public struct VideoAccessUnit: Sendable, Hashable {
    /// The codec of the NAL units.
    public var codec: VideoCodec
    /// The NAL units, each preceded by its length as a 4-byte big-endian integer (AVCC/HVCC form).
    public var sampleData: [UInt8]
    /// Whether the picture can be decoded alone (IDR, or IRAP for H.265); parameter sets precede it.
    public var isKeyframe: Bool
    /// The RTP timestamp (presentation time) extended to 64 bits.
    public var rtpTimestamp: Int64
    /// The track format in force for this picture.
    public var format: VideoFormat

    /// Creates an access unit from NAL units without start codes.
    public init(codec: VideoCodec, nalUnits: [[UInt8]], isKeyframe: Bool, rtpTimestamp: Int64, format: VideoFormat) {
        self.codec = codec
        self.sampleData = AnnexB.lengthPrefixed(nalUnits)
        self.isKeyframe = isKeyframe
        self.rtpTimestamp = rtpTimestamp
        self.format = format
    }

    /// Creates an access unit from sample data that is already length-prefixed.
    public init(codec: VideoCodec, sampleData: [UInt8], isKeyframe: Bool, rtpTimestamp: Int64, format: VideoFormat) {
        self.codec = codec
        self.sampleData = sampleData
        self.isKeyframe = isKeyframe
        self.rtpTimestamp = rtpTimestamp
        self.format = format
    }

    /// The NAL units of `sampleData`, without their length prefixes.
    public var nalUnits: [[UInt8]] { AnnexB.splitLengthPrefixed(sampleData) }
}
