import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// "Who could have seen it": the cameras whose view covers a point during a window, with distance, DORI level, recorded
/// ranges and the time left before retention deletes them. Shared by `GET /api/v1/seen` and `rtcc seen`.
public struct WhoCouldSee: Sendable {
    /// The longest window one question may span.
    public static let maximumWindow: TimeInterval = 31 * 86_400

    let services: AppServices

    /// Creates the service over open services.
    public init(services: AppServices) { self.services = services }

    /// Checks a question; every problem is reported at once.
    public static func validate(latitude: Double, longitude: Double, from: Date, until: Date) throws(ValidationError) {
        var errors: [FieldError] = []
        if !latitude.isFinite || !(-90...90).contains(latitude) { errors.append(FieldError(field: "lat", reason: "must be a latitude from -90 to 90")) }
        if !longitude.isFinite || !(-180...180).contains(longitude) {
            errors.append(FieldError(field: "lon", reason: "must be a longitude from -180 to 180"))
        }
        if until <= from {
            errors.append(FieldError(field: "until", reason: "must be after from"))
        } else if until.timeIntervalSince(from) > maximumWindow {
            errors.append(FieldError(field: "until", reason: "the window may span at most 31 days"))
        }
        try ValidationError.check(errors)
    }

    /// The cameras that could have seen (`latitude`, `longitude`) between `from` and `until`, nearest first.
    public func answer(latitude: Double, longitude: Double, from: Date, until: Date, now: Date = Date()) async throws -> SeenReport {
        try Self.validate(latitude: latitude, longitude: longitude, from: from, until: until)
        let index = try await services.sightingIndexes.index(services.store)
        let holds = try await services.store.holds.active()
        let policies = try await services.store.community.retentionPolicies()
        var cameras: [SeenCamera] = []
        for (camera, sighting) in index.sightings(of: Coordinate(latitude: latitude, longitude: longitude), from: from, until: until) {
            let segments = try await services.store.segments.list(cameraID: camera.id, from: from, until: until)
            var bookmarks: [KeepingBookmark] = []
            // As the retention sweeper does: alerts' bookmarks keep footage of city and temporary cameras only.
            if camera.partnerID == nil, let first = segments.map(\.start).min(), let last = segments.map(\.end).max() {
                bookmarks = try await services.store.segments.keepingBookmarks(cameraID: camera.id, from: first, until: last)
            }
            let keeping = Keeping(
                retentionDays: RetentionSweeper.retentionDays(camera, policies: policies), bookmarkKeepDays: services.config.bookmarkKeepDays,
                holds: holds, bookmarks: bookmarks)
            cameras.append(Self.describe(camera, sighting, segments: segments, keeping: keeping, from: from, until: until, now: now))
        }
        return SeenReport(
            point: GeoPoint(latitude: latitude, longitude: longitude), from: from, until: until, at: now, buildings: index.buildingCount,
            cameras: cameras)
    }

    /// What keeps a camera's recorded footage, by the rules ``RetentionSweeper`` applies.
    struct Keeping {
        /// The days its footage is kept (its own retention or its owner's shorter agreement).
        var retentionDays: Int
        /// Days an alert's bookmark keeps footage after the alert.
        var bookmarkKeepDays: Int
        /// Active evidence holds.
        var holds: [Hold]
        /// Bookmarks on the camera of alerts not dismissed (none for a partner's camera).
        var bookmarks: [KeepingBookmark]

        /// When the sweeper may delete `segment`: nil when nothing will (a hold, or an alert linked to a case), with
        /// whether an alert's bookmark keeps it past its retention.
        func deletion(of segment: SegmentRecord, camera: UUID) -> (at: Date?, keptByAlert: Bool) {
            if holds.contains(where: { ($0.cameraID == nil || $0.cameraID == camera) && $0.from < segment.end && $0.until > segment.start }) {
                return (nil, false)
            }
            let retained = segment.end.addingTimeInterval(Double(retentionDays) * 86_400)
            let overlapping = bookmarks.filter { $0.from < segment.end && $0.until > segment.start }
            if overlapping.contains(where: \.linkedToCase) { return (nil, true) }
            guard let raised = overlapping.map(\.alertRaisedAt).max() else { return (retained, false) }
            let bookmarked = raised.addingTimeInterval(Double(bookmarkKeepDays) * 86_400)
            return bookmarked > retained ? (bookmarked, true) : (retained, false)
        }
    }

    static func describe(
        _ camera: Camera, _ sighting: Sighting, segments: [SegmentRecord], keeping: Keeping, from: Date, until: Date, now: Date
    ) -> SeenCamera {
        let recorded = RecordingRoutes.recordedRanges(segments, from: from, until: until).map { TimeRange(from: $0.from, until: $0.until) }
        let footage: SeenCamera.Footage = !segments.isEmpty ? .recorded : camera.footageByRequest ? .request : .notRecorded
        let deletions = segments.map { keeping.deletion(of: $0, camera: camera.id) }
        let deletion: Date?
        let retentionDays: Int
        switch footage {
        case .recorded:
            deletion = deletions.compactMap(\.at).min()
            retentionDays = keeping.retentionDays
        case .request:
            // The owner keeps it, for the days the camera was registered with.
            deletion = from.addingTimeInterval(Double(camera.retentionDays) * 86_400)
            retentionDays = camera.retentionDays
        case .notRecorded:
            deletion = nil
            retentionDays = keeping.retentionDays
        }
        return SeenCamera(
            cameraID: camera.id, name: camera.name, kind: camera.kind, sharing: camera.sharing, partnerID: camera.partnerID,
            location: camera.location, distanceM: (sighting.distance * 10).rounded() / 10, dori: sighting.level?.name, footage: footage,
            recorded: recorded, retentionDays: retentionDays, held: !segments.isEmpty && deletions.allSatisfy { $0.at == nil },
            keptByAlerts: deletions.contains { $0.keptByAlert }, deletionStartsAt: deletion,
            retentionLeftSeconds: deletion.map { max(0, $0.timeIntervalSince(now).rounded()) })
    }
}
