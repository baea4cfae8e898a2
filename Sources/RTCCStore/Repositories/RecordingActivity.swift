import FluentKit
import Foundation
import SQLKit

/// How fast recordings fill their volume, for the system status forecast.
public struct RecordingRate: Sendable, Hashable {
    /// Bytes of the indexed segments that started at or after the window's start.
    public var bytes: Int64
    /// Start of the oldest indexed segment of all, nil when nothing is indexed.
    public var oldestSegmentStart: Date?
}

extension SegmentRepository {
    /// Bytes recorded in segments that started at or after `since`, and when the oldest indexed segment started (which
    /// tells whether the system has been recording for the whole window).
    public func recordingRate(since: Date) async throws -> RecordingRate {
        // sum() of a BIGINT is NUMERIC in PostgreSQL: cast it back so both dialects decode an integer.
        let sum = try await database.sql.raw(
            "SELECT CAST(coalesce(sum(bytes), 0) AS BIGINT) AS n FROM segments WHERE start_at >= \(bind: since)"
        ).first()
        let oldest = try await database.sql.select().column("start_at").from("segments").orderBy("start_at").limit(1).first()
        return RecordingRate(
            bytes: try sum?.decode(column: "n", as: Int64.self) ?? 0, oldestSegmentStart: try oldest?.decode(column: "start_at", as: Date.self))
    }
}

extension CameraEventRepository {
    /// The event kinds that say whether a camera's video was arriving: `offline` and `online`.
    public static let availabilityKinds = ["offline", "online"]

    /// Every camera's `offline`/`online` events in `[from, until)`, oldest first, each camera's list led by its last such
    /// event before `from` (which says the state the window began in) when there is one.
    public func availability(from: Date, until: Date) async throws -> [UUID: [CameraEvent]] {
        let kinds = Self.availabilityKinds
        let before = try await database.sql.raw("""
            SELECT camera_id, at, kind, reason FROM camera_events e
            WHERE kind IN (\(binds: kinds)) AND at = (
                SELECT max(i.at) FROM camera_events i WHERE i.camera_id = e.camera_id AND i.kind IN (\(binds: kinds)) AND i.at < \(bind: from))
            """).all()
        let within = try await database.sql.select().columns("camera_id", "at", "kind", "reason").from("camera_events")
            .where("kind", .in, kinds).where("at", .greaterThanOrEqual, from).where("at", .lessThan, until).orderBy("at").all()
        var events: [UUID: [CameraEvent]] = [:]
        var seenBefore: Set<UUID> = []
        for row in before + within {
            let event = CameraEvent(
                cameraID: try row.decode(column: "camera_id", as: UUID.self), at: try row.decode(column: "at", as: Date.self),
                kind: try row.decode(column: "kind", as: String.self), reason: try row.decode(column: "reason", as: String.self))
            // Two events at the very same instant before the window: the first read stands for it.
            if event.at < from {
                guard seenBefore.insert(event.cameraID).inserted else { continue }
            }
            events[event.cameraID, default: []].append(event)
        }
        return events
    }
}
