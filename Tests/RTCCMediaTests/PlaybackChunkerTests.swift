import Foundation
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(2))) struct PlaybackChunkerTests {
    static func recording(_ directory: URL) async throws -> ExportTestRecording {
        try await ExportTestRecording.make(seconds: 6, segmentSeconds: 2, in: directory)
    }

    /// Presentation wall-clock times of the chunk's pictures, read back from its own boxes.
    static func presented(_ chunk: PlaybackChunk, origin: Date) throws -> [Date] {
        guard case .success(let parsed) = FragmentedSegment.parse(chunk.bytes) else { throw ChunkUnreadable() }
        return parsed.samples.map { origin.addingTimeInterval(Double($0.presentationTime) / Double(parsed.timescale)) }
    }

    struct ChunkUnreadable: Error {}

    @Test func chunkStartsAtTheKeyframeAtOrBeforeTheRequestedTimeOnAWallClockTimeline() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await Self.recording(directory)
        let from = ExportTestRecording.start.addingTimeInterval(2.5)
        let origin = ExportTestRecording.start.addingTimeInterval(-100)
        let chunk = try PlaybackChunker().chunk(of: recording.segments, from: from, until: from.addingTimeInterval(1.5), origin: origin)
        #expect(chunk.firstFrame <= from && chunk.firstFrame > from.addingTimeInterval(-1.0))
        guard case .success(let parsed) = FragmentedSegment.parse(chunk.bytes) else { Issue.record("chunk unreadable"); return }
        #expect(parsed.samples.first?.isSync == true)
        let shown = try Self.presented(chunk, origin: origin).sorted()
        let expected = recording.pictureTimes.filter { $0 >= chunk.firstFrame && $0 < chunk.end }.sorted()
        #expect(shown.count == expected.count)
        for (a, b) in zip(shown, expected) { #expect(abs(a.timeIntervalSince(b)) < 0.001, "media time is wall-clock time minus the origin") }
        let next = try #require(chunk.next)
        #expect(next >= from.addingTimeInterval(1.5) && next < from.addingTimeInterval(2.6), "the chunk stops before the keyframe after until")
        let file = directory.appendingPathComponent("chunk.mp4")
        try Data(chunk.bytes).write(to: file)
        #expect(try await RecordingTestMedia.decodeErrors(file.path, in: directory) == "", "ffmpeg decodes the chunk cleanly")
    }

    @Test func consecutiveChunksHoldEveryPictureExactlyOnce() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await Self.recording(directory)
        let origin = ExportTestRecording.start.addingTimeInterval(-10)
        var from = ExportTestRecording.start
        var shown: [Date] = []
        var chunks = 0
        while chunks < 50 {
            let chunk = try PlaybackChunker().chunk(of: recording.segments, from: from, until: from.addingTimeInterval(1.3), origin: origin)
            shown += try Self.presented(chunk, origin: origin)
            chunks += 1
            guard let next = chunk.next else { break }
            from = next
        }
        #expect(chunks >= 3, "a chunk runs to the keyframe after its end, so 1.3 s windows over 1 s groups make 2 s chunks")
        #expect(shown.count == recording.pictureTimes.count, "\(shown.count) pictures in the chunks, \(recording.pictureTimes.count) recorded")
        #expect(Set(shown.map { ($0.timeIntervalSince1970 * 1000).rounded() }).count == shown.count, "no picture twice")
    }

    @Test func anOverlapOfTwoRecordersIsShownOnceAtItsRealTimes() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await Self.recording(directory)
        #expect(recording.segments.count == 3)
        // A second recorder's copy of the middle segment, starting 0.48 s (12 pictures) before the first one ends: the
        // overlap of a hand-over between two nodes.
        var second = recording.segments[1]
        second.id = UUID()
        second.start = second.start.addingTimeInterval(-0.48)
        second.end = second.end.addingTimeInterval(-0.48)
        let sources = [recording.segments[0], second, recording.segments[2]]
        let origin = ExportTestRecording.start.addingTimeInterval(-10)
        let chunk = try PlaybackChunker().chunk(
            of: sources, from: ExportTestRecording.start, until: ExportTestRecording.start.addingTimeInterval(5), origin: origin)
        let shown = try Self.presented(chunk, origin: origin).sorted()
        #expect(Set(shown.map { ($0.timeIntervalSince1970 * 1000).rounded() }).count == shown.count, "no picture time twice")
        let overlap = shown.filter { $0 >= second.start && $0 < recording.segments[0].end }
        #expect(overlap.count == 12, "the 0.48 s overlap shows 12 pictures once, not 24 (\(overlap.count))")
        #expect(shown.contains { abs($0.timeIntervalSince(second.start)) < 0.001 }, "the second recorder's pictures keep their own times")
        let file = directory.appendingPathComponent("overlap.mp4")
        try Data(chunk.bytes).write(to: file)
        #expect(try await RecordingTestMedia.decodeErrors(file.path, in: directory) == "", "ffmpeg decodes the chunk cleanly")
    }

    @Test func aTimeInAGapLeadsToTheNextRecording() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await Self.recording(directory)
        let kept = [recording.segments[0], recording.segments[2]]
        let origin = ExportTestRecording.start.addingTimeInterval(-10)
        let inGap = recording.segments[1].start.addingTimeInterval(0.5)
        let chunk = try PlaybackChunker().chunk(of: kept, from: inGap, until: inGap.addingTimeInterval(1), origin: origin)
        #expect(abs(chunk.firstFrame.timeIntervalSince(recording.segments[2].start)) < 0.001)
        let before = try PlaybackChunker().chunk(
            of: kept, from: recording.segments[0].start, until: recording.segments[1].end, origin: origin)
        #expect(before.next.map { abs($0.timeIntervalSince(recording.segments[2].start)) < 0.001 } == true, "the chunk before the gap points past it")
    }

    @Test func badRequestsAreExplained() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await Self.recording(directory)
        let after = recording.segments.last!.end.addingTimeInterval(5)
        #expect(throws: PlaybackError.noRecording(at: after)) {
            try PlaybackChunker().chunk(of: recording.segments, from: after, until: after.addingTimeInterval(5), origin: ExportTestRecording.start)
        }
        let from = ExportTestRecording.start.addingTimeInterval(1)
        #expect {
            try PlaybackChunker().chunk(of: recording.segments, from: from, until: from.addingTimeInterval(1), origin: from.addingTimeInterval(10))
        } throws: { error in
            guard case PlaybackError.originAfterFootage = error else { return false }
            return true
        }
    }
}
