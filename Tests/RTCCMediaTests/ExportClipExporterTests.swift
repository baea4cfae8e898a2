import Foundation
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(2))) struct ExportClipExporterTests {
    static let frame = 0.04

    @Test(arguments: [VideoCodec.h264, .h265])
    func rangeStartingMidGOPAcrossASegmentBoundaryIsExact(codec: VideoCodec) async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await ExportTestRecording.make(seconds: 6, codec: codec, in: directory)
        #expect(recording.segments.count == 3)
        let origin = try #require(recording.segments.first).start
        let from = origin.addingTimeInterval(1.31)
        let until = origin.addingTimeInterval(3.49)
        let clip = directory.appendingPathComponent("out/clip.mp4")
        let progress = ProgressLog()
        let result = try ClipExporter().export(
            .init(segments: recording.segments.reversed(), from: from, until: until, destination: clip), progress: progress.record)

        let expected = recording.pictureTimes.filter { $0 >= from && $0 < until }.count
        #expect(result.frames == expected)
        #expect(result.sources.count == 2)
        #expect(result.gaps.isEmpty)
        let lead = result.firstFrame.timeIntervalSince(from)
        #expect(lead >= 0 && lead < Self.frame)
        #expect(result.lastFrame < until && until.timeIntervalSince(result.lastFrame) <= Self.frame + 0.001)
        #expect(result.sha256 == (try SegmentHash.sha256(ofFileAt: clip.path)))
        #expect(result.bytes == Int64((try FileManager.default.attributesOfItem(atPath: clip.path)[.size] as? Int) ?? -1))
        #expect(progress.reported.last == 1)
        #expect(progress.reported == progress.reported.sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: clip.deletingLastPathComponent().path) == ["clip.mp4"])

        #expect(try await RecordingTestMedia.decodeErrors(clip.path, in: directory) == "")
        let shown = try await ExportTestRecording.shownFrames(clip.path, in: directory)
        #expect(shown.count == expected)
        #expect(abs(shown.first ?? 1) < 0.001)
        // The clip starts at the keyframe before `from`; the edit list hides the pictures before it.
        let packets = try await RecordingTestMedia.packets(clip.path, in: directory)
        #expect(packets.first?.key == true && packets.count > shown.count)
        let span = result.lastFrame.timeIntervalSince(result.firstFrame)
        #expect(abs((shown.last ?? 0) - span) < 0.002)
        let boxes = TestBox.parse([UInt8](try Data(contentsOf: clip)))
        let edits = TestBox.parse(try #require(TestBox.find(["moov", "trak", "edts"], in: boxes)).body)
        let elst = try #require(edits.first { $0.type == "elst" })
        #expect(elst.body.count == 4 + 4 + 20)  // version 1, one entry
        #expect(TestBox.find(["moov", "trak", "mdia", "minf", "stbl", "ctts"], in: boxes) != nil)
        #expect(TestBox.find(["moov", "trak", "mdia", "minf", "stbl", "co64"], in: boxes) != nil)
        #expect(TestBox.find(["moof"], in: boxes) == nil)
    }

    @Test func missingSegmentIsAGapKeptInTheTimeline() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await ExportTestRecording.make(seconds: 6, in: directory)
        try #require(recording.segments.count == 3)
        let missing = recording.segments[1]
        let origin = recording.segments[0].start
        let from = origin.addingTimeInterval(0.5)
        let until = origin.addingTimeInterval(5.5)
        let clip = directory.appendingPathComponent("clip.mp4")
        let result = try ClipExporter().export(
            .init(segments: [recording.segments[0], recording.segments[2]], from: from, until: until, destination: clip))

        #expect(result.gaps == [DateInterval(start: missing.start, end: missing.end)])
        let expected = recording.pictureTimes.filter { $0 >= from && $0 < until && !($0 >= missing.start && $0 < missing.end) }.count
        #expect(result.frames == expected)
        #expect(try await RecordingTestMedia.decodeErrors(clip.path, in: directory) == "")
        let shown = try await ExportTestRecording.shownFrames(clip.path, in: directory)
        #expect(shown.count == expected)
        // Clip time is wall-clock time since the first frame, across the gap.
        #expect(abs((shown.last ?? 0) - result.lastFrame.timeIntervalSince(result.firstFrame)) < 0.002)
        let jump = zip(shown, shown.dropFirst()).map { $1 - $0 }.max() ?? 0
        #expect(abs(jump - (missing.end.timeIntervalSince(missing.start) + Self.frame)) < 0.002)
    }

    @Test func alteredSegmentIsRejectedByName() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await ExportTestRecording.make(seconds: 4, in: directory)
        let victim = try #require(recording.segments.last)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: victim.path)))
        bytes[bytes.count - 100] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: victim.path))
        let clip = directory.appendingPathComponent("clip.mp4")
        let origin = recording.segments[0].start
        let request = ClipExporter.Request(
            segments: recording.segments, from: origin.addingTimeInterval(1), until: origin.addingTimeInterval(3.5), destination: clip)
        do {
            _ = try ClipExporter().export(request)
            Issue.record("an altered segment was exported")
        } catch {
            guard case .segmentHashMismatch(let segment, let path, let sealed, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(segment == victim.id && path == victim.path && sealed == victim.sha256)
            #expect(error.description.contains(victim.id.uuidString))
        }
        #expect(!FileManager.default.fileExists(atPath: clip.path))
    }

    @Test func emptyOrUnrecordedRangesAreTypedErrors() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await ExportTestRecording.make(seconds: 2, in: directory)
        let origin = recording.segments[0].start
        let clip = directory.appendingPathComponent("clip.mp4")
        #expect(throws: ClipExportError.emptyRange(from: origin, until: origin)) {
            try ClipExporter().export(.init(segments: recording.segments, from: origin, until: origin, destination: clip))
        }
        let earlier = origin.addingTimeInterval(-3600)
        #expect(throws: ClipExportError.noRecording(from: earlier, until: earlier.addingTimeInterval(60))) {
            try ClipExporter().export(
                .init(segments: recording.segments, from: earlier, until: earlier.addingTimeInterval(60), destination: clip))
        }
        #expect(!FileManager.default.fileExists(atPath: clip.path))
    }

    /// The top-level boxes of an MP4 file with their byte ranges, read by the test itself.
    static func topLevelBoxes(_ bytes: [UInt8]) -> [(type: String, range: Range<Int>)] {
        var boxes: [(type: String, range: Range<Int>)] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard size >= 8, offset + size <= bytes.count else { break }
            boxes.append((String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self), offset..<(offset + size)))
            offset += size
        }
        return boxes
    }

    @Test func aSegmentStillBeingRecordedIsExportedUpToItsLastCompleteFragmentWithAnExactStart() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try await ExportTestRecording.make(seconds: 5, segmentSeconds: 30, in: directory)
        let sealed = try #require(recording.segments.first)
        try #require(recording.segments.count == 1)
        // The file as the recorder leaves it mid-way: three whole fragments, then a fragment half written.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: sealed.path)))
        let boxes = Self.topLevelBoxes(bytes)
        let fragments = boxes.indices.filter { boxes[$0].type == "moof" && boxes.indices.contains($0 + 1) && boxes[$0 + 1].type == "mdat" }
        try #require(fragments.count >= 4)
        let completeEnd = boxes[fragments[2] + 1].range.upperBound
        let torn = boxes[fragments[3] + 1].range
        let openBytes = Array(bytes[0..<(torn.lowerBound + (torn.count / 2))])
        var open = sealed
        open.id = UUID()
        open.path = directory.appendingPathComponent("open.mp4").path
        open.sha256 = nil
        open.end = sealed.start.addingTimeInterval(1)  // the index lags: the last progress report was early
        try Data(openBytes).write(to: URL(fileURLWithPath: open.path))
        // How many pictures the three complete fragments hold, from each trun's sample count.
        let pictures = try fragments.prefix(3).map { index -> Int in
            let trun = try #require(TestBox.find(["moof", "traf", "trun"], in: TestBox.parse(Array(bytes[boxes[index].range]))))
            return trun.body[4..<8].reduce(0) { $0 << 8 | Int($1) }
        }.reduce(0, +)
        let recorded = Array(recording.pictureTimes.prefix(pictures)).sorted()

        let from = sealed.start.addingTimeInterval(0.5)
        let until = sealed.start.addingTimeInterval(60)  // "now", well past what is written
        let clip = directory.appendingPathComponent("live.mp4")
        let result = try ClipExporter().export(.init(segments: [open], from: from, until: until, destination: clip))

        let expected = recorded.filter { $0 >= from }
        #expect(result.frames == expected.count)
        #expect(result.firstFrame == expected.first)
        #expect(abs(result.lastFrame.timeIntervalSince(try #require(expected.last))) < 0.001)
        let edge = try #require(result.liveEdge)
        #expect(abs(edge.timeIntervalSince(try #require(recorded.last).addingTimeInterval(Self.frame))) < 0.002)
        #expect(result.gaps.isEmpty, "the unrecorded rest of the range is the live edge, not a gap: \(result.gaps)")
        let source = try #require(result.sources.first)
        #expect(!source.sealed)
        let prefix = directory.appendingPathComponent("complete-prefix.bin")
        try Data(bytes[0..<completeEnd]).write(to: prefix)
        let sum = try await ExternalTool.run(try RecordingTestMedia.requireTool("sha256sum"), [prefix.path], in: directory)
        #expect(source.sha256 == sum.output.split(separator: " ").first.map(String.init))
        #expect(try await RecordingTestMedia.decodeErrors(clip.path, in: directory) == "")
        let shown = try await ExportTestRecording.shownFrames(clip.path, in: directory)
        #expect(shown.count == expected.count)

        // A segment opened a moment ago with no complete fragment yet adds nothing and is not an error.
        var empty = open
        empty.id = UUID()
        empty.path = directory.appendingPathComponent("just-opened.mp4").path
        empty.start = sealed.start.addingTimeInterval(5)
        try Data(bytes[0..<boxes[fragments[0]].range.lowerBound]).write(to: URL(fileURLWithPath: empty.path))
        var closed = sealed
        closed.end = sealed.start.addingTimeInterval(5)
        let both = try ClipExporter().export(
            .init(segments: [closed, empty], from: from, until: until, destination: directory.appendingPathComponent("both.mp4")))
        #expect(both.frames == recording.pictureTimes.filter { $0 >= from }.count)
        #expect(both.sources.count == 1 && both.sources.allSatisfy(\.sealed))
    }
}
