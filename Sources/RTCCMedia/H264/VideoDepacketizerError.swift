/// Why an RTP payload could not be turned into NAL units (RFC 6184 for H.264, RFC 7798 for H.265).
///
/// After any of these the access unit being assembled is dropped and the depacketizer goes on
/// with the next packet.
public enum VideoDepacketizerError: Error, Sendable, Hashable {
    /// The RTP payload is empty or shorter than a NAL unit header.
    case payloadTooShort
    /// A fragment (FU-A / FU) continues a NAL unit whose first fragment was never seen.
    case fragmentWithoutStart
    /// A fragmented NAL unit was interrupted by another packet before its end fragment.
    case fragmentWithoutEnd
    /// A fragmentation unit has no room for its FU header or carries no data.
    case truncatedFragment
    /// A fragmentation unit sets both the start and end bits.
    case fragmentStartAndEnd
    /// An aggregation packet (STAP-A / AP) announces a NAL unit longer than what is left.
    case truncatedAggregationPacket
    /// An aggregation packet carries no NAL unit.
    case emptyAggregationPacket
    /// The packetization type is not supported (e.g. STAP-B, MTAP, FU-B, PACI); carries the type.
    case unsupportedPacketType(UInt8)
    /// The NAL unit header has the forbidden-zero bit set.
    case forbiddenBitSet
    /// The access unit grew past the configured size or NAL unit count limit.
    case accessUnitTooLarge
    /// An in-band parameter set could not be parsed.
    case invalidParameterSet(ParameterSetError)
}
