import Foundation
import Testing

@testable import RTCCMedia

@Suite struct PipelineUnitTests {
    @Test func backoffDoublesToItsMaximumAndResetsAfterAHealthyMinute() {
        var backoff = ReconnectBackoff()
        let delays = (0..<7).map { _ in backoff.delay(afterStreaming: .seconds(5)) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(backoff.delay(afterStreaming: .seconds(61)) == .milliseconds(500))
        #expect(backoff.delay(afterStreaming: .zero) == .seconds(1))
    }

    static func frame(_ number: Int) -> TimedVideoFrame {
        let format = VideoFormat(codec: .h264, codecString: "avc1.42C01E", width: 2, height: 2, frameRate: 25, decoderConfiguration: [])
        let unit = VideoAccessUnit(
            codec: .h264, nalUnits: [[0x65, UInt8(number)]], isKeyframe: number == 0, rtpTimestamp: Int64(number), format: format)
        let timing = DecodeTiming(decodeTime: Int64(number), presentationTime: Int64(number), duration: 1)
        return TimedVideoFrame(accessUnit: unit, timing: timing, wallClock: Date())
    }

    @Test func slowViewerKeepsOnlyTheNewestFrames() async {
        let broadcaster = FrameBroadcaster()
        let stream = broadcaster.subscribe(bufferingNewest: 3)
        for number in 0..<10 { broadcaster.publish(Self.frame(number)) }
        broadcaster.finish()
        var received: [Int64] = []
        for await frame in stream { received.append(frame.timing.decodeTime) }
        #expect(received == [7, 8, 9])
    }

    @Test func endedViewersAreForgotten() async {
        let broadcaster = FrameBroadcaster()
        var first: AsyncStream<TimedVideoFrame>? = broadcaster.subscribe()
        let second = broadcaster.subscribe()
        #expect(broadcaster.subscriberCount == 2)
        first = nil
        #expect(first == nil)
        broadcaster.publish(Self.frame(0))
        #expect(broadcaster.subscriberCount == 1)
        _ = second
    }

    @Test func rateMeterCountsTheWindow() {
        var meter = RateMeter(window: .seconds(2))
        let start = ContinuousClock.now
        for index in 0..<100 { meter.record(bytes: 1000, at: start + .milliseconds(40 * index)) }
        let (fps, bitrate) = meter.rates(now: start + .milliseconds(40 * 99))
        #expect(abs(fps - 25) <= 1)
        #expect(abs(bitrate - 200_000) <= 8000)
    }
}
