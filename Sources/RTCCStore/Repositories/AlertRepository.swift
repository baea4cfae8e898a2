import FluentKit
import Foundation
import RTCCCore
import SQLKit
import Synchronization

/// What to search alerts by.
public struct AlertQuery: Sendable, Hashable {
    /// Only these statuses (empty: any).
    public var statuses: [Alert.Status] = []
    /// Only this kind.
    public var kind: Alert.Kind?
    /// Only this severity or higher.
    public var minimumSeverity: Alert.Severity?
    /// Text in the title or detail (case-insensitive).
    public var text: String?
    /// Raised at or after.
    public var from: Date?
    /// Raised before.
    public var until: Date?
    /// Only about this camera.
    public var cameraID: UUID?
    /// Page size.
    public var limit = 50
    /// Items skipped.
    public var offset = 0

    /// Creates a query.
    public init() {}
}

/// Alerts, their bookmarked recordings and history in SQL.
public struct AlertRepository: Sendable {
    let database: any Database

    /// Stores a new alert, its bookmarks and its `raised` history entry in one transaction.
    public func create(_ alert: Alert, bookmarks: [AlertBookmark], by actor: String) async throws {
        try await database.transaction { db in try await Self.insert(alert, bookmarks: bookmarks, by: actor, on: db) }
    }

    /// Inserts an alert, its bookmarks and its `raised` history entry on `db` (inside the caller's transaction).
    static func insert(_ alert: Alert, bookmarks: [AlertBookmark], by actor: String, on db: any Database) async throws {
        try await insert([(alert, bookmarks, actor)], on: db)
    }

    /// Inserts many alerts with their bookmarks and `raised` history entries on `db` (inside the caller's transaction):
    /// one multi-row statement per table for the lot, whatever the number of alerts.
    static func insert(_ alerts: [(alert: Alert, bookmarks: [AlertBookmark], actor: String)], on db: any Database) async throws {
        try await db.sql.runInOrder(insertStatements(alerts.map { InsertRows(alert: $0.alert, bookmarks: $0.bookmarks, actor: $0.actor) })).get()
    }

    /// An alert's row, its bookmarks' and its `raised` history entry's, in bind form (made before the transaction,
    /// by the caller's own task).
    struct InsertRows: Sendable {
        let alert: [any Encodable & Sendable]
        let bookmarks: [[any Encodable & Sendable]]
        let history: [any Encodable & Sendable]

        init(alert: Alert, bookmarks: [AlertBookmark], actor: String) {
            self.alert = AlertRow(alert).binds
            self.bookmarks = bookmarks.enumerated().map { rank, bookmark in
                [UUID(), alert.id, rank, bookmark.cameraID, bookmark.cameraName, bookmark.distanceM, bookmark.from.millisecondPrecision,
                 bookmark.until.millisecondPrecision]
            }
            history = [OrderedID.next(), alert.id, alert.raisedAt.millisecondPrecision, actor, "raised", alert.title]
        }
    }

    private static let alertsHead = RowsInsert.head(table: "alerts", columns: AlertRow.columns)
    private static let bookmarksHead = RowsInsert.head(
        table: "alert_bookmarks", columns: ["id", "alert_id", "rank", "camera_id", "camera_name", "distance_m", "from_at", "until_at"])
    private static let historyHead = RowsInsert.head(table: "alert_history", columns: ["id", "alert_id", "at", "actor", "action", "detail"])

    /// The statements that insert `alerts` with their bookmarks and history, at most a few hundred rows each (well
    /// under both databases' bound-parameter limits: SQLite 32 766, PostgreSQL 65 535).
    static func insertStatements(_ alerts: [InsertRows]) -> [any SQLExpression] {
        var statements: [any SQLExpression] = []
        for chunk in alerts.chunked(by: 500) { statements.append(RowsInsert(head: alertsHead, rows: chunk.map(\.alert))) }
        for chunk in alerts.flatMap(\.bookmarks).chunked(by: 1000) { statements.append(RowsInsert(head: bookmarksHead, rows: Array(chunk))) }
        for chunk in alerts.chunked(by: 1000) { statements.append(RowsInsert(head: historyHead, rows: chunk.map(\.history))) }
        return statements
    }

