import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// One indexed recording file.
public struct SegmentRecord: Sendable, Hashable, Codable {
    /// Segment id.
    public var id: UUID
    /// Camera.
    public var cameraID: UUID
    /// `main` or `sub`.
    public var stream: String
    /// File path.
    public var path: String
    /// Wall-clock start.
    public var start: Date
    /// Wall-clock end.
    public var end: Date
    /// File size.
    public var bytes: Int64
    /// Video frames.
    public var frames: Int
    /// Gaps inside the segment.
    public var gaps: [DateInterval]
    /// Video codec string.
    public var codec: String
    /// SHA-256 once sealed.
    public var sha256: String?
    /// The node that recorded it, in a cluster (its file is on that node's disk); nil for a single server.
    public var node: String?
    /// The camera lease's fencing epoch it was recorded under, in a cluster; nil for a single server.
    public var epoch: Int64?
    /// Which copy of the camera's recording it belongs to: 0, or 1 for the second copy of a redundant camera.
    public var copy: Int
    /// Whether the file was moved to the archive folder (`path` names it there).
    public var archived: Bool

    /// Creates a record.
    public init(
        id: UUID, cameraID: UUID, stream: String, path: String, start: Date, end: Date, bytes: Int64, frames: Int, gaps: [DateInterval],
        codec: String, sha256: String?, node: String? = nil, epoch: Int64? = nil, copy: Int = 0, archived: Bool = false
    ) {
        self.id = id
        self.cameraID = cameraID
        self.stream = stream
        self.path = path
        self.start = start.millisecondPrecision
        self.end = end.millisecondPrecision
        self.bytes = bytes
        self.frames = frames
        self.gaps = gaps
        self.codec = codec
        self.sha256 = sha256
        self.node = node
        self.epoch = epoch
        self.copy = copy
        self.archived = archived
    }
}

/// The recording index in SQL.
public struct SegmentRepository: Sendable {
    let database: any Database

    /// Inserts or replaces a segment's row (the recorder reports the same segment several times as it grows).
    ///
    /// A segment recorded under a camera lease (`node` and `epoch` set) is fenced: it is stored only while no later
    /// epoch of the lease of the camera's copy began before the segment's end, and throws ``SegmentFenced`` otherwise (a node
    /// that was frozen or cut off writes nothing over the new owner's footage). The lease row is locked for share
    /// meanwhile, so a claim and this check never interleave.
    public func upsert(_ segment: SegmentRecord) async throws {
        let row = SegmentRow(segment)
        try await database.transaction { db in
            if let node = segment.node, let epoch = segment.epoch {
                try await CameraLeaseFence.check(
                    cameraID: segment.cameraID, copy: segment.copy, node: node, epoch: epoch, end: segment.end, on: db.sql)
            }
            try await db.sql.delete(from: "segments").where("id", .equal, segment.id).run()
            try await db.sql.insert(into: "segments").model(row, with: rowEncoder).run()
        }
    }

