import Foundation
import Testing

@testable import RTCCMedia

struct H264DepacketizerTests {
    static let sps = Vectors.sps1080p
    static let pps = Vectors.pps1080p
    static let idr: [UInt8] = [0x65, 0x88] + Array(repeating: 0xAB, count: 3000)
    static let pSlice: [UInt8] = [0x41, 0x9A, 1, 2, 3]

    func packet(_ payload: [UInt8], sequence: UInt16, timestamp: UInt32 = 3600, marker: Bool = false) -> RTPPacket {
        RTPPacket(marker: marker, payloadType: 96, sequenceNumber: sequence, timestamp: timestamp, ssrc: 1, payload: payload)
    }

    func run(_ packets: [RTPPacket], _ depacketizer: inout H264Depacketizer) throws -> [VideoAccessUnit] {
        var output: [VideoAccessUnit] = []
        for packet in packets { output += try depacketizer.process(packet) }
        return output + depacketizer.flush()
    }

    @Test(arguments: [false, true])
    func keyframeAndFollowingFrameAreAssembled(aggregate: Bool) throws {
        let packets = TestPacketizer.h264([[Self.sps, Self.pps, Self.idr], [Self.pSlice]], aggregate: aggregate)
        var depacketizer = H264Depacketizer()
        let units = try run(packets, &depacketizer)
        #expect(units.count == 2)
        #expect(units.first?.isKeyframe == true)
        #expect(units.first?.nalUnits == [Self.sps, Self.pps, Self.idr])
        #expect(units.first?.format.codecString == "avc1.4D4028")
        #expect(units.first?.format.width == 1920)
        #expect(units.last?.isKeyframe == false)
        #expect(units.last?.nalUnits == [Self.pSlice])
        #expect(units.last?.rtpTimestamp == 3600)
        #expect(units.last?.sampleData == [0, 0, 0, 5] + Self.pSlice)
    }

    @Test func parameterSetsFromSDPAreInsertedBeforeEachIDR() throws {
        let sprop = [Self.sps, Self.pps].map { Data($0).base64EncodedString() }.joined(separator: ",")
        var depacketizer = H264Depacketizer(parameterSets: try H264ParameterSets(spropParameterSets: sprop))
        let packets = TestPacketizer.h264([[Self.idr], [Self.pSlice], [Self.idr]])
        let units = try run(packets, &depacketizer)
        #expect(units.map(\.isKeyframe) == [true, false, true])
        #expect(units[0].nalUnits == [Self.sps, Self.pps, Self.idr])
        #expect(units[2].nalUnits == [Self.sps, Self.pps, Self.idr])
    }

    @Test func inBandParameterSetChangeUpdatesFormat() throws {
        var depacketizer = H264Depacketizer()
        let firstPackets = TestPacketizer.h264([[Self.sps, Self.pps, Self.idr]])
        let first = try run(firstPackets, &depacketizer)
        let next = TestPacketizer.h264([[Vectors.sps444, Self.pps, Self.idr]], firstSequence: UInt16(firstPackets.count))
        let second = try run(next, &depacketizer)
        #expect(first.first?.format.width == 1920)
        #expect(second.first?.format.width == 320)
        #expect(second.first?.nalUnits.first == Vectors.sps444)
        #expect(depacketizer.parameterSets.sps == Vectors.sps444)
    }

    @Test func framesBeforeFirstIDRAreSkipped() throws {
        var depacketizer = H264Depacketizer()
        let packets = TestPacketizer.h264([[Self.pSlice], [Self.pSlice], [Self.sps, Self.pps, Self.idr], [Self.pSlice]])
        let units = try run(packets, &depacketizer)
        #expect(units.map(\.isKeyframe) == [true, false])
        #expect(depacketizer.statistics.skippedBeforeKeyframe == 2)
    }

    @Test func idrWithoutParameterSetsIsNotEmitted() throws {
        var depacketizer = H264Depacketizer()
        let units = try run(TestPacketizer.h264([[Self.idr], [Self.pSlice]]), &depacketizer)
        #expect(units.isEmpty)
    }

