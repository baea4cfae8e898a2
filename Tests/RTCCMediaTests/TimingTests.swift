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
