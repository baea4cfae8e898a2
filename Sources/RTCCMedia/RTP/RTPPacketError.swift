/// Why bytes could not be read as an RTP packet (RFC 3550 section 5.1).
public enum RTPPacketError: Error, Sendable, Hashable {
    /// Fewer bytes than the 12-byte fixed header; carries the length seen.
    case tooShort(length: Int)
    /// More bytes than any RTP packet can have (65 535); carries the length seen.
    case tooLong(length: Int)
    /// The version field is not 2; carries the version seen.
    case unsupportedVersion(UInt8)
    /// The CSRC count announces more identifiers than the packet holds.
    case truncatedCSRCList
    /// The header extension's length runs past the end of the packet.
    case truncatedExtension
    /// The padding count is zero or larger than the bytes after the header.
    case invalidPadding(count: Int)
}
