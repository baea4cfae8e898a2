import Foundation
import Logging
import RTCCCore
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing

/// `rtcc recordings reindex`: the index rebuilt from the segment files after it was lost.
@Suite(.timeLimit(.minutes(5))) struct RecordingReindexTests {
    @Test func lostIndexRowsAreRebuiltFromTheFilesWithTheirCameraFramesHashAndTimes() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        defer { Task { await store.shutdown() } }
        let camera = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Texas St", kind: .city, location: GeoPoint(latitude: 32.51, longitude: -93.75)).validated(), sealedSecrets: nil))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-reindex-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = Date().addingTimeInterval(-600).millisecondPrecision
        let original = try await RecordedFootage.record(seconds: 6, camera: camera.id, start: start, in: directory, store: store)
        try #require(original.count == 3)
        // The recorder writes each fragment as it completes: the file's last change is its segment's end.
        for segment in original { try FileManager.default.setAttributes([.modificationDate: segment.end], ofItemAtPath: segment.path) }
        let root = directory.appendingPathComponent("rec")
        // A crash tore the last fragment of one file; another camera's file has no camera in the registry.
        let torn = try FileHandle(forWritingTo: URL(fileURLWithPath: original[2].path))
        try torn.seekToEnd()
        try torn.write(contentsOf: Data([0, 0, 0x10, 0, 0x6D, 0x6F, 0x6F, 0x66, 1, 2, 3]))
        try torn.close()
        try FileManager.default.setAttributes([.modificationDate: original[2].end], ofItemAtPath: original[2].path)
        let stranger = UUID()
        let strangerFolder = root.appendingPathComponent(stranger.uuidString.lowercased()).appendingPathComponent("2026-12-05")
        try FileManager.default.createDirectory(at: strangerFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: original[0].path, toPath: strangerFolder.appendingPathComponent("\(UUID().uuidString.lowercased()).mp4").path)
        // The index is lost.
        for segment in original { try await store.segments.delete(id: segment.id) }

        let reindexer = RecordingReindexer(store: store, root: root, logger: Logger(label: "test"))
        let dry = try await reindexer.run(dryRun: true)
        #expect(dry.indexed == 3 && dry.files == 4)
        #expect(try await store.segments.list(cameraID: camera.id, from: start.addingTimeInterval(-60), until: start.addingTimeInterval(60)).isEmpty)
        let report = try await reindexer.run()
        #expect(report.indexed == 3 && report.alreadyIndexed == 0 && report.unreadable.isEmpty, "\(report)")
        #expect(report.unknownCameras == [stranger.uuidString.lowercased(): 1])
        let rebuilt = try await store.segments.list(cameraID: camera.id, from: start.addingTimeInterval(-60), until: start.addingTimeInterval(60))
        #expect(rebuilt.map(\.id) == original.map(\.id))
        for (row, segment) in zip(rebuilt, original) {
            #expect(row.frames == segment.frames && row.sha256 == segment.sha256 && row.bytes == segment.bytes, "\(row) vs \(segment)")
            #expect(abs(row.start.timeIntervalSince(segment.start)) < 0.1 && abs(row.end.timeIntervalSince(segment.end)) < 0.1)
            #expect(row.codec.hasPrefix("avc1.") && row.codec == segment.codec)
        }
        // A second run finds everything indexed.
        let again = try await reindexer.run()
        #expect(again.indexed == 0 && again.alreadyIndexed == 3)
    }

    @Test func everyRecordingsVolumeAndTheArchiveAreReindexedWithArchivedFootageStillDatedRight() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        defer { Task { await store.shutdown() } }
        let camera = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Market St", kind: .city, location: GeoPoint(latitude: 32.51, longitude: -93.75)).validated(), sealedSecrets: nil))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-reindex-volumes-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Old footage on the first volume, recent footage on the second; the old one is then archived.
        let old = Date().addingTimeInterval(-40 * 86_400).millisecondPrecision
        let recent = Date().addingTimeInterval(-600).millisecondPrecision
        let first = try await RecordedFootage.record(seconds: 4, camera: camera.id, start: old, in: directory.appendingPathComponent("a"), store: store)
        let second = try await RecordedFootage.record(seconds: 4, camera: camera.id, start: recent, in: directory.appendingPathComponent("b"), store: store)
        for segment in first + second { try FileManager.default.setAttributes([.modificationDate: segment.end], ofItemAtPath: segment.path) }
        let volumes = [directory.appendingPathComponent("a/rec"), directory.appendingPathComponent("b/rec")]
        let archive = directory.appendingPathComponent("nas")
        let moved = try await SegmentArchiver(store: store, recordings: volumes, archive: archive, afterDays: 30, logger: Logger(label: "test")).archive()
        #expect(moved.segments == first.count && moved.failed == 0)
        // The index is lost.
        for segment in first + second { try await store.segments.delete(id: segment.id) }

        let report = try await RecordingReindexer(store: store, recordings: volumes, archive: archive, logger: Logger(label: "test")).run()
        #expect(report.indexed == first.count + second.count && report.files == report.indexed && report.unreadable.isEmpty, "\(report)")
        for (original, archived) in first.map({ ($0, true) }) + second.map({ ($0, false) }) {
            let row = try #require(try await store.segments.list(cameraID: camera.id, from: original.start, until: original.end).first { $0.id == original.id })
            #expect(row.archived == archived && row.path.hasPrefix((archived ? archive : volumes[1]).path + "/"), "\(row.path)")
            #expect(row.sha256 == original.sha256 && row.frames == original.frames)
            #expect(abs(row.end.timeIntervalSince(original.end)) < 0.1, "an archived file keeps its last change: \(row.end) vs \(original.end)")
        }
    }
}
