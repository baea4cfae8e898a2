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
        var open = recording.segments[0]
        open.sha256 = nil
        #expect(throws: ClipExportError.segmentNotSealed(segment: open.id, path: open.path)) {
            try ClipExporter().export(.init(segments: [open], from: origin, until: origin.addingTimeInterval(1), destination: clip))
        }
        #expect(!FileManager.default.fileExists(atPath: clip.path))
    }
}
