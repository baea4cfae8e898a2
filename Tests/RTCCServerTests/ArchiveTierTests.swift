import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import RTCCCore
import RTCCMedia
@testable import RTCCServer
import RTCCStore
import Testing

/// The archive tier: old sealed segments move to a second folder, still play back, and no longer count against the
/// recordings volume.
@Suite struct ArchiveTierTests {
    @Test func oldSealedSegmentsMoveToTheArchiveKeepTheirHashAndStillPlayBack() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-archive-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make { $0.dataDirectory = directory.path }
        let camera = app.cityCamera.id
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 40 * 86_400).rounded(.down))
        let footage = directory.appendingPathComponent("footage")
        let recorded = try await RecordedFootage.record(seconds: 6, camera: camera, start: start, in: footage, store: app.services.store)
        #expect(recorded.count == 3 && recorded.allSatisfy(\.isSealed))
        let bytes = recorded.reduce(Int64(0)) { $0 + $1.bytes }
        let before = try await app.services.store.segments.totalBytes()
        #expect(before >= bytes)

        let archive = directory.appendingPathComponent("nas")
        let archiver = SegmentArchiver(
            store: app.services.store, recordings: [footage.appendingPathComponent("rec")], archive: archive, afterDays: 30, logger: Logger(label: "test"))
        // Nothing is 60 days old: nothing moves.
        #expect(try await archiver.archive(now: start.addingTimeInterval(20 * 86_400)) == SegmentArchiver.Report())
        let report = try await archiver.archive()
        #expect(report == SegmentArchiver.Report(segments: 3, bytes: bytes))

        let rows = try await app.services.store.segments.list(cameraID: camera, from: start, until: start.addingTimeInterval(10))
        #expect(rows.allSatisfy { $0.archived && $0.path.hasPrefix(archive.path + "/") })
        for (row, original) in zip(rows, recorded) {
            #expect(!FileManager.default.fileExists(atPath: original.path), "the original is deleted once the index names the copy")
            let data = try Data(contentsOf: URL(fileURLWithPath: row.path))
            #expect(SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() == row.sha256, "the archived file is the sealed one")
            let mode = try FileManager.default.attributesOfItem(atPath: row.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(row.path.hasSuffix(String(original.path.dropFirst(footage.appendingPathComponent("rec").path.count))), "same place below the folder")
        }
        #expect(try await app.services.store.segments.totalBytes() == before - bytes, "the recordings volume no longer counts them")
        let prunable = Set(try await app.services.store.segments.oldestUnheld(limit: 1000).map(\.id))
        #expect(prunable.isDisjoint(with: recorded.map(\.id)), "nor frees space by deleting them")
        #expect(try await archiver.archive() == SegmentArchiver.Report(), "a second pass moves nothing")

        try await app.test { client in
            let opened = try await client.execute(uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                                  body: jsonBody(["cameraIDs": [camera.uuidString], "purpose": "case review 26-9"]))
            #expect(opened.status == .created, "\(opened.text)")
            let session = try #require((try opened.json() as? [String: Any])?["id"] as? String)
            let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            let window = "from=\(start.addingTimeInterval(1).formatted(iso))&until=\(start.addingTimeInterval(5).formatted(iso))&origin=\(start.formatted(iso))"
            let media = try await client.execute(uri: "/api/v1/cameras/\(camera)/media?session=\(session)&\(window)", method: .get, headers: app.headers(.analyst))
            #expect(media.status == .ok, "\(media.text)")
            #expect(Int(media.headers[HTTPField.Name("X-RTCC-Frames")!] ?? "") ?? 0 >= 75, "four seconds from the archive play back")
        }
    }

    @Test func aFileThatDoesNotMatchItsHashStaysWhereItIs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-archive-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(location: .memory)
        try await store.migrate()
        let camera = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Cam", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7)).validated(), sealedSecrets: nil))
        let recordings = directory.appendingPathComponent("rec/\(camera.id)")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        let path = recordings.appendingPathComponent("damaged.mp4").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 5000))
        let start = Date().addingTimeInterval(-90 * 86_400)
        let segment = SegmentRecord(
            id: UUID(), cameraID: camera.id, stream: "main", path: path, start: start, end: start.addingTimeInterval(60), bytes: 5000, frames: 1500,
            gaps: [], codec: "avc1", sha256: String(repeating: "0", count: 64))
        try await store.segments.upsert(segment)
        let archive = directory.appendingPathComponent("nas")
        let report = try await SegmentArchiver(
            store: store, recordings: [directory.appendingPathComponent("rec")], archive: archive, afterDays: 30, logger: Logger(label: "test")
        ).archive()
        #expect(report == SegmentArchiver.Report(failed: 1))
        #expect(try await store.segments.find(id: segment.id) == segment, "the row is unchanged")
        #expect(FileManager.default.fileExists(atPath: path), "the file stays in the recordings folder")
        let left = FileManager.default.enumerator(atPath: archive.path)?.allObjects.compactMap { $0 as? String }.filter { $0.hasSuffix(".mp4") || $0.hasSuffix(".part") } ?? []
        #expect(left.isEmpty, "no copy is left in the archive: \(left)")
        await store.shutdown()
    }

    @Test func theArchiveFolderMustBeApartFromTheRecordingsFolder() throws {
        var config = AppConfig()
        config.dataDirectory = "/srv/rtcc"
        for folder in ["/srv/rtcc/recordings", "/srv/rtcc/recordings/archive", "/srv/rtcc/recordings/../recordings"] {
            config.archiveDirectory = folder
            #expect(throws: AppConfig.Invalid.self, "\(folder)") { try config.validate() }
        }
        config.archiveDirectory = "/mnt/nas/rtcc"
        try config.validate()
        #expect(throws: AppConfig.Invalid.self) { try config.set("archiveAfterDays", "0", from: "test") }
    }
}
