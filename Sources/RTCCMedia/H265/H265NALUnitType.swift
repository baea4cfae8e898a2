/// H.265 NAL unit and RTP packetization types (ITU-T H.265 table 7-1, RFC 7798 section 4.4).
public enum H265NALUnitType {
    /// First IRAP type (BLA_W_LP).
    public static let firstIRAP: UInt8 = 16
    /// Last IRAP type (CRA_NUT is 21; 22 and 23 are reserved IRAP).
    public static let lastIRAP: UInt8 = 23
    /// IDR picture with leading pictures allowed.
    public static let idrWithRADL: UInt8 = 19
    /// IDR picture without leading pictures.
    public static let idrNoLP: UInt8 = 20
    /// Clean random access picture.
    public static let cra: UInt8 = 21
    /// Video parameter set.
    public static let vps: UInt8 = 32
    /// Sequence parameter set.
    public static let sps: UInt8 = 33
    /// Picture parameter set.
    public static let pps: UInt8 = 34
    /// Access unit delimiter.
    public static let accessUnitDelimiter: UInt8 = 35
    /// Prefix SEI.
    public static let prefixSEI: UInt8 = 39
    /// Aggregation packet (RFC 7798).
    public static let aggregationPacket: UInt8 = 48
    /// Fragmentation unit (RFC 7798).
    public static let fragmentationUnit: UInt8 = 49
    /// Payload content information (RFC 7798).
    public static let paci: UInt8 = 50

    /// The NAL unit type from the first byte of a two-byte NAL unit header.
    public static func of(_ firstHeaderByte: UInt8) -> UInt8 { (firstHeaderByte >> 1) & 0x3F }

    /// Whether a NAL unit type is a coded slice (VCL, 0…31).
    public static func isSlice(_ type: UInt8) -> Bool { type < 32 }

    /// Whether a NAL unit type is an intra random access point (16…23).
    public static func isIRAP(_ type: UInt8) -> Bool { (firstIRAP...lastIRAP).contains(type) }
}