    /// Replaces an alert's triage fields and appends `entry` to its history, in one transaction.
    public func update(_ alert: Alert, entry: AlertHistoryEntry) async throws {
        try await database.transaction { db in
            try await db.sql.update("alerts")
                .set("status", to: alert.status.rawValue).set("severity", to: alert.severity.rawValue)
                .set("acknowledged_at", to: alert.acknowledgedAt?.millisecondPrecision).set("case_id", to: alert.caseID)
                .set("assigned_to", to: alert.assignedTo).set("dismiss_reason", to: alert.dismissReason).set("detail", to: alert.detail)
                .set("updated_at", to: alert.updatedAt.millisecondPrecision)
                .where("id", .equal, alert.id).run()
            try await Self.append(entry, to: alert.id, on: db)
        }
    }

    /// One alert with its bookmarks and history, or nil.
    public func find(id: UUID) async throws -> Alert? {
        guard var alert = try await row(id: id)?.alert else { return nil }
        alert.bookmarks = try await bookmarks(alertID: id)
        alert.history = try await history(alertID: id)
        return alert
    }

    /// One alert without bookmarks and history, or nil.
    public func summary(id: UUID) async throws -> Alert? { try await row(id: id)?.alert }

    /// The camera's outage alert that is still active, if any.
    public func activeOutage(cameraID: UUID) async throws -> Alert? {
        try await active(.cameraOffline, cameraID: cameraID)
    }

