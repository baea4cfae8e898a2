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

    /// Parses a packet from a byte buffer without consuming it; the payload is copied out of the buffer once.
    public init(parsing buffer: ByteBuffer) throws(RTPPacketError) {
        self = try buffer.withUnsafeReadableBytes { Self.parse($0) }.get()
    }

    /// Parses a packet from raw bytes.
    public init(parsing bytes: [UInt8]) throws(RTPPacketError) {
        self = try bytes.withUnsafeBytes { Self.parse($0) }.get()
    }

    /// The one parser behind both initialisers: every length is checked before it is read.
    private static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<RTPPacket, RTPPacketError> {
        let header: RTPHeader
        switch RTPHeader.parse(bytes) {
        case .success(let parsed): header = parsed
        case .failure(let error): return .failure(error)
        }
        func uint16(at offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
        func uint32(at offset: Int) -> UInt32 { UInt32(uint16(at: offset)) << 16 | UInt32(uint16(at: offset + 2)) }
        var csrcs: [UInt32] = []
        if header.csrcCount > 0 {
            csrcs.reserveCapacity(header.csrcCount)
            for index in 0..<header.csrcCount { csrcs.append(uint32(at: 12 + index * 4)) }
        }
        let headerExtension = header.extensionRange.map { range in
            RTPHeaderExtension(profile: uint16(at: range.lowerBound - 4), data: Array(bytes[range]))
        }
        var packet = RTPPacket(
            marker: header.marker, payloadType: header.payloadType, sequenceNumber: header.sequenceNumber, timestamp: header.timestamp,
            ssrc: header.ssrc, csrcs: csrcs, headerExtension: headerExtension,
            payload: Array(UnsafeRawBufferPointer(rebasing: bytes[header.payload])))
        packet.hasPadding = header.hasPadding
        return .success(packet)
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

/// The fixed fields of an RTP packet and where its parts lie, read in place: what a receiver needs to take the payload
/// straight from the bytes it read, without building an ``RTPPacket`` (and copying the payload) first.
struct RTPHeader: Sendable, Hashable {
    var hasPadding: Bool
    var marker: Bool
    var payloadType: UInt8
    var sequenceNumber: UInt16
    var timestamp: UInt32
    var ssrc: UInt32
    var csrcCount: Int
    /// Where the header extension's data lies (its 4-byte header just before), if the X bit was set.
    var extensionRange: Range<Int>?
    /// Where the payload lies, without padding.
    var payload: Range<Int>

    /// Reads the header of the packet in `bytes`, checking every length against them (RFC 3550 section 5.1).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<RTPHeader, RTPPacketError> {
        guard bytes.count >= 12 else { return .failure(.tooShort(length: bytes.count)) }
        guard bytes.count <= RTPPacket.maximumLength else { return .failure(.tooLong(length: bytes.count)) }
        func uint16(at offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
        func uint32(at offset: Int) -> UInt32 { UInt32(uint16(at: offset)) << 16 | UInt32(uint16(at: offset + 2)) }
        let first = bytes[0]
        let second = bytes[1]
        let version = first >> 6
        guard version == 2 else { return .failure(.unsupportedVersion(version)) }
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)
        var offset = 12
        if csrcCount > 0 {
            guard bytes.count - offset >= csrcCount * 4 else { return .failure(.truncatedCSRCList) }
            offset += csrcCount * 4
        }
        var extensionRange: Range<Int>?
        if hasExtension {
            guard bytes.count - offset >= 4 else { return .failure(.truncatedExtension) }
            let length = Int(uint16(at: offset + 2)) * 4
            offset += 4
            guard bytes.count - offset >= length else { return .failure(.truncatedExtension) }
            extensionRange = offset..<(offset + length)
            offset += length
        }
        var end = bytes.count
        let hasPadding = first & 0x20 != 0
        if hasPadding {
            let count = Int(bytes[bytes.count - 1])
            guard count > 0, count <= bytes.count - offset else { return .failure(.invalidPadding(count: count)) }
            end -= count
        }
        return .success(
            RTPHeader(
                hasPadding: hasPadding, marker: second & 0x80 != 0, payloadType: second & 0x7F, sequenceNumber: uint16(at: 2),
                timestamp: uint32(at: 4), ssrc: uint32(at: 8), csrcCount: csrcCount, extensionRange: extensionRange, payload: offset..<end))
    }
}
