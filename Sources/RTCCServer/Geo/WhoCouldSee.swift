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
        var cameras: [SeenCamera] = []
        for (camera, sighting) in index.sightings(of: Coordinate(latitude: latitude, longitude: longitude), from: from, until: until) {
            let segments = try await services.store.segments.list(cameraID: camera.id, from: from, until: until)
            cameras.append(Self.describe(camera, sighting, segments: segments, holds: holds, from: from, until: until, now: now))
        }
        return SeenReport(
            point: GeoPoint(latitude: latitude, longitude: longitude), from: from, until: until, at: now, buildings: index.buildingCount,
            cameras: cameras)
    }

    static func describe(
        _ camera: Camera, _ sighting: Sighting, segments: [SegmentRecord], holds: [Hold], from: Date, until: Date, now: Date
    ) -> SeenCamera {
        let retention = Double(camera.retentionDays) * 86_400
        let recorded = RecordingRoutes.recordedRanges(segments, from: from, until: until).map { TimeRange(from: $0.from, until: $0.until) }
        let footage: SeenCamera.Footage = !segments.isEmpty ? .recorded : camera.footageByRequest ? .request : .notRecorded
        let unheld = segments.filter { segment in
            !holds.contains { ($0.cameraID == nil || $0.cameraID == camera.id) && $0.from < segment.end && $0.until > segment.start }
        }
        let deletion: Date?
        switch footage {
        case .recorded: deletion = unheld.map(\.end).min().map { $0.addingTimeInterval(retention) }
        case .request: deletion = from.addingTimeInterval(retention)
        case .notRecorded: deletion = nil
        }
        return SeenCamera(
            cameraID: camera.id, name: camera.name, kind: camera.kind, sharing: camera.sharing, partnerID: camera.partnerID,
            location: camera.location, distanceM: (sighting.distance * 10).rounded() / 10, dori: sighting.level?.name, footage: footage,
            recorded: recorded, retentionDays: camera.retentionDays, held: !segments.isEmpty && unheld.isEmpty, deletionStartsAt: deletion,
            retentionLeftSeconds: deletion.map { max(0, $0.timeIntervalSince(now).rounded()) })
    }
}