    /// One segment's row.
    public func find(id: UUID) async throws -> SegmentRecord? {
        try await database.sql.select().column("*").from("segments").where("id", .equal, id).limit(1)
            .all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record() }.first
    }

    /// Which of `ids` have a row.
    public func existingIDs(_ ids: [UUID]) async throws -> Set<UUID> {
        var found: Set<UUID> = []
        for chunk in ids.chunked(by: 500) {
            let rows = try await database.sql.select().column("id").from("segments").where("id", .in, Array(chunk)).all()
            for row in rows { found.insert(try row.decode(column: "id", as: UUID.self)) }
        }
        return found
    }

    /// Segments of a camera overlapping `[from, until)`, oldest first.
    public func list(cameraID: UUID, stream: String? = nil, from: Date, until: Date) async throws -> [SegmentRecord] {
        var select = database.sql.select().column("*").from("segments").where("camera_id", .equal, cameraID)
            .where("start_at", .lessThan, until).where("end_at", .greaterThan, from)
        if let stream { select = select.where("stream", .equal, stream) }
        return try await select.orderBy("start_at").all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record() }
    }

    /// The first segment of a camera's stream that ends after `date` (the one holding `date`, or the next after a gap).
    public func first(cameraID: UUID, stream: String, endingAfter date: Date) async throws -> SegmentRecord? {
        try await database.sql.select().column("*").from("segments").where("camera_id", .equal, cameraID).where("stream", .equal, stream)
            .where("end_at", .greaterThan, date).orderBy("start_at").limit(1)
            .all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record() }.first
    }

    /// The newest segment of a camera's stream.
    public func latest(cameraID: UUID, stream: String) async throws -> SegmentRecord? {
        try await database.sql.select().column("*").from("segments").where("camera_id", .equal, cameraID).where("stream", .equal, stream)
            .orderBy("start_at", .descending).limit(1)
            .all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record() }.first
    }

    /// Segments never sealed (left open by a crash), for recovery at start-up; with `node`, only those that node
    /// recorded (in a cluster each node repairs the files on its own disk).
    public func unsealed(node: String? = nil) async throws -> [SegmentRecord] {
        var select = database.sql.select().column("*").from("segments").where("sha256", .is, SQLLiteral.null)
        if let node { select = select.where("node", .equal, node) }
        return try await select.orderBy("start_at")
            .all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record() }
    }

    /// Removes a segment's row.
    public func delete(id: UUID) async throws {
        try await database.sql.delete(from: "segments").where("id", .equal, id).run()
    }

    /// Sealed segments of `cameraID` that ended before `cutoff` and overlap no active hold, oldest first. With
    /// `bookmarksRaisedSince`, a segment an alert bookmarked is kept too, unless the alert was dismissed: while the
    /// alert is linked to a case, or else when it was raised at or after that date.
    public func expired(
        cameraID: UUID, before cutoff: Date, bookmarksRaisedSince: Date? = nil, limit: Int = 500, node: String? = nil
    ) async throws -> [SegmentRecord] {
        var query = SQLQueryString("""
            SELECT * FROM segments s WHERE s.camera_id = \(bind: cameraID) AND s.sha256 IS NOT NULL AND s.end_at < \(bind: cutoff)
            AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND (h.camera_id IS NULL OR h.camera_id = s.camera_id)
                            AND h.from_at < s.end_at AND h.until_at > s.start_at)
            """)
        if let since = bookmarksRaisedSince {
            query += SQLQueryString("""
                 AND NOT EXISTS (SELECT 1 FROM alert_bookmarks b JOIN alerts a ON a.id = b.alert_id
                                WHERE b.camera_id = s.camera_id AND b.from_at < s.end_at AND b.until_at > s.start_at
                                AND a.status <> 'dismissed' AND (a.case_id IS NOT NULL OR a.raised_at >= \(bind: since)))
                """)
        }
        if let node { query += SQLQueryString(" AND s.node = \(bind: node)") }
        query += SQLQueryString(" ORDER BY s.start_at LIMIT \(bind: limit)")
        return try await database.sql.raw(query).all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            .map { try $0.record(forDeletion: true) }
    }

    /// The bookmarks on `cameraID` overlapping `from`..<`until` of alerts that were not dismissed: the ones that can keep
    /// its footage past retention (see ``expired(cameraID:before:bookmarksRaisedSince:limit:)``), oldest first.
    public func keepingBookmarks(cameraID: UUID, from: Date, until: Date) async throws -> [KeepingBookmark] {
        let rows = try await database.sql.raw("""
            SELECT b.from_at, b.until_at, a.raised_at, a.case_id FROM alert_bookmarks b JOIN alerts a ON a.id = b.alert_id
            WHERE b.camera_id = \(bind: cameraID) AND b.from_at < \(bind: until) AND b.until_at > \(bind: from) AND a.status <> 'dismissed'
            ORDER BY b.from_at
            """).all()
        return try rows.map {
            KeepingBookmark(
                from: try $0.decode(column: "from_at", as: Date.self).millisecondPrecision,
                until: try $0.decode(column: "until_at", as: Date.self).millisecondPrecision,
                alertRaisedAt: try $0.decode(column: "raised_at", as: Date.self).millisecondPrecision,
                linkedToCase: try $0.decode(column: "case_id", as: UUID?.self) != nil)
        }
    }

    /// The oldest sealed segments of any camera still in the recordings folder (not archived) that overlap no active
    /// hold, for enforcing a disk quota and the recordings volume's free space. With `node`, only the segments that node
    /// recorded (the files on its own disk); with `folder` (ending in `/`), only the files below it (one volume's).
    public func oldestUnheld(limit: Int, node: String? = nil, below folder: String? = nil) async throws -> [SegmentRecord] {
        let mine: SQLQueryString = node.map { " AND s.node = \(bind: $0)" } ?? ""
        let there: SQLQueryString = folder.map { " AND substr(s.path, 1, CAST(\(bind: $0.unicodeScalars.count) AS INTEGER)) = \(bind: $0)" } ?? ""
        return try await database.sql.raw("""
            SELECT * FROM segments s WHERE s.sha256 IS NOT NULL AND NOT s.archived\(mine)\(there)
            AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND (h.camera_id IS NULL OR h.camera_id = s.camera_id)
                            AND h.from_at < s.end_at AND h.until_at > s.start_at)
            ORDER BY s.start_at LIMIT \(bind: limit)
            """).all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record(forDeletion: true) }
    }

    /// Total bytes in the recordings folder (archived segments left out); with `node`, recorded by that node.
    public func totalBytes(node: String? = nil) async throws -> Int64 {
        let mine: SQLQueryString = node.map { " AND node = \(bind: $0)" } ?? ""
        // sum() of a BIGINT is NUMERIC in PostgreSQL: cast it back so both dialects decode an integer.
        let row = try await database.sql.raw("SELECT CAST(coalesce(sum(bytes), 0) AS BIGINT) AS n FROM segments WHERE NOT archived\(mine)").first()
        return try row?.decode(column: "n", as: Int64.self) ?? 0
    }

    /// Sealed segments still in the recordings folder that ended before `cutoff`, oldest first: the ones to move to
    /// the archive folder. With `node`, only that node's (the files on its own disk).
    public func archivable(before cutoff: Date, limit: Int, node: String? = nil) async throws -> [SegmentRecord] {
        let mine: SQLQueryString = node.map { " AND node = \(bind: $0)" } ?? ""
        return try await database.sql.raw("""
            SELECT * FROM segments WHERE sha256 IS NOT NULL AND NOT archived AND end_at < \(bind: cutoff)\(mine)
            ORDER BY start_at LIMIT \(bind: limit)
            """).all(decoding: SegmentRow.self, keyDecodingStrategy: .convertFromSnakeCase).map { try $0.record(forDeletion: true) }
    }

    /// Records that a segment's file now lives at `path` in the archive folder; false (nothing changed) when the row is
    /// gone or no longer at `oldPath` (deleted or moved meanwhile).
    public func markArchived(id: UUID, from oldPath: String, to path: String) async throws -> Bool {
        let rows = try await database.sql.raw("""
            UPDATE segments SET path = \(bind: path), archived = \(bind: true) WHERE id = \(bind: id) AND path = \(bind: oldPath) AND NOT archived
            RETURNING id
            """).all()
        return !rows.isEmpty
    }
}

