/// H.264 NAL unit and RTP packetization types (ITU-T H.264 table 7-1, RFC 6184 table 1).
public enum H264NALUnitType {
    /// Coded slice of a non-IDR picture.
    public static let nonIDRSlice: UInt8 = 1
    /// Coded slice of an IDR picture.
    public static let idrSlice: UInt8 = 5
    /// Supplemental enhancement information.
    public static let sei: UInt8 = 6
    /// Sequence parameter set.
    public static let sps: UInt8 = 7
    /// Picture parameter set.
    public static let pps: UInt8 = 8
    /// Access unit delimiter.
    public static let accessUnitDelimiter: UInt8 = 9
    /// Single-time aggregation packet A (RFC 6184).
    public static let stapA: UInt8 = 24
    /// Single-time aggregation packet B (RFC 6184).
    public static let stapB: UInt8 = 25
    /// Multi-time aggregation packet, 16-bit offset (RFC 6184).
    public static let mtap16: UInt8 = 26
    /// Multi-time aggregation packet, 24-bit offset (RFC 6184).
    public static let mtap24: UInt8 = 27
    /// Fragmentation unit A (RFC 6184).
    public static let fuA: UInt8 = 28
    /// Fragmentation unit B (RFC 6184).
    public static let fuB: UInt8 = 29

    /// The NAL unit type of a NAL unit's first byte.
    public static func of(_ header: UInt8) -> UInt8 { header & 0x1F }

    /// Whether a NAL unit is a coded slice (types 1…5).
    public static func isSlice(_ type: UInt8) -> Bool { (1...5).contains(type) }
}
