/// Why bytes could not be read as an RTCP packet (RFC 3550 section 6.4).
public enum RTCPError: Error, Sendable, Hashable {
    /// Fewer bytes than the packet's fixed part; carries the length seen.
    case tooShort(length: Int)
    /// The version field is not 2; carries the version seen.
    case unsupportedVersion(UInt8)
    /// The packet is not a sender report (type 200); carries the type seen.
    case notSenderReport(packetType: UInt8)
    /// The length field announces more bytes than the datagram holds.
    case lengthExceedsData
}
