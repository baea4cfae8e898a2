import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// What owners decided about their cameras: sharing switches, privacy masks, retention policies, and the log of
/// what retention deleted.
public struct CommunityRepository: Sendable {
    let database: any Database

    // MARK: Sharing

    /// A camera's sharing state (active when never changed).
    public func sharing(cameraID: UUID) async throws -> SharingState {
        let text = try await database.sql.select().column("state").from("camera_sharing").where("camera_id", .equal, cameraID)
            .first(decodingColumn: "state", as: String.self)
        return text.flatMap(SharingState.init(rawValue:)) ?? .active
    }

    /// The cameras whose owners paused or revoked sharing.
    public func blockedCameras() async throws -> Set<UUID> {
        let rows = try await database.sql.select().column("camera_id").from("camera_sharing")
            .where("state", .notEqual, SharingState.active.rawValue).all()
        return Set(try rows.map { try $0.decode(column: "camera_id", as: UUID.self) })
    }

    // MARK: Alarm sharing

    /// Opens (or extends) alarm sharing of a "live during alarms" camera until `until`; a later end never shortens.
    /// Returns whether sharing was newly opened (the camera was not in an alarm at `now`); an end not after `now`
    /// opens nothing. One upsert, so two alerts at once for the same camera cannot collide.
    @discardableResult
    public func openAlarm(cameraID: UUID, until: Date, reason: String, now: Date = Date()) async throws -> Bool {
        guard until > now else { return false }
        let current = try await database.sql.select().column("until_at").from("camera_alarms").where("camera_id", .equal, cameraID)
            .first(decodingColumn: "until_at", as: Date.self)
        let opened = now.millisecondPrecision, end = until.millisecondPrecision, text = String(reason.prefix(300))
        try await database.sql.raw("""
            INSERT INTO camera_alarms (camera_id, opened_at, until_at, reason) VALUES (\(bind: cameraID), \(bind: opened), \(bind: end), \(bind: text))
            ON CONFLICT (camera_id) DO UPDATE SET until_at = excluded.until_at, reason = excluded.reason,
            opened_at = CASE WHEN camera_alarms.until_at <= \(bind: opened) THEN excluded.opened_at ELSE camera_alarms.opened_at END
            WHERE excluded.until_at > camera_alarms.until_at
            """).run()
        return current.map { $0 <= now } ?? true
    }

    /// Cameras in an alarm at `now`, with when each alarm ends.
    public func alarms(at now: Date = Date()) async throws -> [UUID: Date] {
        let rows = try await database.sql.select().column("camera_id").column("until_at").from("camera_alarms")
            .where("until_at", .greaterThan, now.millisecondPrecision).all()
        var alarms: [UUID: Date] = [:]
        for row in rows { alarms[try row.decode(column: "camera_id", as: UUID.self)] = try row.decode(column: "until_at", as: Date.self) }
        return alarms
    }

    /// Every camera's state that is not active.
    public func sharingStates() async throws -> [UUID: SharingState] {
        let rows = try await database.sql.select().column("camera_id").column("state").from("camera_sharing").all()
        var states: [UUID: SharingState] = [:]
        for row in rows {
            states[try row.decode(column: "camera_id", as: UUID.self)] = SharingState(rawValue: try row.decode(column: "state", as: String.self)) ?? .active
        }
        return states
    }

    /// Sets a camera's sharing state.
    public func setSharing(cameraID: UUID, _ state: SharingState, by actor: String, now: Date = Date()) async throws {
        try await database.transaction { db in
            try await db.sql.delete(from: "camera_sharing").where("camera_id", .equal, cameraID).run()
            try await db.sql.insert(into: "camera_sharing").columns("camera_id", "state", "changed_by", "changed_at")
                .values(SQLBind(cameraID), SQLBind(state.rawValue), SQLBind(actor), SQLBind(now.millisecondPrecision)).run()
        }
    }

