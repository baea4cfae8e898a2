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

    static func report(at time: Date, rtp: UInt32) -> RTCPSenderReport {
        RTCPSenderReport(ssrc: 1, ntpTimestamp: RTCPSenderReport.ntpTimestamp(for: time), rtpTimestamp: rtp, packetCount: 0, octetCount: 0)
    }

    @Test func arrivalAnchorsTheTimelineAndRTPDistancesTimeTheFollowingPictures() {
        var mapper = WallClockMapper(clockRate: 90_000)
        #expect(mapper.wallClock(forRTPTimestamp: 0xFFFF_FFFF - 44_999, arrival: arrival) == arrival)
        // One second of RTP later (across the 32-bit wrap), arriving with 0.3 s of network delay: camera spacing wins.
        let later = mapper.wallClock(forRTPTimestamp: 45_000, arrival: arrival.addingTimeInterval(1.3))
        #expect(later == arrival.addingTimeInterval(1))
        #expect(!mapper.isSynchronized && mapper.reanchors == 0)
    }

    @Test func aSenderReportWithinToleranceIsAdopted() {
        var mapper = WallClockMapper(clockRate: 90_000)
        _ = mapper.wallClock(forRTPTimestamp: 1000, arrival: arrival)
        let senderTime = arrival.addingTimeInterval(0.8)
        mapper.apply(Self.report(at: senderTime, rtp: 90_000), arrival: arrival.addingTimeInterval(0.5))
        #expect(mapper.isSynchronized)
        #expect(abs((mapper.cameraClockOffset ?? 0) - 0.3) < 0.001)
        let mapped = mapper.wallClock(forRTPTimestamp: 180_000, arrival: arrival.addingTimeInterval(1.5))
        #expect(abs(mapped.timeIntervalSince(senderTime) - 1) < 0.000_001)
    }

    @Test func aCameraClockHoursOffIsNotAdoptedAndItsOffsetIsKept() {
        var mapper = WallClockMapper(clockRate: 90_000)
        _ = mapper.wallClock(forRTPTimestamp: 0, arrival: arrival)
        mapper.apply(Self.report(at: arrival.addingTimeInterval(3 * 3600), rtp: 45_000), arrival: arrival.addingTimeInterval(0.5))
        #expect(!mapper.isSynchronized)
        #expect(abs((mapper.cameraClockOffset ?? 0) - (3 * 3600 - 0.5)) < 0.001)
        let mapped = mapper.wallClock(forRTPTimestamp: 90_000, arrival: arrival.addingTimeInterval(1.1))
        #expect(mapped == arrival.addingTimeInterval(1), "timed by the server's clock, not 3 h ahead")
    }

    @Test func aTimelineOnAnAdoptedSenderClockIgnoresLateArrivalsButNotAJump() {
        var mapper = WallClockMapper(clockRate: 90_000)
        _ = mapper.wallClock(forRTPTimestamp: 0, arrival: arrival)
        mapper.apply(Self.report(at: arrival.addingTimeInterval(1), rtp: 90_000), arrival: arrival.addingTimeInterval(1.1))
        #expect(mapper.isSynchronized)
        // A busy server reads this picture 3 s late: the sender's checked clock still times it.
        let late = mapper.wallClock(forRTPTimestamp: 180_000, arrival: arrival.addingTimeInterval(5))
        #expect(late == arrival.addingTimeInterval(2) && mapper.reanchors == 0)
        // An hour's leap is a jump all the same.
        let leapt = mapper.wallClock(forRTPTimestamp: 90_000 * 3600, arrival: arrival.addingTimeInterval(3))
        #expect(leapt == arrival.addingTimeInterval(3) && mapper.reanchors == 1 && !mapper.isSynchronized)
    }

    @Test func aJumpOrAStandstillOfTheRTPClockReanchorsOnArrival() {
        var mapper = WallClockMapper(clockRate: 90_000)
        _ = mapper.wallClock(forRTPTimestamp: 0, arrival: arrival)
        // The camera's RTP clock leaps an hour ahead (a reboot keeping its SSRC).
        let leapt = mapper.wallClock(forRTPTimestamp: 90_000 * 3600, arrival: arrival.addingTimeInterval(1))
        #expect(leapt == arrival.addingTimeInterval(1) && mapper.reanchors == 1)
        let next = mapper.wallClock(forRTPTimestamp: 90_000 * 3600 + 9000, arrival: arrival.addingTimeInterval(1.1))
        #expect(abs(next.timeIntervalSince(arrival) - 1.1) < 0.000_001)
        // A 30 s stall after which the timestamps resume where they stopped.
        let resumed = mapper.wallClock(forRTPTimestamp: 90_000 * 3600 + 12_600, arrival: arrival.addingTimeInterval(31.2))
        #expect(resumed == arrival.addingTimeInterval(31.2) && mapper.reanchors == 2)
        // Pictures released late (no arrival) follow the timeline without re-anchoring.
        let flushed = mapper.wallClock(forRTPTimestamp: 90_000 * 3600 + 16_200, arrival: nil)
        #expect(abs(flushed.timeIntervalSince(arrival) - 31.24) < 0.000_001 && mapper.reanchors == 2)
    }
}