/// An alert's bookmark that can keep a camera's footage past its retention (the alert was not dismissed).
public struct KeepingBookmark: Sendable, Equatable {
    /// Start of the bookmarked footage.
    public var from: Date
    /// End of the bookmarked footage.
    public var until: Date
    /// When the alert was raised (the bookmark keeps footage for a number of days after it).
    public var alertRaisedAt: Date
    /// Whether the alert is linked to a case (the bookmark keeps footage for as long as it is).
    public var linkedToCase: Bool

    /// Creates a bookmark.
    public init(from: Date, until: Date, alertRaisedAt: Date, linkedToCase: Bool) {
        self.from = from
        self.until = until
        self.alertRaisedAt = alertRaisedAt
        self.linkedToCase = linkedToCase
    }
}

/// A `segments` row.
struct SegmentRow: Codable, Sendable {
    var id: UUID
    var cameraId: UUID
    var stream: String
    var path: String
    var startAt: Date
    var endAt: Date
    var bytes: Int64
    var frames: Int
    var gaps: String
    var codec: String
    var sha256: String?
    var node: String?
    var epoch: Int64?
    var copy: Int
    var archived: Bool

    init(_ record: SegmentRecord) {
        id = record.id
        cameraId = record.cameraID
        stream = record.stream
        path = record.path
        startAt = record.start
        endAt = record.end
        bytes = record.bytes
        frames = record.frames
        gaps = String(decoding: (try? JSONCoding.encoder.encode(record.gaps.map { [$0.start.timeIntervalSince1970, $0.end.timeIntervalSince1970] })) ?? Data("[]".utf8), as: UTF8.self)
        codec = record.codec
        sha256 = record.sha256
        node = record.node
        epoch = record.epoch
        copy = record.copy
        archived = record.archived
    }

    /// The record; throws ``SegmentGapsUnreadable`` when the stored gap list cannot be read, which is never taken as
    /// "no gaps" (that would make broken footage look continuous). `forDeletion` is for retention, which deletes the
    /// segment whatever its gaps: there an unreadable list is left empty, so one damaged row cannot stop retention.
    func record(forDeletion: Bool = false) throws -> SegmentRecord {
        let pairs: [[Double]]
        do {
            pairs = try JSONDecoder().decode([[Double]].self, from: Data(gaps.utf8))
        } catch {
            guard forDeletion else { throw SegmentGapsUnreadable(segmentID: id) }
            pairs = []
        }
        let intervals = try pairs.compactMap { pair -> DateInterval? in
            guard pair.count == 2, pair[1] >= pair[0] else {
                if forDeletion { return nil }
                throw SegmentGapsUnreadable(segmentID: id)
            }
            return DateInterval(start: Date(timeIntervalSince1970: pair[0]), end: Date(timeIntervalSince1970: pair[1]))
        }
        return SegmentRecord(
            id: id, cameraID: cameraId, stream: stream, path: path, start: startAt, end: endAt, bytes: bytes, frames: frames,
            gaps: intervals, codec: codec, sha256: sha256, node: node, epoch: epoch, copy: copy,
            archived: archived)
    }
}