    @Test func fuAWithoutStartIsRejected() throws {
        var depacketizer = H264Depacketizer()
        let middle = packet([0x7C, 0x05, 1, 2, 3], sequence: 1)
        #expect(throws: VideoDepacketizerError.fragmentWithoutStart) { try depacketizer.process(middle) }
    }

    @Test func fuAStartAndEndTogetherIsRejected() {
        var depacketizer = H264Depacketizer()
        #expect(throws: VideoDepacketizerError.fragmentStartAndEnd) { try depacketizer.process(packet([0x7C, 0xC5, 1], sequence: 1)) }
    }

    @Test func fuAInterruptedBeforeEndIsRejected() throws {
        var depacketizer = H264Depacketizer()
        _ = try depacketizer.process(packet([0x7C, 0x85, 1, 2], sequence: 1))
        #expect(throws: VideoDepacketizerError.fragmentWithoutEnd) { try depacketizer.process(packet(Self.pSlice, sequence: 2)) }
    }

    @Test func aStreamEndingInsideAFragmentedUnitKeepsTheUnitsBeforeItAndNothingOfTheHalfUnit() throws {
        var depacketizer = H264Depacketizer()
        let keyframe = TestPacketizer.h264([[Self.sps, Self.pps, Self.idr]])
        for packet in keyframe { _ = try depacketizer.process(packet) }
        let next = UInt16(keyframe.count)
        // A P picture: one whole slice, then the first half of a fragmented second slice, then the stream ends.
        let secondSlice: [UInt8] = [0x41, 0x1A] + Array(repeating: 0xCD, count: 40)
        _ = try depacketizer.process(packet(Self.pSlice, sequence: next, timestamp: 7200))
        _ = try depacketizer.process(packet([0x7C, 0x81] + secondSlice[1..<20], sequence: next + 1, timestamp: 7200))
        let flushed = depacketizer.flush()
        #expect(flushed.count == 1)
        #expect(flushed.first?.sampleData == [0, 0, 0, 5] + Self.pSlice)
    }

    @Test func aFragmentedParameterSetIsAbsorbedAndPutBeforeTheKeyframe() throws {
        var depacketizer = H264Depacketizer()
        let sps = Self.sps
        let fuIndicator = (sps[0] & 0xE0) | 28
        let type = sps[0] & 0x1F
        let middle = sps.count / 2
        var output: [VideoAccessUnit] = []
        output += try depacketizer.process(packet([fuIndicator, 0x80 | type] + sps[1..<middle], sequence: 1, timestamp: 0))
        output += try depacketizer.process(packet([fuIndicator, 0x40 | type] + sps[middle...], sequence: 2, timestamp: 0))
        output += try depacketizer.process(packet(Self.pps, sequence: 3, timestamp: 0))
        output += try depacketizer.process(packet(Self.idr, sequence: 4, timestamp: 0, marker: true))
        #expect(depacketizer.parameterSets.sps == sps)
        #expect(output.first?.nalUnits == [sps, Self.pps, Self.idr])
    }

    static let malformed: [(String, [UInt8], VideoDepacketizerError)] = [
        ("empty payload", [], .payloadTooShort),
        ("forbidden bit", [0x85, 1], .forbiddenBitSet),
        ("STAP-A size past end", [0x18, 0, 9, 0x67, 1], .truncatedAggregationPacket),
        ("STAP-A odd size byte", [0x18, 0, 2, 0x67, 1, 0], .truncatedAggregationPacket),
        ("STAP-A zero size", [0x18, 0, 0], .truncatedAggregationPacket),
        ("STAP-A empty", [0x18], .emptyAggregationPacket),
        ("FU-A without header", [0x7C, 0x85], .truncatedFragment),
        ("STAP-B", [0x19, 0, 0, 0, 1, 0x41], .unsupportedPacketType(25)),
        ("MTAP16", [0x1A, 0, 0], .unsupportedPacketType(26)),
        ("FU-B", [0x1D, 0x85, 0, 0, 1], .unsupportedPacketType(29)),
        ("reserved 30", [0x1E, 1], .unsupportedPacketType(30)),
    ]

