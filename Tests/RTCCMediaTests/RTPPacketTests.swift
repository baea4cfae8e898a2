import NIOCore
import Testing

@testable import RTCCMedia

struct RTPPacketTests {
    @Test func parsesFixedHeaderAndPayload() throws {
        let bytes: [UInt8] = [0x80, 0xE0, 0x12, 0x34, 0x00, 0x01, 0x02, 0x03, 0xDE, 0xAD, 0xBE, 0xEF, 0x65, 0x88]
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.marker)
        #expect(packet.payloadType == 96)
        #expect(packet.sequenceNumber == 0x1234)
        #expect(packet.timestamp == 0x0001_0203)
        #expect(packet.ssrc == 0xDEAD_BEEF)
        #expect(packet.csrcs.isEmpty)
        #expect(packet.headerExtension == nil)
        #expect(packet.payload == [0x65, 0x88])
    }

    @Test func parsesCSRCsExtensionAndPadding() throws {
        var bytes: [UInt8] = [0xB2, 0x60, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7]
        bytes += [0, 0, 0, 1, 0, 0, 0, 2]  // two CSRCs
        bytes += [0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0]  // one-word extension
        bytes += [1, 2, 3]
        bytes += [0, 0, 3]  // three bytes of padding
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.hasPadding)
        #expect(!packet.marker)
        #expect(packet.csrcs == [1, 2])
        #expect(packet.headerExtension == RTPHeaderExtension(profile: 0xBEDE, data: [0x10, 0xAA, 0, 0]))
        #expect(packet.payload == [1, 2, 3])
    }

    @Test func oversizedPacketIsRejected() {
        let bytes: [UInt8] = [0x80, 96] + Array(repeating: 0, count: RTPPacket.maximumLength)
        #expect(throws: RTPPacketError.tooLong(length: RTPPacket.maximumLength + 2)) { try RTPPacket(parsing: bytes) }
    }

    @Test func parsesFromByteBuffer() throws {
        let original = RTPPacket(marker: true, payloadType: 97, sequenceNumber: 65_535, timestamp: 90_000, ssrc: 42, payload: [9, 8, 7])
        let packet = try RTPPacket(parsing: ByteBuffer(bytes: original.serialized()))
        #expect(packet == original)
    }

    @Test func serializedPacketRoundTrips() throws {
        let original = RTPPacket(
            marker: true, payloadType: 96, sequenceNumber: 7, timestamp: 0xFFFF_FFFF, ssrc: 1, csrcs: [5],
            headerExtension: RTPHeaderExtension(profile: 0x1000, data: [1, 2, 3, 4]), payload: Array(0..<100))
        #expect(try RTPPacket(parsing: original.serialized()) == original)
    }

    static let malformed: [(String, [UInt8], RTPPacketError)] = [
        ("empty", [], .tooShort(length: 0)),
        ("eleven bytes", Array(repeating: 0x80, count: 11), .tooShort(length: 11)),
        ("version 1", [0x40] + Array(repeating: 0, count: 11), .unsupportedVersion(1)),
        ("version 0", Array(repeating: 0, count: 12), .unsupportedVersion(0)),
        ("CSRC count past end", [0x83] + Array(repeating: 0, count: 15), .truncatedCSRCList),
        ("extension header missing", [0x90] + Array(repeating: 0, count: 13), .truncatedExtension),
        ("extension length past end", [0x90] + Array(repeating: 0, count: 11) + [0, 0, 0, 2, 1, 2, 3, 4], .truncatedExtension),
        ("padding count zero", [0xA0] + Array(repeating: 0, count: 12), .invalidPadding(count: 0)),
        ("padding longer than payload", [0xA0] + Array(repeating: 0, count: 11) + [1, 9], .invalidPadding(count: 9)),
    ]

    @Test(arguments: malformed)
    func malformedPacketIsRejected(name: String, bytes: [UInt8], expected: RTPPacketError) {
        #expect(throws: expected, "\(name)") { try RTPPacket(parsing: bytes) }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func theHeaderReadInPlaceAgreesWithTheParsedPacket(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var agreed = 0
        for _ in 0..<3000 {
            // Version 2 in most inputs, so that most get past the first check; CSRC counts, extensions and padding random.
            var bytes = (0..<Int.random(in: 0..<60, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty, Bool.random(using: &generator) { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            let packet = Result { () throws(RTPPacketError) in try RTPPacket(parsing: bytes) }
            let header = bytes.withUnsafeBytes { raw in
                RTPHeader.parse(raw).map { header in (header, Array(raw[header.payload])) }
            }
            switch (packet, header) {
            case (.success(let packet), .success(let (header, payload))):
                #expect(header.sequenceNumber == packet.sequenceNumber && header.timestamp == packet.timestamp)
                #expect(header.marker == packet.marker && header.payloadType == packet.payloadType && header.ssrc == packet.ssrc)
                #expect(header.hasPadding == packet.hasPadding && header.csrcCount == packet.csrcs.count)
                #expect(payload == packet.payload)
                agreed += 1
            case (.failure(let packetError), .failure(let headerError)):
                #expect(packetError == headerError)
            default:
                Issue.record("the packet and its header disagree on \(bytes)")
            }
        }
        #expect(agreed > 100)
    }
}
