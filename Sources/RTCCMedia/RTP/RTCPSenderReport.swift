import Foundation

/// An RTCP sender report (RFC 3550 section 6.4.1): the sender's wall clock (NTP) paired with the
/// RTP timestamp of the same instant, which maps media time onto real time.
public struct RTCPSenderReport: Sendable, Hashable {
    /// The RTCP packet type of a sender report.
    public static let packetType: UInt8 = 200
    /// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
    public static let ntpToUnixSeconds: UInt64 = 2_208_988_800

    /// The synchronisation source the report describes.
    public var ssrc: UInt32
    /// The 64-bit NTP timestamp: seconds since 1900 in the high half, fraction in the low half.
    public var ntpTimestamp: UInt64
    /// The RTP timestamp corresponding to `ntpTimestamp`.
    public var rtpTimestamp: UInt32
    /// The sender's packet count.
    public var packetCount: UInt32
    /// The sender's payload octet count.
    public var octetCount: UInt32

    /// Creates a report from its fields.
    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
    }

    /// Parses one sender report; `bytes` must start at its RTCP header. Trailing bytes are ignored.
    public init(parsing bytes: [UInt8]) throws(RTCPError) {
        guard bytes.count >= 4 else { throw .tooShort(length: bytes.count) }
        let version = bytes[0] >> 6
        guard version == 2 else { throw .unsupportedVersion(version) }
        guard bytes[1] == Self.packetType else { throw .notSenderReport(packetType: bytes[1]) }
        let declared = ((Int(bytes[2]) << 8 | Int(bytes[3])) + 1) * 4
        guard declared <= bytes.count else { throw .lengthExceedsData }
        guard declared >= 28 else { throw .tooShort(length: declared) }
        var reader = ByteReader(bytes, offset: 4)
        guard let ssrc = reader.readUInt32(), let ntp = reader.readUInt64(), let rtp = reader.readUInt32(),
            let packets = reader.readUInt32(), let octets = reader.readUInt32()
        else { throw .tooShort(length: bytes.count) }
        self.init(ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp, packetCount: packets, octetCount: octets)
    }

    /// Finds every sender report in a compound RTCP datagram, skipping other packet types.
    public static func senderReports(inCompound bytes: [UInt8]) throws(RTCPError) -> [RTCPSenderReport] {
        var reports: [RTCPSenderReport] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .tooShort(length: bytes.count - offset) }
            let version = bytes[offset] >> 6
            guard version == 2 else { throw .unsupportedVersion(version) }
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard length <= bytes.count - offset else { throw .lengthExceedsData }
            if bytes[offset + 1] == packetType {
                reports.append(try RTCPSenderReport(parsing: Array(bytes[offset..<(offset + length)])))
            }
            offset += length
        }
        return reports
    }

    /// The NTP timestamp as a `Date`.
    public var wallClock: Date {
        let seconds = Double(ntpTimestamp >> 32) - Double(Self.ntpToUnixSeconds)
        let fraction = Double(ntpTimestamp & 0xFFFF_FFFF) / 4_294_967_296.0
        return Date(timeIntervalSince1970: seconds + fraction)
    }

    /// The sender report as bytes on the wire, with no report blocks.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = [0x80, Self.packetType, 0, 6]
        out.appendBigEndian(ssrc)
        out.appendBigEndian(ntpTimestamp)
        out.appendBigEndian(rtpTimestamp)
        out.appendBigEndian(packetCount)
        out.appendBigEndian(octetCount)
        return out
    }

    /// Converts a `Date` to a 64-bit NTP timestamp; dates before 1900 map to zero.
    public static func ntpTimestamp(for date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970 + Double(ntpToUnixSeconds)
        guard seconds > 0, seconds < 4_294_967_296 else { return 0 }
        let whole = seconds.rounded(.down)
        let fraction = ((seconds - whole) * 4_294_967_296.0).rounded(.down)
        return UInt64(whole) << 32 | UInt64(min(fraction, 4_294_967_295))
    }
}
