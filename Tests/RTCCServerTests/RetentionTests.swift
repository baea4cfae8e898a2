import Foundation
import Logging
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

@Suite struct RetentionTests {
    @Test func sweepDeletesExpiredFootageButNeverHeldFootage() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        let camera = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Cam", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), retentionDays: 7).validated(),
            sealedSecrets: nil))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-retention-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        var segments: [SegmentRecord] = []
        for day in [10, 9, 8, 1] {
            let start = now.addingTimeInterval(-Double(day) * 86_400)
            let path = directory.appendingPathComponent("\(day).mp4").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 100))
            let segment = SegmentRecord(
                id: UUID(), cameraID: camera.id, stream: "main", path: path, start: start, end: start.addingTimeInterval(60), bytes: 100,
                frames: 1500, gaps: [], codec: "avc1", sha256: "x")
            try await store.segments.upsert(segment)
            segments.append(segment)
        }
        try await store.holds.place(cameraID: camera.id, from: segments[1].start, until: segments[1].end, reason: "case 26-77", by: "analyst")
        let report = try await RetentionSweeper(store: store, quotaBytes: nil, logger: Logger(label: "test")).sweep(now: now)
        #expect(report == RetentionSweeper.Report(segments: 2, bytes: 200))
        let left = try await store.segments.list(cameraID: camera.id, from: now.addingTimeInterval(-30 * 86_400), until: now)
        #expect(left.map(\.id) == [segments[1].id, segments[3].id])
        #expect(!FileManager.default.fileExists(atPath: segments[0].path))
        #expect(FileManager.default.fileExists(atPath: segments[1].path))
        // A quota of 100 bytes removes the oldest unheld segment that is left, but not the held one.
        let quota = try await RetentionSweeper(store: store, quotaBytes: 100, logger: Logger(label: "test")).sweep(now: now)
        #expect(quota.segments == 1)
        #expect(try await store.segments.list(cameraID: camera.id, from: now.addingTimeInterval(-30 * 86_400), until: now).map(\.id) == [segments[1].id])
        await store.shutdown()
    }
}
