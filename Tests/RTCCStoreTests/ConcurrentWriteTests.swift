import Foundation
import RTCCCore
import RTCCStore
import Testing

/// The server writes the audit log and the recording index from many tasks at once; on a SQLite file with
/// several connections this must never fail a request with "database is locked".
@Suite struct ConcurrentWriteTests {
    @Test func auditAppendsAndSegmentWritesRacingOnASQLiteFileAllSucceed() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-concurrent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Store(location: .sqlite(path: folder.appendingPathComponent("rtcc.sqlite").path))
        try await store.migrate()
        let audit = AuditLog(store: store)
        let camera = UUID()
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try await audit.append(AuditEvent(actor: "analyst", action: "live.view", target: "camera:\(n)", source: "test", purpose: nil, detail: ""))
                }
                group.addTask {
                    let at = start.addingTimeInterval(Double(n) * 60)
                    try await store.segments.upsert(SegmentRecord(
                        id: UUID(), cameraID: camera, stream: "main", path: "/rec/\(n).mp4", start: at, end: at.addingTimeInterval(60), bytes: 1,
                        frames: 1, gaps: [], codec: "avc1.4d401f", sha256: nil))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await audit.verify() == .intact(entries: 40))
        #expect(try await store.segments.list(cameraID: camera, from: start, until: start.addingTimeInterval(41 * 60)).count == 40)
        await store.shutdown()
    }
}
