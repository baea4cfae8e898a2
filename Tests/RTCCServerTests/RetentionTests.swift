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

    /// Ten one-minute segments of 1 000 bytes each, oldest first, the third one held.
    static func tenSegments(_ store: Store, in directory: URL, now: Date, camera name: String = "Cam") async throws -> [SegmentRecord] {
        let camera = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: name, kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), retentionDays: 30).validated(),
            sealedSecrets: nil))
        var segments: [SegmentRecord] = []
        for minute in 0..<10 {
            let start = now.addingTimeInterval(Double(minute - 20) * 60)
            let path = directory.appendingPathComponent("\(minute).mp4").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 1000))
            let segment = SegmentRecord(
                id: UUID(), cameraID: camera.id, stream: "main", path: path, start: start, end: start.addingTimeInterval(60), bytes: 1000,
                frames: 1500, gaps: [], codec: "avc1", sha256: "x")
            try await store.segments.upsert(segment)
            segments.append(segment)
        }
        try await store.holds.place(cameraID: camera.id, from: segments[2].start, until: segments[2].end, reason: "case 26-78", by: "analyst")
        return segments
    }

    @Test func aQuotaJustExceededDeletesOnlyTheOldestSegmentsNeededToFitNotAWholeBatch() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-quota-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let segments = try await Self.tenSegments(store, in: directory, now: now)
        // 10 000 bytes against a 7 500-byte quota: three segments must go (2 500 bytes over), the oldest unheld ones.
        let report = try await RetentionSweeper(store: store, quotaBytes: 7500, logger: Logger(label: "test")).sweep(now: now)
        #expect(report == RetentionSweeper.Report(segments: 3, bytes: 3000))
        let left = Set(try await store.segments.list(cameraID: segments[0].cameraID, from: now.addingTimeInterval(-3600), until: now).map(\.id))
        #expect(left == Set(segments.map(\.id)).subtracting([segments[0].id, segments[1].id, segments[3].id]), "the held third segment stays")
        await store.shutdown()
    }

    @Test func lowFreeSpaceDeletesTheOldestUnheldSegmentsOneAtATimeUntilTheMarginIsBack() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-space-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let segments = try await Self.tenSegments(store, in: directory, now: now)
        // A volume of 20 000 bytes with our 10 000 bytes and 7 000 bytes of somebody else's files: 3 000 free.
        let volume = FakeVolume(size: 20_000, foreign: 7000, folder: directory)
        let sweeper = RetentionSweeper(
            store: store, quotaBytes: nil, freeSpace: .init(volumes: [directory.path], minimumFreeBytes: 5500), freeBytes: { _ in try volume.free() }, logger: Logger(label: "test"))
        let report = try await sweeper.keepFreeSpace(now: now)
        #expect(report == RetentionSweeper.Report(segments: 3, bytes: 3000), "3 000 + three segments of 1 000 reach the 5 500 margin")
        #expect(try volume.free() == 6000)
        let left = Set(try await store.segments.list(cameraID: segments[0].cameraID, from: now.addingTimeInterval(-3600), until: now).map(\.id))
        #expect(!left.contains(segments[0].id) && !left.contains(segments[1].id) && left.contains(segments[2].id) && !left.contains(segments[3].id))
        // With room, nothing more is deleted.
        #expect(try await sweeper.keepFreeSpace(now: now) == RetentionSweeper.Report())
        // A volume that cannot be read is an error, never "room enough".
        let blind = RetentionSweeper(
            store: store, quotaBytes: nil, freeSpace: .init(volumes: ["/nonexistent/recordings"], minimumFreeBytes: 1), logger: Logger(label: "test"))
        await #expect(throws: VolumeSpaceUnreadable.self) { try await blind.keepFreeSpace(now: now) }
        await store.shutdown()
    }

    @Test func aLowVolumeFreesSpaceFromItsOwnSegmentsOnlyWhenThereAreSeveralVolumes() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-volumes-\(UUID())")
        let (full, roomy) = (base.appendingPathComponent("a"), base.appendingPathComponent("b"))
        for folder in [full, roomy] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: base) }
        let now = Date()
        // The older footage is on the roomy volume: a sweep that ignored volumes would delete it and free nothing.
        let older = try await Self.tenSegments(store, in: roomy, now: now.addingTimeInterval(-3600))
        let newer = try await Self.tenSegments(store, in: full, now: now, camera: "Cam 2")
        let volumes = [full.path: FakeVolume(size: 12_000, foreign: 0, folder: full), roomy.path: FakeVolume(size: 1_000_000, foreign: 0, folder: roomy)]
        let sweeper = RetentionSweeper(
            store: store, quotaBytes: nil, freeSpace: .init(volumes: [full.path, roomy.path], minimumFreeBytes: 4500),
            freeBytes: { path in try volumes[path]!.free() }, logger: Logger(label: "test"))
        let report = try await sweeper.keepFreeSpace(now: now)
        #expect(report == RetentionSweeper.Report(segments: 3, bytes: 3000), "2 000 free + three of the full volume's segments of 1 000 reach 4 500")
        let all = Set(try await store.segments.oldestUnheld(limit: 100).map(\.id))
        #expect(Set(older.map(\.id)).subtracting([older[2].id]).isSubset(of: all), "nothing deleted on the roomy volume")
        #expect(!all.contains(newer[0].id) && !all.contains(newer[1].id) && !all.contains(newer[3].id), "the full volume's oldest unheld three went")
        await store.shutdown()
    }

    @Test func alertBookmarksKeepCityFootagePastRetentionUntilDismissedOrOldButNeverAPartnersFootage() async throws {
        let store = try Store(location: .memory)
        try await store.migrate()
        let city = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "City", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), retentionDays: 7).validated(),
            sealedSecrets: nil))
        let partner = try await store.partners.create(PartnerDraft(
            name: "Shop", kind: .business, contactName: "C", email: "c@example.org", address: "1 Main St",
            consent: Consent(termsVersion: "2026-01", acceptedAt: Date()), status: .active))
        let shop = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Shop door", kind: .partner, partnerID: partner.id, location: GeoPoint(latitude: 32.5, longitude: -93.7),
                                    retentionDays: 7).validated(),
            sealedSecrets: nil))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-bookmarks-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        /// A sealed minute of `camera` from `days` ago, bookmarked by an alert raised then (with `status` and `caseID`).
        func bookmarked(_ camera: Camera, daysAgo days: Double, status: Alert.Status?, caseID: UUID? = nil) async throws -> SegmentRecord {
            let start = now.addingTimeInterval(-days * 86_400)
            let path = directory.appendingPathComponent("\(UUID()).mp4").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 100))
            let segment = SegmentRecord(
                id: UUID(), cameraID: camera.id, stream: "main", path: path, start: start, end: start.addingTimeInterval(60), bytes: 100,
                frames: 1500, gaps: [], codec: "avc1", sha256: "x")
            try await store.segments.upsert(segment)
            if let status {
                let alert = Alert(kind: .gunshot, severity: .high, status: status, title: "Gunshot", raisedAt: start.addingTimeInterval(20), caseID: caseID)
                try await store.alerts.create(alert, bookmarks: [AlertBookmark(
                    cameraID: camera.id, cameraName: camera.name, distanceM: 40, from: start.addingTimeInterval(-10), until: start.addingTimeInterval(50))],
                    by: "test")
            }
            return segment
        }
        let open = try await bookmarked(city, daysAgo: 10, status: .open)
        let dismissed = try await bookmarked(city, daysAgo: 11, status: .dismissed)
        let linked = try await bookmarked(city, daysAgo: 12, status: .closed, caseID: UUID())
        let plain = try await bookmarked(city, daysAgo: 13, status: nil)
        let partners = try await bookmarked(shop, daysAgo: 10, status: .open)
        let sweeper = RetentionSweeper(store: store, quotaBytes: nil, bookmarkKeepDays: 30, logger: Logger(label: "test"))
        #expect(try await sweeper.sweep(now: now).segments == 3)
        let kept = Set(try await store.segments.list(cameraID: city.id, from: now.addingTimeInterval(-60 * 86_400), until: now).map(\.id))
        #expect(kept == [open.id, linked.id], "the open and the case-linked alerts' footage stays; the dismissed one's and the unbookmarked go")
        #expect(try await store.segments.list(cameraID: shop.id, from: now.addingTimeInterval(-60 * 86_400), until: now).isEmpty,
                "a partner's footage follows its owner's agreement")
        #expect(!FileManager.default.fileExists(atPath: dismissed.path) && !FileManager.default.fileExists(atPath: plain.path)
                && !FileManager.default.fileExists(atPath: partners.path))
        // 30 days later the open alert's bookmark has run out; the case keeps its footage.
        #expect(try await sweeper.sweep(now: now.addingTimeInterval(25 * 86_400)).segments == 1)
        #expect(try await store.segments.list(cameraID: city.id, from: now.addingTimeInterval(-60 * 86_400), until: now).map(\.id) == [linked.id])
        await store.shutdown()
    }
}

/// A volume of `size` bytes holding the files in `folder` and `foreign` bytes of other files.
struct FakeVolume: Sendable {
    var size: Int64
    var foreign: Int64
    var folder: URL

    func free() throws -> Int64 {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let used = try names.reduce(Int64(0)) { sum, name in
            sum + Int64(try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int ?? 0)
        }
        return size - foreign - used
    }
}