    @Test(arguments: malformed)
    func malformedPayloadIsRejected(name: String, payload: [UInt8], expected: VideoDepacketizerError) {
        var depacketizer = H264Depacketizer()
        #expect(throws: expected, "\(name)") { try depacketizer.process(packet(payload, sequence: 1)) }
    }

    @Test func lostPacketDropsOnlyTheBrokenAccessUnit() throws {
        var packets = TestPacketizer.h264([[Self.sps, Self.pps, Self.idr], [Self.idr], [Self.pSlice]], mtu: 1000)
        let idrFragments = packets.filter { $0.timestamp == 3600 }
        #expect(idrFragments.count == 4)
        packets.removeAll { $0 == idrFragments[1] }
        var depacketizer = H264Depacketizer()
        let units = try run(packets, &depacketizer)
        #expect(units.map(\.rtpTimestamp) == [0, 7200])
        #expect(depacketizer.statistics.lostPackets == 1)
        #expect(depacketizer.statistics.droppedAccessUnits == 1)
    }

    @Test func malformedPacketDropsAccessUnitAndDecodingGoesOn() throws {
        var depacketizer = H264Depacketizer()
        var output = try run(TestPacketizer.h264([[Self.sps, Self.pps, Self.idr]]), &depacketizer)
        _ = try depacketizer.process(packet([0x41, 1], sequence: 3, timestamp: 3600))
        #expect(throws: VideoDepacketizerError.truncatedAggregationPacket) {
            try depacketizer.process(packet([0x18, 0, 9], sequence: 4, timestamp: 3600, marker: true))
        }
        output += try depacketizer.process(packet(Self.pSlice, sequence: 5, timestamp: 7200, marker: true))
        #expect(output.map(\.rtpTimestamp) == [0, 7200])
        #expect(depacketizer.statistics.droppedAccessUnits == 1)
    }

    @Test func timestampChangeWithoutMarkerEndsAccessUnit() throws {
        var depacketizer = H264Depacketizer()
        var output: [VideoAccessUnit] = []
        output += try depacketizer.process(packet(Self.sps, sequence: 1, timestamp: 0))
        output += try depacketizer.process(packet(Self.pps, sequence: 2, timestamp: 0))
        output += try depacketizer.process(packet(Self.idr, sequence: 3, timestamp: 0))
        #expect(output.isEmpty)
        output += try depacketizer.process(packet(Self.pSlice, sequence: 4, timestamp: 3000))
        #expect(output.count == 1)
        #expect(output.first?.isKeyframe == true)
    }

    @Test func oversizedAccessUnitIsRejected() throws {
        var depacketizer = H264Depacketizer(maximumAccessUnitSize: 2048)
        let packets = TestPacketizer.h264([[Self.sps, Self.pps, Self.idr]], mtu: 500)
        var caught: [VideoDepacketizerError] = []
        for packet in packets {
            do { _ = try depacketizer.process(packet) } catch { caught.append(error) }
        }
        #expect(caught == [.accessUnitTooLarge])
        #expect(depacketizer.flush().isEmpty)
    }

    @Test func invalidSpropIsRejected() {
        #expect(throws: ParameterSetError.invalidBase64("***")) { try H264ParameterSets(spropParameterSets: "***") }
    }

    @Test func decoderConfigurationRecordLayout() throws {
        var sets = H264ParameterSets()
        _ = try sets.update(with: Self.sps)
        #expect(throws: ParameterSetError.missing("PPS")) { try sets.decoderConfigurationRecord() }
        _ = try sets.update(with: Self.pps)
        let record = try sets.decoderConfigurationRecord()
        #expect(Array(record.prefix(6)) == [1, 77, 0x40, 40, 0xFF, 0xE1])
        #expect(record.count == 6 + 2 + Self.sps.count + 1 + 2 + Self.pps.count)
    }
}
