import Foundation
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(3))) struct RecordingRecoveryTests {
    @Test func truncatedFilesAreRepairedToDecodableFragments() async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let units = try await RecordingTestMedia.h264AccessUnits(seconds: 4, in: directory)
        let index = MemoryRecordingIndex()
        let sealed = try await RecordingSegmentWriterTests.record(
            units, root: directory.appendingPathComponent("rec"), index: index, segmentDuration: .seconds(60))
        let original = try #require(sealed.first)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: original.path))
        var generator = SeededGenerator(seed: 42)
        let boxes = MP4TopLevelBox.walk([UInt8](bytes))
        let initLength = boxes.prefix(2).last?.end ?? 0
        let firstFragmentEnd = boxes.dropFirst(3).first?.end ?? 0
        var offsets = (0..<12).map { _ in Int(generator.next() % UInt64(bytes.count - initLength)) + initLength }
        offsets += [initLength, firstFragmentEnd - 1, firstFragmentEnd, bytes.count - 1, bytes.count]
        for offset in offsets {
            let path = directory.appendingPathComponent("cut-\(offset).mp4").path
            try bytes.prefix(offset).write(to: URL(fileURLWithPath: path))
            var unsealed = original
            unsealed.path = path
            unsealed.sha256 = nil
            if offset < firstFragmentEnd {
                #expect(throws: SegmentFileError.noCompleteFragment(path: path)) { try SegmentRecovery.recover(unsealed) }
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == initLength)
                continue
            }
            let repaired = try SegmentRecovery.recover(unsealed)
            let kept = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(repaired.bytes == Int64(kept.count))
            #expect(repaired.sha256 == (try SegmentHash.sha256(ofFileAt: path)))
            #expect(repaired.frames <= original.frames)
            #expect(abs(repaired.end.timeIntervalSince(repaired.start) - Double(repaired.frames) / 25) < 0.001)
            if offset == bytes.count { #expect(repaired.frames == original.frames && repaired.sha256 == original.sha256) }
            #expect(repaired.frames > 0)
            #expect(try await RecordingTestMedia.decodeErrors(path, in: directory) == "", "cut at \(offset)")
        }
    }

    @Test func fileWithoutInitializationSegmentIsRefused() throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("torn.mp4").path
        try Data([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 1, 2]).write(to: URL(fileURLWithPath: path))
        #expect(throws: SegmentFileError.missingInitializationSegment(path: path)) { try SegmentRecovery.repair(fileAt: path) }
    }
}