    // MARK: Privacy masks

    /// A camera's mask (empty when none).
    public func mask(cameraID: UUID) async throws -> PrivacyMask {
        guard let text = try await database.sql.select().column("polygons").from("privacy_masks").where("camera_id", .equal, cameraID)
            .first(decodingColumn: "polygons", as: String.self)
        else { return PrivacyMask(polygons: []) }
        return PrivacyMask(polygons: try JSONCoding.decoder.decode([[PicturePoint]].self, from: Data(text.utf8)))
    }

    /// Every camera with a non-empty mask.
    public func maskedCameras() async throws -> Set<UUID> {
        let rows = try await database.sql.select().column("camera_id").from("privacy_masks").all()
        return Set(try rows.map { try $0.decode(column: "camera_id", as: UUID.self) })
    }

    /// Replaces a camera's mask; an empty mask removes it.
    public func setMask(cameraID: UUID, _ mask: PrivacyMask, by actor: String, now: Date = Date()) async throws {
        let text = String(decoding: try JSONCoding.encoder.encode(mask.polygons), as: UTF8.self)
        try await database.transaction { db in
            try await db.sql.delete(from: "privacy_masks").where("camera_id", .equal, cameraID).run()
            guard !mask.isEmpty else { return }
            try await db.sql.insert(into: "privacy_masks").columns("camera_id", "polygons", "updated_by", "updated_at")
                .values(SQLBind(cameraID), SQLBind(text), SQLBind(actor), SQLBind(now.millisecondPrecision)).run()
        }
    }

    // MARK: Retention

    /// The days a partner's agreement allows footage to be kept, when it sets a limit.
    public func retentionDays(partnerID: UUID) async throws -> Int? {
        try await database.sql.select().column("days").from("retention_policies").where("partner_id", .equal, partnerID)
            .first(decodingColumn: "days", as: Int.self)
    }

    /// Every partner's retention limit.
    public func retentionPolicies() async throws -> [UUID: Int] {
        let rows = try await database.sql.select().column("partner_id").column("days").from("retention_policies").all()
        var policies: [UUID: Int] = [:]
        for row in rows { policies[try row.decode(column: "partner_id", as: UUID.self)] = try row.decode(column: "days", as: Int.self) }
        return policies
    }

    /// Sets (or with nil removes) a partner's retention limit.
    public func setRetention(partnerID: UUID, days: Int?, by actor: String, now: Date = Date()) async throws {
        try await database.transaction { db in
            try await db.sql.delete(from: "retention_policies").where("partner_id", .equal, partnerID).run()
            guard let days else { return }
            try await db.sql.insert(into: "retention_policies").columns("partner_id", "days", "updated_by", "updated_at")
                .values(SQLBind(partnerID), SQLBind(days), SQLBind(actor), SQLBind(now.millisecondPrecision)).run()
        }
    }

    /// Notes one deletion in the deletion log.
    public func logDeletion(_ record: DeletionRecord) async throws {
        try await database.sql.insert(into: "deletion_log").model(DeletionRow(record), with: rowEncoder).run()
    }

    /// Deletions newest first, optionally of one camera's footage.
    public func deletions(cameraID: UUID? = nil, limit: Int = 200) async throws -> [DeletionRecord] {
        var select = database.sql.select().column("*").from("deletion_log")
        if let cameraID { select = select.where("camera_id", .equal, cameraID) }
        return try await select.orderBy("deleted_at", .descending).limit(limit)
            .all(decoding: DeletionRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.record)
    }