/// A segment's stored gap list cannot be read: its footage cannot be shown as continuous or not.
public struct SegmentGapsUnreadable: Error, CustomStringConvertible {
    /// The segment.
    public var segmentID: UUID
    /// What went wrong and what to do.
    public var description: String {
        "the gap list of recording segment \(segmentID.uuidString.lowercased()) cannot be read; whether its footage is continuous is unknown. Check the database"
    }
}

/// A hold keeps footage from retention: e.g. for a case under investigation.
public struct Hold: Sendable, Hashable, Codable {
    /// Hold id.
    public var id: UUID
    /// The camera held, or nil for every camera.
    public var cameraID: UUID?
    /// Start of the held range.
    public var from: Date
    /// End of the held range.
    public var until: Date
    /// Why (case number).
    public var reason: String
    /// Who placed it.
    public var createdBy: String
}

/// Evidence holds in SQL.
public struct HoldRepository: Sendable {
    let database: any Database

    /// Places a hold.
    @discardableResult
    public func place(cameraID: UUID?, from: Date, until: Date, reason: String, by actor: String, now: Date = Date()) async throws -> Hold {
        let hold = Hold(id: UUID(), cameraID: cameraID, from: from.millisecondPrecision, until: until.millisecondPrecision, reason: reason, createdBy: actor)
        try await database.sql.insert(into: "holds").columns("id", "camera_id", "from_at", "until_at", "reason", "created_by", "created_at")
            .values(SQLBind(hold.id), SQLBind(cameraID), SQLBind(hold.from), SQLBind(hold.until), SQLBind(reason), SQLBind(actor), SQLBind(now.millisecondPrecision))
            .run()
        return hold
    }

    /// Releases an active hold. Returns false when there is no such active hold.
    public func release(id: UUID, now: Date = Date()) async throws -> Bool {
        guard try await active().contains(where: { $0.id == id }) else { return false }
        try await database.sql.update("holds").set("released_at", to: now.millisecondPrecision).where("id", .equal, id).run()
        return true
    }

    /// Active (unreleased) holds, optionally only those covering `cameraID` (holds on every camera included).
    public func active(cameraID: UUID? = nil) async throws -> [Hold] {
        let rows = try await database.sql.select().columns("id", "camera_id", "from_at", "until_at", "reason", "created_by").from("holds")
            .where("released_at", .is, SQLLiteral.null).orderBy("from_at").all()
        let holds = try rows.map {
            Hold(
                id: try $0.decode(column: "id", as: UUID.self), cameraID: try $0.decode(column: "camera_id", as: UUID?.self),
                from: try $0.decode(column: "from_at", as: Date.self).millisecondPrecision,
                until: try $0.decode(column: "until_at", as: Date.self).millisecondPrecision,
                reason: try $0.decode(column: "reason", as: String.self), createdBy: try $0.decode(column: "created_by", as: String.self))
        }
        guard let cameraID else { return holds }
        return holds.filter { $0.cameraID == nil || $0.cameraID == cameraID }
    }
}

/// A change in a camera's health worth keeping (offline, back online, degraded).
public struct CameraEvent: Sendable, Hashable, Codable {
    /// Camera.
    public var cameraID: UUID
    /// When.
    public var at: Date
    /// `offline`, `online`, `degraded`.
    public var kind: String
    /// Why.
    public var reason: String

    /// Creates an event.
    public init(cameraID: UUID, at: Date, kind: String, reason: String) {
        self.cameraID = cameraID
        self.at = at.millisecondPrecision
        self.kind = kind
        self.reason = reason
    }
}

/// Camera health events in SQL.
public struct CameraEventRepository: Sendable {
    let database: any Database

    /// Records an event.
    public func record(_ event: CameraEvent) async throws {
        try await database.sql.insert(into: "camera_events").columns("id", "camera_id", "at", "kind", "reason")
            .values(SQLBind(UUID()), SQLBind(event.cameraID), SQLBind(event.at), SQLBind(event.kind), SQLBind(event.reason)).run()
    }

    /// A camera's events in a range, oldest first.
    public func list(cameraID: UUID, from: Date, until: Date) async throws -> [CameraEvent] {
        let rows = try await database.sql.select().columns("camera_id", "at", "kind", "reason").from("camera_events")
            .where("camera_id", .equal, cameraID).where("at", .greaterThanOrEqual, from).where("at", .lessThan, until).orderBy("at").all()
        return try rows.map {
            CameraEvent(
                cameraID: try $0.decode(column: "camera_id", as: UUID.self), at: try $0.decode(column: "at", as: Date.self),
                kind: try $0.decode(column: "kind", as: String.self), reason: try $0.decode(column: "reason", as: String.self))
        }
    }
}
