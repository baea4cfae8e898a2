import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct SegmentRepositoryTests {
    let base = Date(timeIntervalSince1970: 1_795_000_000)

    func segment(_ camera: UUID, minute: Int, sealed: Bool = true) -> SegmentRecord {
        let start = base.addingTimeInterval(Double(minute) * 60)
        return SegmentRecord(
            id: UUID(), cameraID: camera, stream: "main", path: "/rec/\(camera)/\(minute).mp4", start: start, end: start.addingTimeInterval(60),
            bytes: 1_000_000, frames: 1500, gaps: minute == 1 ? [DateInterval(start: start.addingTimeInterval(10), duration: 2)] : [],
            codec: "avc1.4d401f", sha256: sealed ? String(repeating: "a", count: 64) : nil)
    }

    @Test(arguments: Backend.allCases)
    func upsertReplacesAndListFindsOverlaps(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let camera = UUID()
            var open = segment(camera, minute: 1, sealed: false)
            try await store.segments.upsert(open)
            #expect(try await store.segments.unsealed().map(\.id) == [open.id])
            open.sha256 = String(repeating: "b", count: 64)
            open.bytes = 2_000_000
            try await store.segments.upsert(open)
            #expect(try await store.segments.unsealed().isEmpty)
            for minute in [0, 2, 3] { try await store.segments.upsert(segment(camera, minute: minute)) }
            let found = try await store.segments.list(cameraID: camera, from: base.addingTimeInterval(90), until: base.addingTimeInterval(150))
            #expect(found.map(\.start) == [base.addingTimeInterval(60), base.addingTimeInterval(120)])
            #expect(found.first?.bytes == 2_000_000)
            #expect(found.first?.gaps == [DateInterval(start: base.addingTimeInterval(70), duration: 2)])
            #expect(try await store.segments.totalBytes() == 5_000_000)
        }
    }

    @Test(arguments: Backend.allCases)
    func retentionNeverOffersHeldOrUnsealedFootage(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let camera = UUID()
            let other = UUID()
            for minute in 0..<6 { try await store.segments.upsert(segment(camera, minute: minute, sealed: minute != 5)) }
            try await store.segments.upsert(segment(other, minute: 0))
            try await store.holds.place(
                cameraID: camera, from: base.addingTimeInterval(150), until: base.addingTimeInterval(170), reason: "case 26-1", by: "analyst")
            let cutoff = base.addingTimeInterval(3600)
            let expired = try await store.segments.expired(cameraID: camera, before: cutoff)
            #expect(expired.map { Int($0.start.timeIntervalSince(base) / 60) } == [0, 1, 3, 4])
            let global = try await store.holds.place(cameraID: nil, from: base, until: base.addingTimeInterval(30), reason: "case 26-2", by: "sup")
            #expect(try await store.segments.oldestUnheld(limit: 10).map { Int($0.start.timeIntervalSince(base) / 60) } == [1, 3, 4])
            #expect(try await store.holds.active().count == 2)
            #expect(try await store.holds.release(id: global.id))
            #expect(try await !store.holds.release(id: global.id))
            #expect(try await store.holds.active(cameraID: camera).map(\.reason) == ["case 26-1"])
            #expect(try await store.segments.oldestUnheld(limit: 2).count == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func bookmarksThatCanKeepFootageAreTheOverlappingOnesOfAlertsNotDismissed(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let camera = UUID(), other = UUID()
            /// An alert raised at `minute` with one bookmark on `on` from `minute` to `minute + 1`.
            func alert(_ status: Alert.Status, minute: Int, on: UUID? = nil, caseID: UUID? = nil) async throws {
                let at = base.addingTimeInterval(Double(minute) * 60)
                try await store.alerts.create(
                    Alert(kind: .gunshot, severity: .high, status: status, title: "Gunshot", raisedAt: at, caseID: caseID),
                    bookmarks: [AlertBookmark(cameraID: on ?? camera, cameraName: "Cam", distanceM: 20, from: at, until: at.addingTimeInterval(60))],
                    by: "test")
            }
            try await alert(.open, minute: 0)
            try await alert(.dismissed, minute: 2)
            try await alert(.closed, minute: 4, caseID: UUID())
            try await alert(.open, minute: 4, on: other)
            try await alert(.acknowledged, minute: 10)
            let found = try await store.segments.keepingBookmarks(cameraID: camera, from: base.addingTimeInterval(30), until: base.addingTimeInterval(300))
            #expect(found == [
                KeepingBookmark(from: base, until: base.addingTimeInterval(60), alertRaisedAt: base, linkedToCase: false),
                KeepingBookmark(from: base.addingTimeInterval(240), until: base.addingTimeInterval(300), alertRaisedAt: base.addingTimeInterval(240), linkedToCase: true),
            ], "the dismissed alert's, the other camera's and the one after the range are left out")
        }
    }

    @Test(arguments: Backend.allCases)
    func cameraEventsAreKeptInOrder(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let camera = UUID()
            try await store.cameraEvents.record(CameraEvent(cameraID: camera, at: base, kind: "offline", reason: "no frames for 10 s"))
            try await store.cameraEvents.record(CameraEvent(cameraID: camera, at: base.addingTimeInterval(12), kind: "online", reason: "frames again"))
            let events = try await store.cameraEvents.list(cameraID: camera, from: base.addingTimeInterval(-1), until: base.addingTimeInterval(60))
            #expect(events.map(\.kind) == ["offline", "online"])
        }
    }
}