    /// How many deletions, and bytes, the log holds since `since`.
    public func deletionTotals(since: Date) async throws -> (segments: Int, bytes: Int64) {
        let row = try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .column(SQLRaw("CAST(COALESCE(SUM(bytes), 0) AS BIGINT)"), as: "b")
            .from("deletion_log").where("deleted_at", .greaterThanOrEqual, since.millisecondPrecision).first()
        return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "b", as: Int64.self) ?? 0)
    }

    // MARK: Audit

    /// Audit entries about one camera, newest first: targets `camera:<id>` and below, and entries whose detail names it
    /// (exports list their cameras in the detail).
    public func accessLog(cameraIDs: [UUID], limit: Int = 200, offset: Int = 0) async throws -> [AuditEntry] {
        guard !cameraIDs.isEmpty else { return [] }
        return try await database.sql.select().column("*").from("audit_log")
            .where(group: { group in
                var group = group
                for id in cameraIDs {
                    for text in [id.uuidString, id.uuidString.lowercased()] {
                        group = group.orWhere("target", .equal, "camera:\(text)").orWhere("target", .like, "camera:\(text)/%")
                            .orWhere("detail", .like, "%\(text)%")
                    }
                }
                return group
            })
            .orderBy("sequence", .descending).limit(limit).offset(offset)
            .all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Rows in one of the program's public-figure tables.
    public func count(_ table: PublicTable) async throws -> Int {
        try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table.rawValue)
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Downloads made through share links.
    public func shareDownloads() async throws -> Int {
        // PostgreSQL sums integers as bigint or numeric: cast so both databases decode the same.
        try await database.sql.select().column(SQLRaw("CAST(COALESCE(SUM(downloads), 0) AS BIGINT)"), as: "n")
            .from("share_links").first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// How many sign-ups have each status.
    public func applicationCounts() async throws -> [ApplicationStatus: Int] {
        let rows = try await database.sql.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .from("partner_applications").groupBy("status").all()
        var counts: [ApplicationStatus: Int] = [:]
        for row in rows {
            if let status = ApplicationStatus(rawValue: try row.decode(column: "status", as: String.self)) { counts[status] = try row.decode(column: "n", as: Int.self) }
        }
        return counts
    }

    /// How many audit entries have each of `actions`.
    public func auditCounts(actions: [String]) async throws -> [String: Int] {
        guard !actions.isEmpty else { return [:] }
        let rows = try await database.sql.select().column("action").column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("audit_log")
            .where("action", .in, actions).groupBy("action").all()
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(column: "action", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        return counts
    }
}

/// Tables whose row counts are published.
public enum PublicTable: String, Sendable {
    /// Evidence packages made.
    case evidencePackages = "evidence_packages"
    /// Share links issued.
    case shareLinks = "share_links"
    /// Audit log entries.
    case auditLog = "audit_log"
    /// Retention deletions.
    case deletionLog = "deletion_log"
}

/// A `deletion_log` row.
struct DeletionRow: Codable, Sendable {
    var id: UUID
    var cameraId: UUID
    var segmentId: UUID
    var startedAt: Date
    var endedAt: Date
    var bytes: Int64
    var reason: String
    var deletedAt: Date

    init(_ record: DeletionRecord) {
        id = UUID()
        cameraId = record.cameraID
        segmentId = record.segmentID
        startedAt = record.startedAt
        endedAt = record.endedAt
        bytes = record.bytes
        reason = record.reason
        deletedAt = record.deletedAt.millisecondPrecision
    }

    var record: DeletionRecord {
        DeletionRecord(
            cameraID: cameraId, segmentID: segmentId, startedAt: startedAt.millisecondPrecision, endedAt: endedAt.millisecondPrecision, bytes: bytes,
            reason: reason, deletedAt: deletedAt.millisecondPrecision)
    }
}

extension Store {
    /// Public sign-ups and the mail outbox.
    public var applications: ApplicationRepository { ApplicationRepository(database: database) }
    /// Footage requests to partner camera owners.
    public var footageRequests: FootageRequestRepository { FootageRequestRepository(database: database) }
    /// Owners' sharing switches, privacy masks, retention policies and the deletion log.
    public var community: CommunityRepository { CommunityRepository(database: database) }
}
