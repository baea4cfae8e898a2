import Testing

@testable import RTCCMedia

struct H264SPSTests {
    @Test func mainProfile1080pWithCropping() throws {
        let sps = try H264SPS(parsing: Vectors.sps1080p)
        #expect(sps.profileIndication == 77)
        #expect(sps.levelIndication == 40)
        #expect(sps.width == 1920)
        #expect(sps.height == 1080)
        #expect(sps.frameRate == 30)
        #expect(sps.codecString == "avc1.4D4028")
    }

    @Test func highProfile444() throws {
        let sps = try H264SPS(parsing: Vectors.sps444)
        #expect(sps.profileIndication == 244)
        #expect(sps.chromaFormat == 3)
        #expect(sps.width == 320)
        #expect(sps.height == 240)
        #expect(sps.frameRate == 25)
        #expect(sps.codecString == "avc1.F4000D")
    }

    @Test func baselineWithoutVUIHasNoFrameRate() throws {
        // profile 66, level 30, sps id 0, frame_num 4 bits, poc type 2, 1 ref, 640×480 (40×30 MBs), frame_mbs_only.
        var writer = BitWriter()
        writer.ue(0); writer.ue(0); writer.ue(2); writer.ue(1); writer.bit(false)
        writer.ue(39); writer.ue(29); writer.bit(true); writer.bit(true); writer.bit(false); writer.bit(false)
        writer.bit(true)
        let sps = try H264SPS(parsing: [0x67, 66, 0xC0, 30] + writer.bytes)
        #expect(sps.width == 640)
        #expect(sps.height == 480)
        #expect(sps.frameRate == nil)
        #expect(sps.codecString == "avc1.42C01E")
    }

    @Test func truncatedSPSThrowsTypedError() {
        #expect(throws: ParameterSetError.self) { try H264SPS(parsing: Array(Vectors.sps1080p.prefix(6))) }
        #expect(throws: ParameterSetError.truncated(field: "nal_unit_header")) { try H264SPS(parsing: []) }
        #expect(throws: ParameterSetError.unexpectedNALUnitType(8)) { try H264SPS(parsing: Vectors.pps1080p) }
    }

    @Test func exponentialGolombCodes() {
        var reader = BitReader([0b1010_0110, 0b0111_1000, 0])
        #expect(reader.readUE() == 0)
        #expect(reader.readUE() == 1)
        #expect(reader.readUE() == 2)
        #expect(reader.readSE() == -3)  // 00111 = code 6
        #expect(reader.readSE() == 0)
        #expect(reader.readUE() == nil)
    }

    @Test func overlongExpGolombIsRefused() {
        var reader = BitReader(Array(repeating: 0, count: 8) + [0xFF])
        #expect(reader.readUE() == nil)
    }
}

/// Writes bits and Exp-Golomb codes, to build parameter sets in tests.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var used = 8

    mutating func bit(_ value: Bool) {
        if used == 8 {
            bytes.append(0)
            used = 0
        }
        if value { bytes[bytes.count - 1] |= 0x80 >> UInt8(used) }
        used += 1
    }

    mutating func bits(_ value: UInt64, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bit((value >> UInt64(shift)) & 1 == 1) }
    }

    mutating func ue(_ value: UInt32) {
        let code = UInt64(value) + 1
        let length = 64 - code.leadingZeroBitCount
        bits(0, count: length - 1)
        bits(code, count: length)
    }
}
