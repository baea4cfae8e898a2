import Foundation
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(2))) struct RecordingCopiesTests {
    static let t0 = Date(timeIntervalSince1970: 1_760_000_000)

    static func segment(_ from: Double, _ until: Double, copy: Int, node: String = "a") -> RecordedSegment {
        RecordedSegment(
            id: UUID(), cameraID: UUID(uuidString: "00000000-0000-0000-0000-0000000000c1")!, stream: "main", path: "/\(copy)/\(from)",
            start: t0.addingTimeInterval(from), end: t0.addingTimeInterval(until), bytes: 1, frames: 1, gaps: [], codec: "avc1",
            sha256: "x", fence: RecordingFence(holder: node, epoch: 1, copy: copy))
    }

    /// Where each chosen source is shown: from its start until the next one's start (or its own end).
    static func shown(_ chosen: [RecordedSegment]) -> [(copy: Int, from: Double, until: Double)] {
        chosen.enumerated().map { index, segment in
            let cut = index + 1 < chosen.count ? min(segment.end, chosen[index + 1].start) : segment.end
            return (RecordingCopies.copy(of: segment), segment.start.timeIntervalSince(t0), cut.timeIntervalSince(t0))
        }
    }

    @Test func aCompleteCopyIsShownAloneWhateverTheOtherHolds() {
        let first = (0..<5).map { Self.segment(Double($0) * 2, Double($0) * 2 + 2, copy: 0) }
        let second = [Self.segment(0.7, 2.7, copy: 1, node: "b"), Self.segment(2.7, 4.7, copy: 1, node: "b")]
        let chosen = RecordingCopies.playable(second + first)
        #expect(chosen == first, "copy 0 covers 10 s, copy 1 only 4 s: copy 0 alone is shown")
    }

    @Test func aGapInTheFullerCopyIsFilledFromTheOtherAndPlaybackReturnsAfterIt() {
        // Copy 0 (node a) lost 5.0–9.0 s (its node was killed and another took the lease); copy 1 (node b) is whole.
        let first = [Self.segment(0, 2, copy: 0), Self.segment(2, 4, copy: 0), Self.segment(4, 5, copy: 0), Self.segment(9, 11, copy: 0), Self.segment(11, 13, copy: 0),
                     Self.segment(13, 15, copy: 0), Self.segment(15, 17, copy: 0)]
        let second = [Self.segment(0.5, 2.5, copy: 1, node: "b"), Self.segment(2.5, 4.5, copy: 1, node: "b"),
                      Self.segment(4.5, 6.5, copy: 1, node: "b"), Self.segment(6.5, 8.5, copy: 1, node: "b"), Self.segment(8.5, 10.5, copy: 1, node: "b")]
        let chosen = RecordingCopies.playable(first + second)
        let shown = Self.shown(chosen)
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $0.until >= $1.from }, "no hole between two sources: \(shown)")
        #expect(shown.first?.from == 0 && shown.last?.until == 17, "from the first picture to the last: \(shown)")
        #expect(zip(chosen, chosen.dropFirst()).allSatisfy { $0.start < $1.start }, "ordered by start, each shown once")
        let filled = shown.filter { $0.copy == 1 }
        #expect(filled.allSatisfy { $0.until > 4 && $0.from < 9 }, "copy 1 only around the gap: \(shown)")
        #expect(shown.last?.copy == 0 && shown.first?.copy == 0, "copy 0 before and after the gap: \(shown)")
    }

    @Test func oneCopyIsReturnedAsRecordedOverlapsIncluded() {
        let handOver = [Self.segment(0, 2, copy: 0), Self.segment(1.5, 3.5, copy: 0, node: "b"), Self.segment(3.5, 5.5, copy: 0, node: "b")]
        #expect(RecordingCopies.playable(handOver.reversed()) == handOver)
    }

    @Test func differencesAreWhatOneCopyLacks() {
        let first = [Self.segment(0, 4, copy: 0), Self.segment(9, 12, copy: 0)]
        let second = [Self.segment(1, 3, copy: 1), Self.segment(3.1, 12, copy: 1)]
        let window = DateInterval(start: Self.t0, end: Self.t0.addingTimeInterval(12))
        let a = RecordingCopies.clip(RecordingCopies.coverage(first), to: window)
        let b = RecordingCopies.clip(RecordingCopies.coverage(second), to: window)
        let onlyA = RecordingCopies.subtract(b, from: a).map { [$0.start.timeIntervalSince(Self.t0), $0.end.timeIntervalSince(Self.t0)] }
        let onlyB = RecordingCopies.subtract(a, from: b).map { [$0.start.timeIntervalSince(Self.t0), $0.end.timeIntervalSince(Self.t0)] }
        #expect(onlyA == [[0, 1]], "3.0–3.1 is below the join tolerance, so copy 1 counts as continuous there")
        #expect(onlyB == [[4, 9]])
    }

    /// Real recorded files (2 B-frames): copy 0 misses its middle segment, copy 1 (another recorder, 0.48 s earlier, from
    /// its second segment on) has it. The chunk shows no picture twice and fills the gap; a switch of source loses at most
    /// the B-frames presented just before it; ffmpeg decodes it.
    @Test func aChunkOverTwoCopiesFillsTheGapShowsNoPictureTwiceAndDecodes() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await ExportTestRecording.make(seconds: 6, segmentSeconds: 2, in: directory)
        #expect(recording.segments.count == 3)
        let first = [recording.segments[0], recording.segments[2]].map { segment -> RecordedSegment in
            var copy = segment
            copy.fence = RecordingFence(holder: "a", epoch: 1, copy: 0)
            return copy
        }
        let second = recording.segments[1...].map { segment -> RecordedSegment in
            var copy = segment
            copy.id = UUID()
            copy.start = segment.start.addingTimeInterval(-0.48)
            copy.end = segment.end.addingTimeInterval(-0.48)
            copy.fence = RecordingFence(holder: "b", epoch: 1, copy: 1)
            return copy
        }
        let chosen = RecordingCopies.playable(first + second)
        #expect(Set(chosen.map(RecordingCopies.copy(of:))) == [0, 1], "both copies are used")
        let origin = ExportTestRecording.start.addingTimeInterval(-10)
        let chunk = try PlaybackChunker().chunk(
            of: chosen, from: ExportTestRecording.start, until: ExportTestRecording.start.addingTimeInterval(7), origin: origin)
        let shown = try PlaybackChunkerTests.presented(chunk, origin: origin).sorted()
        // No picture twice; a hole only where playback switches source, and there at most the camera's B-frames (2):
        // pictures presented before the switch but decoded after a picture beyond it cannot be kept without that one.
        let switches = chosen.dropFirst().map(\.start)
        var missing: [(at: TimeInterval, pictures: Int)] = []
        for (before, after) in zip(shown, shown.dropFirst()) {
            let step = after.timeIntervalSince(before)
            #expect(step > 0.02, "a picture shown twice at \(before.timeIntervalSince(ExportTestRecording.start))")
            let skipped = Int((step / 0.04).rounded()) - 1
            if skipped > 0 { missing.append((before.timeIntervalSince(ExportTestRecording.start), skipped)) }
            if skipped > 0 {
                #expect(skipped <= 2 && switches.contains { abs($0.timeIntervalSince(after)) < 0.2 },
                        "\(skipped) pictures missing after \(before.timeIntervalSince(ExportTestRecording.start)), not at a switch of source")
            }
        }
        #expect(missing.reduce(0) { $0 + $1.pictures } <= 2 * switches.count, "at most the B-frames at each switch: \(missing)")
        let firstPicture = try #require(recording.pictureTimes.min())
        #expect(abs((shown.first ?? .distantPast).timeIntervalSince(firstPicture)) < 0.001)
        #expect((shown.last ?? .distantPast) >= recording.segments[2].end.addingTimeInterval(-0.05), "to the end of copy 0's last segment")
        let file = directory.appendingPathComponent("copies.mp4")
        try Data(chunk.bytes).write(to: file)
        #expect(try await RecordingTestMedia.decodeErrors(file.path, in: directory) == "", "ffmpeg decodes the merged chunk cleanly")
    }
}
