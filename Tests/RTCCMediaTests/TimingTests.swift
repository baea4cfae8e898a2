import Foundation
import Testing

@testable import RTCCMedia

struct TimestampUnwrapperTests {
    @Test func forwardWraparoundKeepsCounting() {
        var unwrapper = TimestampUnwrapper()
        #expect(unwrapper.unwrap(0xFFFF_FF00) == 0xFFFF_FF00)
        #expect(unwrapper.unwrap(0x0000_0100) == 0x1_0000_0100)
        #expect(unwrapper.unwrap(0x7000_0000) == 0x1_7000_0000)
        #expect(unwrapper.unwrap(0xE000_0000) == 0x1_E000_0000)
        #expect(unwrapper.unwrap(0x1000_0000) == 0x2_1000_0000)
    }

    @Test func smallBackwardStepStaysBehind() {
        var unwrapper = TimestampUnwrapper()
        _ = unwrapper.unwrap(100)
        #expect(unwrapper.unwrap(0xFFFF_FFF0) == -16)
        #expect(unwrapper.unwrap(200) == 200)
    }

    @Test func peekDoesNotAdvance() {
        var unwrapper = TimestampUnwrapper()
        _ = unwrapper.unwrap(0xFFFF_0000)
        #expect(unwrapper.peek(5) == 0x1_0000_0005)
        #expect(unwrapper.current == 0xFFFF_0000)
    }
}

struct WallClockMapperTests {
    let arrival = Date(timeIntervalSince1970: 1_000_000)

    @Test func arrivalAnchorsTimelineWithoutSenderReport() {
        var mapper = WallClockMapper(clockRate: 90_000)
        #expect(mapper.wallClock(forRTPTimestamp: 0xFFFF_FFFF - 44_999, arrival: arrival) == arrival)
        let later = mapper.wallClock(forRTPTimestamp: 45_000, arrival: arrival.addingTimeInterval(9))
        #expect(later == arrival.addingTimeInterval(1))
        #expect(!mapper.isSynchronized)
    }

    @Test func senderReportOverridesArrivalTime() {
        var mapper = WallClockMapper(clockRate: 90_000)
        _ = mapper.wallClock(forRTPTimestamp: 1000, arrival: arrival)
        let senderTime = Date(timeIntervalSince1970: 2_000_000)
        let report = RTCPSenderReport(
            ssrc: 1, ntpTimestamp: RTCPSenderReport.ntpTimestamp(for: senderTime), rtpTimestamp: 90_000, packetCount: 0, octetCount: 0)
        mapper.apply(report)
        #expect(mapper.isSynchronized)
        let mapped = mapper.wallClock(forRTPTimestamp: 180_000, arrival: arrival)
        #expect(abs(mapped.timeIntervalSince(senderTime) - 1) < 0.000_001)
        let earlier = mapper.wallClock(forRTPTimestamp: 45_000, arrival: arrival)
        #expect(abs(earlier.timeIntervalSince(senderTime) + 0.5) < 0.000_001)
    }
}

struct DecodeTimestampGeneratorTests {
    func run(_ presentation: [Int64], depth: Int, duration: Int64 = 1) -> [Int64] {
        var generator = DecodeTimestampGenerator(reorderDepth: depth, initialFrameDuration: duration)
        return presentation.map { generator.decodeTimestamp(presentation: $0) }
    }

    @Test func withoutReorderingDecodeTimeIsPresentationTime() {
        #expect(run([0, 3000, 6000, 9000], depth: 0) == [0, 3000, 6000, 9000])
    }

    @Test(arguments: [
        ([Int64(0), 3, 1, 2, 6, 4, 5], 1, [Int64(-1), 0, 1, 2, 3, 4, 5]),
        ([0, 4, 2, 1, 3, 8, 6, 5, 7], 2, [-2, -1, 0, 1, 2, 3, 4, 5, 6]),
        ([0, 3, 1, 2], 4, [-4, -3, -2, -1]),
    ])
    func bFramePatternsGetIncreasingDecodeTimes(presentation: [Int64], depth: Int, expected: [Int64]) {
        #expect(run(presentation, depth: depth) == expected)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func decodeTimeNeverPassesPresentationTime(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let depth = Int.random(in: 1...4, using: &generator)
        // Display order 0..<n after a keyframe shown first, reordered so that no picture moves more
        // than `depth` back; one picture in ten is lost.
        var order = Array(0..<500)
        var index = 1
        while index < order.count {
            let end = min(index + depth + 1, order.count)
            let anchor = order[end - 1]
            order.replaceSubrange(index..<end, with: [anchor] + order[index..<(end - 1)])
            index = end
        }
        let presentation = order.enumerated().filter { $0.offset == 0 || Int.random(in: 0..<10, using: &generator) > 0 }.map {
            Int64($0.element * 3600)
        }
        let decode = run(presentation, depth: depth, duration: 3600)
        #expect(zip(decode, presentation).allSatisfy { $0 <= $1 })
        #expect(zip(decode, decode.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func resetStartsOver() {
        var generator = DecodeTimestampGenerator(reorderDepth: 1, initialFrameDuration: 10)
        _ = generator.decodeTimestamp(presentation: 1000)
        generator.reset()
        #expect(generator.decodeTimestamp(presentation: 0) == -10)
    }
}
