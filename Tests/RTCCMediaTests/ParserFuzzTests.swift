import Foundation
import Testing

@testable import RTCCMedia

/// Feeds thousands of random and mutated inputs from a seeded generator to every parser: each must
/// return a value or its typed error, never trap. Seeds are fixed so a failure reproduces.
struct ParserFuzzTests {
    static let iterations = 4000

    /// Random lengths favour short inputs, where the boundary checks live.
    static func randomInput(_ generator: inout SeededGenerator, maximum: Int = 64) -> [UInt8] {
        generator.bytes(count: Int.random(in: 0...maximum, using: &generator))
    }

    @Test(arguments: [UInt64(11), 12])
    func rtpPacketParserNeverTraps(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let valid = RTPPacket(
            marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [4, 5],
            headerExtension: RTPHeaderExtension(profile: 0xBEDE, data: [1, 2, 3, 4]), payload: [9, 9, 9]
        ).serialized()
        var parsed = 0
        for index in 0..<Self.iterations {
            var input = index % 2 == 0 ? generator.mutate(valid) : Self.randomInput(&generator)
            if index % 3 == 0, !input.isEmpty { input[0] = 0x80 | (input[0] & 0x3F) }
            do {
                let packet = try RTPPacket(parsing: input)
                parsed += 1
                if !packet.hasPadding { #expect(try RTPPacket(parsing: packet.serialized()) == packet) }
            } catch {
                _ = error as RTPPacketError
            }
        }
        #expect(parsed > 0)
    }

    @Test(arguments: [UInt64(21), 22])
    func rtcpParserNeverTraps(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let valid = RTCPSenderReportTests.report + [0x81, 202, 0, 2, 0, 0, 0, 9, 1, 1, 0x41, 0]
        for index in 0..<Self.iterations {
            let input = index % 2 == 0 ? generator.mutate(valid) : Self.randomInput(&generator)
            do {
                for report in try RTCPSenderReport.senderReports(inCompound: input) {
                    #expect(report.wallClock.timeIntervalSince1970.isFinite)
                }
            } catch {
                _ = error as RTCPError
            }
            _ = try? RTCPSenderReport(parsing: input)
        }
    }

    @Test func reorderBufferKeepsOrderUnderRandomArrival() {
        var generator = SeededGenerator(seed: 31)
        var buffer = RTPReorderBuffer(capacity: 8, maximumDelay: .milliseconds(40))
        let start = ContinuousClock.now
        var emitted: [UInt16] = []
        for index in 0..<Self.iterations {
            let sequence = UInt16(truncatingIfNeeded: index + Int.random(in: -6...6, using: &generator))
            let packet = RTPPacket(payloadType: 96, sequenceNumber: sequence, timestamp: 0, ssrc: 1, payload: [])
            emitted += buffer.insert(packet, arrival: start.advanced(by: .milliseconds(index))).map(\.sequenceNumber)
        }
        emitted += buffer.flush().map(\.sequenceNumber)
        #expect(zip(emitted, emitted.dropFirst()).allSatisfy { Int16(bitPattern: $1 &- $0) > 0 })
        #expect(emitted.count == buffer.statistics.received)
    }

    @Test(arguments: [VideoCodec.h264, .h265])
    func depacketizerNeverTraps(codec: VideoCodec) {
        var generator = SeededGenerator(seed: codec == .h264 ? 41 : 42)
        let filler = Array(repeating: UInt8(0x5A), count: 1500)
        let valid =
            codec == .h264
            ? TestPacketizer.h264([[Vectors.sps1080p, Vectors.pps1080p, [0x65, 0x88] + filler], [[0x41, 0x9A, 1]]], aggregate: true)
            : TestPacketizer.h265(
                [[Vectors.hevcVPS, Vectors.hevcSPS, Vectors.hevcPPS, [0x26, 1, 0xAF] + filler], [[2, 1, 0xD0, 1]]], aggregate: true)
        var h264 = H264Depacketizer(maximumAccessUnitSize: 64 * 1024)
        var h265 = H265Depacketizer(maximumAccessUnitSize: 64 * 1024)
        var sequence: UInt16 = 0
        for index in 0..<Self.iterations {
            var packet = valid[index % valid.count]
            packet.payload = index % 3 == 0 ? Self.randomInput(&generator, maximum: 300) : generator.mutate(packet.payload)
            packet.sequenceNumber = sequence
            packet.marker = Bool.random(using: &generator)
            sequence &+= Int.random(in: 0...10, using: &generator) == 0 ? 2 : 1
            do {
                let units = codec == .h264 ? try h264.process(packet) : try h265.process(packet)
                for unit in units {
                    #expect(AnnexB.lengthPrefixed(unit.nalUnits) == unit.sampleData)
                }
            } catch {
                _ = error as VideoDepacketizerError
            }
        }
    }

    @Test(arguments: [UInt64(51), 52])
    func spsParsersNeverTrap(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let h264Vectors = [Vectors.sps1080p, Vectors.sps444]
        var parsed = 0
        for index in 0..<Self.iterations {
            let h264Input = index % 4 == 0 ? [0x67] + Self.randomInput(&generator) : generator.mutate(h264Vectors[index % 2])
            let h265Input = index % 4 == 0 ? [0x42, 0x01] + Self.randomInput(&generator) : generator.mutate(Vectors.hevcSPS)
            do {
                let sps = try H264SPS(parsing: h264Input)
                parsed += 1
                #expect(sps.width > 0 && sps.height > 0)
                #expect(sps.codecString.hasPrefix("avc1."))
            } catch {
                _ = error as ParameterSetError
            }
            do {
                let sps = try H265SPS(parsing: h265Input)
                #expect(sps.width > 0 && sps.height > 0)
                #expect(sps.codecString.hasPrefix("hvc1."))
            } catch {
                _ = error as ParameterSetError
            }
        }
        #expect(parsed > 0)
    }

    @Test func annexBSplitterNeverTraps() {
        var generator = SeededGenerator(seed: 61)
        for _ in 0..<Self.iterations {
            var input = Self.randomInput(&generator, maximum: 128)
            for _ in 0..<3 where !input.isEmpty {
                let at = Int.random(in: 0..<input.count, using: &generator)
                input.replaceSubrange(at..<at, with: [0, 0, 1])
            }
            let units = AnnexB.split(input)
            #expect(units.allSatisfy { !$0.isEmpty && $0.last != 0 })
            _ = AnnexB.groupAccessUnits(units, codec: .h264)
            _ = AnnexB.groupAccessUnits(units, codec: .h265)
            #expect(AnnexB.splitLengthPrefixed(AnnexB.lengthPrefixed(units)) == units)
        }
    }
}
