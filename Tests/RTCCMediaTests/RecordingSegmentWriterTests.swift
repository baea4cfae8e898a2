import Foundation
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(2))) struct RecordingSegmentWriterTests {
    static let start = Date(timeIntervalSince1970: 1_760_000_000)

    /// Writes `units` through a writer with 2 s segments and returns the sealed segments.
    static func record(
        _ units: [VideoAccessUnit], root: URL, index: MemoryRecordingIndex, segmentDuration: Duration = .seconds(2)
    ) async throws -> [RecordedSegment] {
        let writer = SegmentWriter(
            configuration: .init(root: root, cameraID: UUID(), segmentDuration: segmentDuration, progressInterval: .zero), index: index)
        var timeline = DecodeTimeline<VideoAccessUnit>(reorderDepth: 0, frameRate: 25)
        func frame(_ item: (timing: DecodeTiming, payload: VideoAccessUnit)) -> TimedVideoFrame {
            let wall = start.addingTimeInterval(Double(item.timing.presentationTime - 1_000_000) / 90_000)
            return TimedVideoFrame(accessUnit: item.payload, timing: item.timing, wallClock: wall)
        }
        for unit in units {
            for item in timeline.push(presentationTime: unit.rtpTimestamp, payload: unit) { try await writer.append(frame(item)) }
        }
        for item in timeline.flush() { try await writer.append(frame(item)) }
        try await writer.close()
        return await index.sealedSegments
    }

    @Test func segmentsRollAtKeyframesAndDecodeCleanly() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = try await RecordingTestMedia.h264AccessUnits(seconds: 5, in: directory)
        let index = MemoryRecordingIndex()
        let sealed = try await Self.record(Array(units.dropFirst(3)), root: directory.appendingPathComponent("rec"), index: index)
        #expect(sealed.count == 2)
        #expect(sealed.reduce(0) { $0 + $1.frames } == units.count - 25)
        #expect(await index.openedSegments.map(\.id) == sealed.map(\.id))
        #expect(!(await index.progressedSegments.isEmpty))
        for (previous, next) in zip(sealed, sealed.dropFirst()) {
            #expect(abs(next.start.timeIntervalSince(previous.end)) < 0.001)
        }
        for segment in sealed {
            #expect(segment.path.contains("/2025-10-09/"))
            #expect(segment.sha256 == (try SegmentHash.sha256(ofFileAt: segment.path)))
            #expect(segment.bytes == Int64((try FileManager.default.attributesOfItem(atPath: segment.path)[.size] as? Int) ?? -1))
            #expect(segment.gaps.isEmpty)
            #expect(try await RecordingTestMedia.decodeErrors(segment.path, in: directory) == "")
            let packets = try await RecordingTestMedia.packets(segment.path, in: directory)
            #expect(packets.count == segment.frames)
            #expect(packets.first?.key == true)
        }
    }

    /// A recorder being stopped seals its segment from a cancelled task: the writes and the flush, done on the disk
    /// threads, must not be abandoned with the task.
    @Test func aWriterDrivenByACancelledTaskStillWritesAndSeals() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = try await RecordingTestMedia.h264AccessUnits(seconds: 3, in: directory)
        let index = MemoryRecordingIndex()
        let root = directory.appendingPathComponent("rec")
        let task = Task {
            // Wait to be cancelled, then write everything: each fragment and the seal happen in a cancelled task.
            while !Task.isCancelled { await Task.yield() }
            return try await Self.record(units, root: root, index: index, segmentDuration: .seconds(60))
        }
        task.cancel()
        let sealed = try await task.value
        let segment = try #require(sealed.first)
        #expect(sealed.count == 1)
        #expect(segment.frames == units.count)
        #expect(segment.sha256 == (try SegmentHash.sha256(ofFileAt: segment.path)))
        #expect(try await RecordingTestMedia.packets(segment.path, in: directory).count == units.count)
    }

    @Test func fragmentsStayWithinASecond() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = try await RecordingTestMedia.h264AccessUnits(seconds: 4, gop: 100, in: directory)
        let index = MemoryRecordingIndex()
        let sealed = try await Self.record(units, root: directory.appendingPathComponent("rec"), index: index, segmentDuration: .seconds(60))
        let segment = try #require(sealed.first)
        let boxes = MP4TopLevelBox.walk([UInt8](try Data(contentsOf: URL(fileURLWithPath: segment.path))))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment.path)))
        let runs = boxes.filter { $0.type == "moof" }.compactMap { FragmentSummary(moof: $0.body(in: bytes)) }
        #expect(runs.count == 4)
        #expect(runs.allSatisfy { $0.totalDuration <= 90_000 + 3600 })
        #expect(runs.reduce(0) { $0 + $1.sampleCount } == 100)
    }

    @Test func timestampJumpIsAGap() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var units = try await RecordingTestMedia.h264AccessUnits(seconds: 2, in: directory)
        for position in 30..<units.count { units[position].rtpTimestamp += 10 * 3600 }
        let index = MemoryRecordingIndex()
        let sealed = try await Self.record(units, root: directory.appendingPathComponent("rec"), index: index, segmentDuration: .seconds(60))
        let gap = try #require(sealed.first?.gaps.first)
        #expect(abs(gap.duration - 0.4) < 0.01)
        #expect(try await RecordingTestMedia.decodeErrors(try #require(sealed.first).path, in: directory) == "")
    }

    @Test func parameterSetChangeStartsANewFile() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var units = try await RecordingTestMedia.h264AccessUnits(seconds: 2, in: directory)
        for position in 25..<units.count { units[position].format.codecString = "avc1.640016" }
        let index = MemoryRecordingIndex()
        let sealed = try await Self.record(units, root: directory.appendingPathComponent("rec"), index: index, segmentDuration: .seconds(60))
        #expect(sealed.map(\.frames) == [25, units.count - 25])
    }
}
