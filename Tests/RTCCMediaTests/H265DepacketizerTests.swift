import Foundation
import Testing

@testable import RTCCMedia

struct H265SPSTests {
    @Test func main720pLevel31() throws {
        let sps = try H265SPS(parsing: Vectors.hevcSPS)
        #expect(sps.profileIDC == 1)
        #expect(sps.levelIDC == 93)
        #expect(!sps.tierFlag)
        #expect(sps.width == 1280)
        #expect(sps.height == 720)
        #expect(sps.chromaFormat == 1)
        #expect(sps.codecString == "hvc1.1.6.L93.90")
    }

    @Test(arguments: [
        (UInt8(0), false, UInt8(1), UInt32(0x6000_0000), [UInt8(0xB0), 0, 0, 0, 0, 0], UInt8(93), "hvc1.1.6.L93.B0"),
        (1, true, 2, 0x2000_0000, [0x90, 0, 0, 0, 0, 0], 120, "hvc1.A2.4.H120.90"),
        (0, false, 4, 0x0800_0000, [0, 0, 0, 0, 0, 0], 150, "hvc1.4.10.L150"),
    ])
    func codecStringFollowsISO14496Annex(
        space: UInt8, tier: Bool, profile: UInt8, compatibility: UInt32, constraints: [UInt8], level: UInt8, expected: String
    ) throws {
        var sps = try H265SPS(parsing: Vectors.hevcSPS)
        sps.profileSpace = space
        sps.tierFlag = tier
        sps.profileIDC = profile
        sps.profileCompatibilityFlags = compatibility
        sps.constraintIndicatorFlags = constraints
        sps.levelIDC = level
        #expect(sps.codecString == expected)
    }

    @Test func truncatedSPSThrowsTypedError() {
        #expect(throws: ParameterSetError.self) { try H265SPS(parsing: Array(Vectors.hevcSPS.prefix(18))) }
        #expect(throws: ParameterSetError.unexpectedNALUnitType(32)) { try H265SPS(parsing: Vectors.hevcVPS) }
    }

    @Test func decoderConfigurationRecordHoldsAllThreeArrays() throws {
        var sets = H265ParameterSets()
        for unit in [Vectors.hevcVPS, Vectors.hevcSPS, Vectors.hevcPPS] { _ = try sets.update(with: unit) }
        let record = try sets.decoderConfigurationRecord()
        #expect(record[0] == 1)
        #expect(record[1] == 0x01)
        #expect(record[12] == 93)
        #expect(record[22] == 3)
        let arrays = 3 * 5 + Vectors.hevcVPS.count + Vectors.hevcSPS.count + Vectors.hevcPPS.count
        #expect(record.count == 23 + arrays)
    }

    @Test func spropParametersAreRead() throws {
        let sets = try H265ParameterSets(
            spropVPS: Data(Vectors.hevcVPS).base64EncodedString(), spropSPS: Data(Vectors.hevcSPS).base64EncodedString(),
            spropPPS: Data(Vectors.hevcPPS).base64EncodedString())
        #expect(sets.isComplete)
        #expect(try sets.videoFormat().codecString == "hvc1.1.6.L93.90")
    }
}

struct H265DepacketizerTests {
    static let idr: [UInt8] = [0x26, 0x01, 0xAF] + Array(repeating: 0x5A, count: 2500)
    static let trail: [UInt8] = [0x02, 0x01, 0xD0, 1, 2, 3]
    static let parameterSets = [Vectors.hevcVPS, Vectors.hevcSPS, Vectors.hevcPPS]

    func packet(_ payload: [UInt8], sequence: UInt16, timestamp: UInt32 = 0, marker: Bool = false) -> RTPPacket {
        RTPPacket(marker: marker, payloadType: 96, sequenceNumber: sequence, timestamp: timestamp, ssrc: 1, payload: payload)
    }

    func run(_ packets: [RTPPacket], _ depacketizer: inout H265Depacketizer) throws -> [VideoAccessUnit] {
        var output: [VideoAccessUnit] = []
        for packet in packets { output += try depacketizer.process(packet) }
        return output + depacketizer.flush()
    }

    @Test(arguments: [false, true])
    func keyframeAndFollowingFrameAreAssembled(aggregate: Bool) throws {
        let packets = TestPacketizer.h265([Self.parameterSets + [Self.idr], [Self.trail]], aggregate: aggregate)
        var depacketizer = H265Depacketizer()
        let units = try run(packets, &depacketizer)
        #expect(units.map(\.isKeyframe) == [true, false])
        #expect(units.first?.nalUnits == Self.parameterSets + [Self.idr])
        #expect(units.first?.codec == .h265)
        #expect(units.first?.format.width == 1280)
        #expect(units.last?.nalUnits == [Self.trail])
    }

    @Test func framesBeforeFirstIRAPAreSkipped() throws {
        var depacketizer = H265Depacketizer()
        let units = try run(TestPacketizer.h265([[Self.trail], Self.parameterSets + [Self.idr]]), &depacketizer)
        #expect(units.map(\.isKeyframe) == [true])
        #expect(depacketizer.statistics.skippedBeforeKeyframe == 1)
    }

    @Test func fuWithoutStartIsRejected() {
        var depacketizer = H265Depacketizer()
        #expect(throws: VideoDepacketizerError.fragmentWithoutStart) {
            try depacketizer.process(packet([0x62, 0x01, 0x13, 9, 9], sequence: 1))
        }
    }

    static let malformed: [(String, [UInt8], VideoDepacketizerError)] = [
        ("empty", [], .payloadTooShort),
        ("header only", [0x02, 0x01], .payloadTooShort),
        ("forbidden bit", [0x82, 0x01, 0], .forbiddenBitSet),
        ("AP size past end", [0x60, 0x01, 0, 9, 0x02], .truncatedAggregationPacket),
        ("AP zero size", [0x60, 0x01, 0, 0], .truncatedAggregationPacket),
        ("FU without data", [0x62, 0x01, 0x93], .truncatedFragment),
        ("FU start and end", [0x62, 0x01, 0xD3, 1], .fragmentStartAndEnd),
        ("PACI", [0x64, 0x01, 0, 0], .unsupportedPacketType(50)),
        ("reserved 60", [0x78, 0x01, 0], .unsupportedPacketType(60)),
    ]

    @Test(arguments: malformed)
    func malformedPayloadIsRejected(name: String, payload: [UInt8], expected: VideoDepacketizerError) {
        var depacketizer = H265Depacketizer()
        #expect(throws: expected, "\(name)") { try depacketizer.process(packet(payload, sequence: 1)) }
    }

    @Test func lostFragmentDropsAccessUnit() throws {
        var packets = TestPacketizer.h265([Self.parameterSets + [Self.idr], [Self.idr], [Self.trail]], mtu: 1000)
        let second = packets.filter { $0.timestamp == 3600 }
        packets.removeAll { $0 == second[1] }
        var depacketizer = H265Depacketizer()
        let units = try run(packets, &depacketizer)
        #expect(units.map(\.rtpTimestamp) == [0, 7200])
        #expect(depacketizer.statistics.droppedAccessUnits == 1)
    }
}
