import Testing

@testable import RTCCMedia

@Suite struct DecodeTimelineTests {
    /// Decode-order PTS of an I P B B pattern (display order I B B P), 25 fps.
    static func ipbbPattern(groups: Int, start: Int64 = 0) -> [Int64] {
        var pts: [Int64] = []
        for group in 0..<groups {
            let base = start + Int64(group) * 4 * 3600
            pts += [base, base + 3 * 3600, base + 3600, base + 2 * 3600]
        }
        return pts
    }

    static func run(_ pts: [Int64], depth: Int, frameRate: Double? = 25) -> [DecodeTiming] {
        var timeline = DecodeTimeline<Int>(reorderDepth: depth, frameRate: frameRate)
        var out: [DecodeTiming] = []
        for (index, value) in pts.enumerated() { out += timeline.push(presentationTime: value, payload: index).map(\.timing) }
        out += timeline.flush().map(\.timing)
        return out
    }

    @Test(arguments: [2, 3, 4])
    func bFramesGetMonotonicDecodeTimesNotAfterPresentation(depth: Int) {
        let pts = Self.ipbbPattern(groups: 6, start: 900_000)
        let timings = Self.run(pts, depth: depth)
        #expect(timings.count == pts.count)
        #expect(timings.map(\.presentationTime) == pts)
        for (previous, next) in zip(timings, timings.dropFirst()) {
            #expect(next.decodeTime > previous.decodeTime)
            #expect(previous.duration == next.decodeTime - previous.decodeTime)
        }
        #expect(timings.allSatisfy { $0.decodeTime <= $0.presentationTime })
        #expect(timings.contains { $0.compositionOffset > 0 })
        #expect(timings.last?.duration == 3600)
    }

    @Test func withoutReorderingDecodeTimeIsPresentationTime() {
        let pts = (0..<10).map { Int64($0) * 3000 }
        let timings = Self.run(pts, depth: 0, frameRate: nil)
        #expect(timings.map(\.decodeTime) == pts)
        #expect(timings.dropLast().allSatisfy { $0.duration == 3000 })
        #expect(timings.last?.duration == 3000)
    }

    @Test func frameDurationFallsBackToSmallestStep() throws {
        let timings = Self.run(Self.ipbbPattern(groups: 3), depth: 2, frameRate: nil)
        let first = try #require(timings.first)
        #expect(first.compositionOffset == 7200, "\(timings)")
        #expect(timings.allSatisfy { $0.decodeTime <= $0.presentationTime })
    }

    @Test func outputLagsByDepthPlusOne() {
        var timeline = DecodeTimeline<Int>(reorderDepth: 2, frameRate: 25)
        let pts = Self.ipbbPattern(groups: 2)
        #expect(timeline.push(presentationTime: pts[0], payload: 0).isEmpty)
        #expect(timeline.push(presentationTime: pts[1], payload: 1).isEmpty)
        #expect(timeline.push(presentationTime: pts[2], payload: 2).isEmpty)
        let first = timeline.push(presentationTime: pts[3], payload: 3)
        #expect(first.map(\.payload) == [0])
        #expect(first.first?.timing.decodeTime == -7200)
    }

    @Test func streamBreakingItsDepthStillIncreases() {
        let timings = Self.run(Self.ipbbPattern(groups: 4), depth: 0)
        for (previous, next) in zip(timings, timings.dropFirst()) { #expect(next.decodeTime > previous.decodeTime) }
    }

    @Test func reorderDepthFromFormat() {
        func format(_ depth: Int) -> VideoFormat {
            VideoFormat(codec: .h264, codecString: "avc1.640028", width: 1, height: 1, frameRate: 25, decoderConfiguration: [], reorderDepth: depth)
        }
        #expect(DecodeTimeline<Int>.reorderDepth(for: format(0)) == 0)
        #expect(DecodeTimeline<Int>.reorderDepth(for: format(1)) == 1)
        #expect(DecodeTimeline<Int>.reorderDepth(for: format(16)) == 2)
    }
}

extension DecodeTimelineTests {
    @Test func streamCutBeforeItsBFramesLeavesNoHole() {
        // I P B B P, then the stream ends before the last P's B-frames arrive.
        let pts: [Int64] = [0, 3 * 3600, 3600, 2 * 3600, 6 * 3600]
        let timings = Self.run(pts, depth: 2)
        #expect(timings.count == 5)
        #expect(timings.allSatisfy { $0.duration <= 3600 })
        #expect(timings.allSatisfy { $0.decodeTime <= $0.presentationTime })
    }
}
