import NIOCore

/// An RTP header extension (RFC 3550 section 5.3.1): a profile-defined identifier and its data.
public struct RTPHeaderExtension: Sendable, Hashable {
    /// The 16-bit profile-defined value (0xBEDE for RFC 8285 one-byte headers).
    public var profile: UInt16
    /// The extension data, a multiple of four bytes long.
    public var data: [UInt8]

    /// Creates an extension; `data` is padded with zeros to a multiple of four when serialised.
    public init(profile: UInt16, data: [UInt8]) {
        self.profile = profile
        self.data = data
    }
}

/// One RTP packet (RFC 3550 section 5.1), parsed with every length checked against the input.
public struct RTPPacket: Sendable, Hashable {
    /// The largest packet accepted; anything longer is not a UDP datagram or interleaved frame.
    public static let maximumLength = 65_535

    /// Whether the packet carried padding (already removed from `payload`).
    public var hasPadding: Bool
    /// The marker bit; for video it marks the last packet of an access unit.
    public var marker: Bool
    /// The 7-bit payload type.
    public var payloadType: UInt8
    /// The 16-bit sequence number, which wraps around.
    public var sequenceNumber: UInt16
    /// The 32-bit media timestamp in the clock rate of the payload format.
    public var timestamp: UInt32
    /// The synchronisation source.
    public var ssrc: UInt32
    /// Contributing sources, at most 15.
    public var csrcs: [UInt32]
    /// The header extension, if the X bit was set.
    public var headerExtension: RTPHeaderExtension?
    /// The payload, without header, extension or padding.
    public var payload: [UInt8]

    /// Creates a packet from its fields.
    public init(
        marker: Bool = false,
        payloadType: UInt8,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        ssrc: UInt32,
        csrcs: [UInt32] = [],
        headerExtension: RTPHeaderExtension? = nil,
        payload: [UInt8]
    ) {
        self.hasPadding = false
        self.marker = marker
        self.payloadType = payloadType & 0x7F
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = Array(csrcs.prefix(15))
        self.headerExtension = headerExtension
        self.payload = payload
    }

    /// Parses a packet from a byte buffer without consuming it.
    public init(parsing buffer: ByteBuffer) throws(RTPPacketError) {
        try self.init(parsing: Array(buffer.readableBytesView))
    }

    /// Parses a packet from raw bytes.
    public init(parsing bytes: [UInt8]) throws(RTPPacketError) {
        guard bytes.count >= 12 else { throw .tooShort(length: bytes.count) }
        guard bytes.count <= Self.maximumLength else { throw .tooLong(length: bytes.count) }
        var reader = ByteReader(bytes)
        let first = reader.readUInt8() ?? 0
        let second = reader.readUInt8() ?? 0
        let version = first >> 6
        guard version == 2 else { throw .unsupportedVersion(version) }
        hasPadding = first & 0x20 != 0
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)
        marker = second & 0x80 != 0
        payloadType = second & 0x7F
        sequenceNumber = reader.readUInt16() ?? 0
        timestamp = reader.readUInt32() ?? 0
        ssrc = reader.readUInt32() ?? 0
        var csrcs: [UInt32] = []
        for _ in 0..<csrcCount {
            guard let csrc = reader.readUInt32() else { throw .truncatedCSRCList }
            csrcs.append(csrc)
        }
        self.csrcs = csrcs
        headerExtension = nil
        if hasExtension {
            guard let profile = reader.readUInt16(), let words = reader.readUInt16(),
                let data = reader.readBytes(Int(words) * 4)
            else { throw .truncatedExtension }
            headerExtension = RTPHeaderExtension(profile: profile, data: data)
        }
        var end = bytes.count
        if hasPadding {
            let count = Int(bytes[bytes.count - 1])
            guard count > 0, count <= reader.remaining else { throw .invalidPadding(count: count) }
            end -= count
        }
        payload = Array(bytes[reader.offset..<end])
    }

    /// The packet as bytes on the wire (without padding).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(12 + csrcs.count * 4 + payload.count)
        let csrcCount = UInt8(min(csrcs.count, 15))
        out.append(0x80 | (headerExtension == nil ? 0 : 0x10) | csrcCount)
        out.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out.appendBigEndian(sequenceNumber)
        out.appendBigEndian(timestamp)
        out.appendBigEndian(ssrc)
        for csrc in csrcs.prefix(15) { out.appendBigEndian(csrc) }
        if let headerExtension {
            var data = headerExtension.data
            while data.count % 4 != 0 { data.append(0) }
            out.appendBigEndian(headerExtension.profile)
            out.appendBigEndian(UInt16(clamping: data.count / 4))
            out.append(contentsOf: data.prefix(Int(UInt16.max) * 4))
        }
        out.append(contentsOf: payload)
        return out
    }
}
