import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

struct PacketizerTests {
    static func slice(header: [UInt8], size: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return header + [0x80] + generator.bytes(count: size - header.count - 1)
    }

    static let h264Units: [[[UInt8]]] = [
        [Vectors.sps1080p, Vectors.pps1080p, slice(header: [0x65], size: 5000, seed: 1)],
        [slice(header: [0x41], size: 300, seed: 2)],
        [slice(header: [0x41], size: 1401, seed: 3)],
        [slice(header: [0x01], size: 40, seed: 4)],
    ]

    static let h265Units: [[[UInt8]]] = [
        [Vectors.hevcVPS, Vectors.hevcSPS, Vectors.hevcPPS, slice(header: [0x26, 0x01], size: 4000, seed: 5)],
        [slice(header: [0x02, 0x01], size: 900, seed: 6)],
        [slice(header: [0x02, 0x01], size: 2803, seed: 7)],
    ]

    @Test(arguments: [(1400, true), (1400, false), (200, true), (8, false)])
    func h264RoundTripsThroughDepacketizer(maximumPayloadSize: Int, aggregate: Bool) throws {
        var packetizer = VideoPacketizer(codec: .h264, ssrc: 0xCAFE, sequenceNumber: 65_530, maximumPayloadSize: maximumPayloadSize, aggregatesSmallUnits: aggregate)
        var depacketizer = H264Depacketizer()
        var received: [[[UInt8]]] = []
        for (index, unit) in Self.h264Units.enumerated() {
            let packets = packetizer.packetize(unit, timestamp: UInt32(index * 3000))
            #expect(packets.allSatisfy { $0.payload.count <= max(maximumPayloadSize, 8) && $0.ssrc == 0xCAFE })
            #expect(packets.map(\.marker) == Array(repeating: false, count: packets.count - 1) + [true])
            for packet in packets { received += try depacketizer.process(packet).map(\.nalUnits) }
        }
        received += depacketizer.flush().map(\.nalUnits)
        #expect(
            received.map { $0.filter { $0[0] & 0x1F != 7 && $0[0] & 0x1F != 8 } }
                == Self.h264Units.map { $0.filter { $0[0] & 0x1F != 7 && $0[0] & 0x1F != 8 } })
        #expect(depacketizer.parameterSets.sps == Vectors.sps1080p)
        #expect(depacketizer.parameterSets.pps == Vectors.pps1080p)
    }

    @Test func h264SequenceNumbersContinueAcrossAccessUnitsAndWrap() {
        var packetizer = VideoPacketizer(codec: .h264, ssrc: 1, sequenceNumber: 65_534)
        let first = packetizer.packetize(Self.h264Units[0], timestamp: 0)
        let second = packetizer.packetize(Self.h264Units[1], timestamp: 3000)
        let numbers = (first + second).map(\.sequenceNumber)
        #expect(numbers == (0..<numbers.count).map { UInt16(truncatingIfNeeded: 65_534 + $0) })
        #expect(packetizer.sequenceNumber == UInt16(truncatingIfNeeded: 65_534 + numbers.count))
        #expect(second.allSatisfy { $0.timestamp == 3000 })
    }

    @Test func h264AggregatesParameterSetsIntoOneSTAPA() {
        var packetizer = VideoPacketizer(codec: .h264, ssrc: 1, sequenceNumber: 0)
        let packets = packetizer.packetize(Self.h264Units[0], timestamp: 0)
        let stap = packets[0].payload
        #expect(stap[0] & 0x1F == H264NALUnitType.stapA)
        #expect(stap[0] & 0x60 == Vectors.sps1080p[0] & 0x60)
        #expect(Int(stap[1]) << 8 | Int(stap[2]) == Vectors.sps1080p.count)
        #expect(Array(stap[3..<(3 + Vectors.sps1080p.count)]) == Vectors.sps1080p)
        // 5000-byte IDR → FU-A: start bit on the first fragment, end bit on the last, type 5 in each header.
        let fragments = packets.dropFirst().map(\.payload)
        #expect(fragments.count == 4)
        #expect(fragments.allSatisfy { $0[0] == 0x60 | H264NALUnitType.fuA && $0[1] & 0x1F == 5 })
        #expect(fragments.map { $0[1] & 0xC0 } == [0x80, 0, 0, 0x40])
        #expect(fragments.reduce(0) { $0 + $1.count - 2 } == 4999)
    }

    @Test func h264WithoutAggregationSendsSingleNALUnits() {
        var packetizer = VideoPacketizer(codec: .h264, ssrc: 1, sequenceNumber: 0, aggregatesSmallUnits: false)
        let packets = packetizer.packetize(Self.h264Units[0], timestamp: 0)
        #expect(packets[0].payload == Vectors.sps1080p)
        #expect(packets[1].payload == Vectors.pps1080p)
    }

    @Test(arguments: [(1400, true), (1400, false), (100, true)])
    func h265RoundTripsThroughDepacketizer(maximumPayloadSize: Int, aggregate: Bool) throws {
        var packetizer = VideoPacketizer(codec: .h265, ssrc: 7, sequenceNumber: 100, maximumPayloadSize: maximumPayloadSize, aggregatesSmallUnits: aggregate)
        var depacketizer = H265Depacketizer()
        var received: [[[UInt8]]] = []
        for (index, unit) in Self.h265Units.enumerated() {
            for packet in packetizer.packetize(unit, timestamp: UInt32(index * 3600)) {
                #expect(packet.payload.count <= maximumPayloadSize)
                received += try depacketizer.process(packet).map(\.nalUnits)
            }
        }
        received += depacketizer.flush().map(\.nalUnits)
        let isParameterSet = { (unit: [UInt8]) in (32...34).contains((unit[0] >> 1) & 0x3F) }
        #expect(received.map { $0.filter { !isParameterSet($0) } } == Self.h265Units.map { $0.filter { !isParameterSet($0) } })
        #expect(depacketizer.parameterSets.isComplete)
    }

    @Test func h265FragmentationUnitHeaders() {
        var packetizer = VideoPacketizer(codec: .h265, ssrc: 7, sequenceNumber: 0)
        let packets = packetizer.packetize(Self.h265Units[0], timestamp: 0)
        #expect((packets[0].payload[0] >> 1) & 0x3F == H265NALUnitType.aggregationPacket)
        #expect(packets[0].payload[1] & 0x07 == 1)
        let fragments = packets.dropFirst().map(\.payload)
        #expect(fragments.allSatisfy { ($0[0] >> 1) & 0x3F == H265NALUnitType.fragmentationUnit && $0[1] == 0x01 && $0[2] & 0x3F == 19 })
        #expect(fragments.map { $0[2] & 0xC0 } == [0x80, 0, 0x40])
        #expect(fragments.reduce(0) { $0 + $1.count - 3 } == 3998)
    }

    @Test func serializedPacketsParseBackToTheSamePackets() throws {
        var structured = VideoPacketizer(codec: .h265, ssrc: 9, sequenceNumber: 5)
        var serialized = VideoPacketizer(codec: .h265, ssrc: 9, sequenceNumber: 5)
        let packets = structured.packetize(Self.h265Units[2], timestamp: 42)
        let buffers = serialized.serializedPackets(Self.h265Units[2], timestamp: 42)
        #expect(try buffers.map { try RTPPacket(parsing: $0) } == packets)
    }
}