    /// The newest still-active alert of `kind` about `cameraID`, if any.
    public func active(_ kind: Alert.Kind, cameraID: UUID) async throws -> Alert? {
        try await database.sql.select().column("*").from("alerts").where("kind", .equal, kind.rawValue)
            .where("camera_id", .equal, cameraID)
            .where("status", .in, Alert.Status.allCases.filter(\.isActive).map(\.rawValue))
            .orderBy("raised_at", .descending)
            .first(decoding: AlertRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.alert
    }

    /// A page of alerts (without bookmarks and history): most severe first, then newest.
    public func search(_ query: AlertQuery) async throws -> Page<Alert> {
        let total = try await filtered(database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"), query)
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let severityRank: SQLQueryString =
            "CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END"
        let rows = try await filtered(database.sql.select().column("*"), query)
            .orderBy(SQLOrderBy(expression: severityRank, direction: SQLDirection.descending)).orderBy("raised_at", .descending).orderBy("id")
            .limit(query.limit).offset(query.offset)
            .all(decoding: AlertRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Page(items: rows.map(\.alert), total: total, limit: query.limit, offset: query.offset)
    }

    /// An alert's bookmarks, nearest camera first.
    public func bookmarks(alertID: UUID) async throws -> [AlertBookmark] {
        let rows = try await database.sql.select().columns("camera_id", "camera_name", "distance_m", "from_at", "until_at").from("alert_bookmarks")
            .where("alert_id", .equal, alertID).orderBy("rank").all()
        return try rows.map {
            AlertBookmark(
                cameraID: try $0.decode(column: "camera_id", as: UUID.self), cameraName: try $0.decode(column: "camera_name", as: String.self),
                distanceM: try $0.decode(column: "distance_m", as: Double.self),
                from: try $0.decode(column: "from_at", as: Date.self).millisecondPrecision,
                until: try $0.decode(column: "until_at", as: Date.self).millisecondPrecision)
        }
    }

    /// An alert's history, oldest first.
    public func history(alertID: UUID) async throws -> [AlertHistoryEntry] {
        let rows = try await database.sql.select().columns("at", "actor", "action", "detail").from("alert_history")
            .where("alert_id", .equal, alertID).orderBy("at").orderBy("id").all()
        return try rows.map {
            AlertHistoryEntry(
                at: try $0.decode(column: "at", as: Date.self).millisecondPrecision, actor: try $0.decode(column: "actor", as: String.self),
                action: try $0.decode(column: "action", as: String.self), detail: try $0.decode(column: "detail", as: String.self))
        }
    }

    static func append(_ entry: AlertHistoryEntry, to alertID: UUID, on db: any Database) async throws {
        // Ids sort by time so entries written in the same millisecond keep their order.
        try await db.sql.insert(into: "alert_history").columns("id", "alert_id", "at", "actor", "action", "detail")
            .values(SQLBind(OrderedID.next()), SQLBind(alertID), SQLBind(entry.at.millisecondPrecision), SQLBind(entry.actor), SQLBind(entry.action), SQLBind(entry.detail))
            .run()
    }

    private func row(id: UUID) async throws -> AlertRow? {
        try await database.sql.select().column("*").from("alerts").where("id", .equal, id)
            .first(decoding: AlertRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    private func filtered(_ select: SQLSelectBuilder, _ query: AlertQuery) -> SQLSelectBuilder {
        var builder = select.from("alerts")
        if !query.statuses.isEmpty { builder = builder.where("status", .in, query.statuses.map(\.rawValue)) }
        if let kind = query.kind { builder = builder.where("kind", .equal, kind.rawValue) }
        if let minimum = query.minimumSeverity {
            builder = builder.where("severity", .in, Alert.Severity.allCases.filter { $0 >= minimum }.map(\.rawValue))
        }
        if let text = query.text?.lowercased(), !text.isEmpty {
            let position = database.sql.dialect.name == "postgresql" ? "strpos" : "instr"
            let condition: SQLQueryString = "\(unsafeRaw: position)(lower(title || ' ' || detail), \(bind: text)) > 0"
            builder = builder.where(condition)
        }
        if let from = query.from { builder = builder.where("raised_at", .greaterThanOrEqual, from) }
        if let until = query.until { builder = builder.where("raised_at", .lessThan, until) }
        if let camera = query.cameraID { builder = builder.where("camera_id", .equal, camera) }
        return builder
    }
}

/// An `alerts` row.
struct AlertRow: Codable, Sendable {
    var id: UUID
    var kind: String
    var severity: String
    var status: String
    var raisedAt: Date
    var acknowledgedAt: Date?
    var caseId: UUID?
    var cameraId: UUID?
    var title: String
    var detail: String
    var latitude: Double?
    var longitude: Double?
    var eventId: UUID?
    var assignedTo: String?
    var dismissReason: String?
    var updatedAt: Date

    /// The columns, in the order of ``binds``.
    static let columns = [
        "id", "kind", "severity", "status", "raised_at", "acknowledged_at", "case_id", "camera_id", "title", "detail", "latitude", "longitude",
        "event_id", "assigned_to", "dismiss_reason", "updated_at",
    ]

    /// The row's values in the columns' order, bound one by one (cheaper than the reflective row encoder).
    var binds: [any Encodable & Sendable] {
        [id, kind, severity, status, raisedAt, acknowledgedAt, caseId, cameraId, title, detail, latitude, longitude, eventId, assignedTo, dismissReason, updatedAt]
    }

    init(_ alert: Alert) {
        id = alert.id
        kind = alert.kind.rawValue
        severity = alert.severity.rawValue
        status = alert.status.rawValue
        raisedAt = alert.raisedAt.millisecondPrecision
        acknowledgedAt = alert.acknowledgedAt?.millisecondPrecision
        caseId = alert.caseID
        cameraId = alert.cameraID
        title = alert.title
        detail = alert.detail
        latitude = alert.location?.latitude
        longitude = alert.location?.longitude
        eventId = alert.eventID
        assignedTo = alert.assignedTo
        dismissReason = alert.dismissReason
        updatedAt = alert.updatedAt.millisecondPrecision
    }

    var alert: Alert {
        Alert(
            id: id, kind: Alert.Kind(rawValue: kind) ?? .tip, severity: Alert.Severity(rawValue: severity) ?? .medium,
            status: Alert.Status(rawValue: status) ?? .open, title: title, detail: detail, raisedAt: raisedAt.millisecondPrecision,
            acknowledgedAt: acknowledgedAt?.millisecondPrecision, caseID: caseId, cameraID: cameraId,
            location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } }, eventID: eventId,
            assignedTo: assignedTo, dismissReason: dismissReason, updatedAt: updatedAt.millisecondPrecision)
    }
}

/// UUIDs that sort (as text and as bytes) in the order they were made: a millisecond clock and a counter, then random bits.
enum OrderedID {
    private static let counter = Mutex<(millis: Int64, sequence: Int64)>((0, 0))

    static func next(now: Date = Date()) -> UUID {
        let millis = Int64(now.timeIntervalSince1970 * 1000)
        let sequence = counter.withLock { state -> Int64 in
            state = state.millis >= millis ? (state.millis, state.sequence + 1) : (millis, 0)
            return state.millis << 16 | (state.sequence & 0xFFFF)
        }
        // Bytes 0-7: the clock, big-endian (so ids sort by it); 8-9: zero; 10-15: random.
        let clock = UInt64(bitPattern: sequence)
        let random = UInt64.random(in: 0...UInt64.max)
        func byte(_ value: UInt64, _ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> (56 - 8 * index)) }
        return UUID(uuid: (
            byte(clock, 0), byte(clock, 1), byte(clock, 2), byte(clock, 3), byte(clock, 4), byte(clock, 5), byte(clock, 6), byte(clock, 7),
            0, 0, byte(random, 2), byte(random, 3), byte(random, 4), byte(random, 5), byte(random, 6), byte(random, 7)))
    }
}
