import FluentKit
import Foundation
import NIOCore
import RTCCCore
import SQLKit

/// Intake events in SQL, one row per source, kind and source event id.
public struct LeadEventRepository: Sendable {
    let database: any Database

    /// Stores `event` unless the source already sent one with the same kind and id; returns the stored event and
    /// whether it is new.
    public func insert(_ event: LeadEvent) async throws -> (event: LeadEvent, created: Bool) {
        do {
            try await database.sql.insert(into: "lead_events").model(LeadEventRow(event), with: rowEncoder).run()
            return (event, true)
        } catch let error where isUniqueViolation(error) {
            guard let existing = try await find(source: event.source, kind: event.kind, sourceEventID: event.sourceEventID) else { throw error }
            return (existing, false)
        }
    }

    /// An event to store with the alert it raises, if any.
    public struct Arrival: Sendable {
        /// The event (its `alertID` set when it raises `alert`).
        public let event: LeadEvent
        /// The alert, stored only when the event is new.
        public let alert: Alert?
        /// The alert's bookmarks.
        public let bookmarks: [AlertBookmark]
        /// Who raised it, for the alert's history.
        public let actor: String
        /// The audit entry recording its receipt, appended in the same transaction when the event is new.
        public let audit: AuditEvent?
        /// The event's row and its alert's rows in bind form, made here by the caller's task rather than inside the
        /// transaction that every other query waits for.
        let eventRow: [any Encodable & Sendable]
        let alertRows: AlertRepository.InsertRows?

        /// Creates an arrival.
        public init(event: LeadEvent, alert: Alert?, bookmarks: [AlertBookmark], actor: String, audit: AuditEvent? = nil) {
            self.event = event
            self.alert = alert
            self.bookmarks = bookmarks
            self.actor = actor
            self.audit = audit
            eventRow = LeadEventRow(event).binds
            alertRows = alert.map { AlertRepository.InsertRows(alert: $0, bookmarks: bookmarks, actor: actor) }
        }
    }

    private static let insertHead = RowsInsert.head(table: "lead_events", columns: LeadEventRow.columns)
    private static let insertTail = RowsInsert.ignoringConflicts(on: ["source", "kind", "source_event_id"]) + #" RETURNING "id""#

    /// Stores many events, each with its alert and its audit entry, in one transaction (one commit for the lot); an
    /// event already stored under its source, kind and id is skipped with its alert and audit entry. Returns, in order,
    /// whether each event was new.
    public func store(_ arrivals: [Arrival]) async throws -> [Bool] {
        guard !arrivals.isEmpty else { return [] }
        // Statements stay under the bound-parameter limits with at most this many events per transaction.
        guard arrivals.count <= Self.maximumBatch else {
            var created: [Bool] = []
            for chunk in arrivals.chunked(by: Self.maximumBatch) { created += try await store(Array(chunk)) }
            return created
        }
        // The transaction's statements, BEGIN and COMMIT included, are chained as futures on the database's event
        // loop: each starts the moment the one before finishes, instead of waiting for a free thread to resume a task
        // (which on a busy server cost milliseconds per statement while the single SQLite connection sat idle).
        return try await database.chainedTransaction { sql -> EventLoopFuture<[Bool]> in
            // One statement inserts the lot; those already stored (or repeated within the batch) are skipped by the
            // unique index, and the ids returned say which rows are new.
            return sql.raw("\(RowsInsert(head: Self.insertHead, rows: arrivals.map(\.eventRow), tail: Self.insertTail))").all()
                .flatMapThrowing { rows -> [Bool] in
                    let inserted = Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
                    return arrivals.map { inserted.contains($0.event.id) }
                }
                .flatMap { created -> EventLoopFuture<[Bool]> in
                    let fresh = zip(arrivals, created).filter(\.1).map(\.0)
                    let now = Date()
                    let audits = fresh.compactMap { arrival in arrival.audit.map { ($0, now) } }
                    return sql.runInOrder(AlertRepository.insertStatements(fresh.compactMap(\.alertRows)))
                        .flatMap { AuditLog.append(audits, on: sql) }
                        .map { _ in created }
                }
        }.get()
    }

    /// Most events stored in one transaction.
    public static let maximumBatch = 256

    /// The event a source sent under `sourceEventID`, or nil.
    public func find(source: String, kind: LeadEvent.Kind, sourceEventID: String) async throws -> LeadEvent? {
        try await database.sql.select().column("*").from("lead_events").where("source", .equal, source).where("kind", .equal, kind.rawValue)
            .where("source_event_id", .equal, sourceEventID)
            .first(decoding: LeadEventRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.event
    }

    /// One event by id, or nil.
    public func find(id: UUID) async throws -> LeadEvent? {
        try await database.sql.select().column("*").from("lead_events").where("id", .equal, id)
            .first(decoding: LeadEventRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.event
    }

    /// Records the alert an event raised.
    public func setAlert(eventID: UUID, alertID: UUID) async throws {
        try await database.sql.update("lead_events").set("alert_id", to: alertID).where("id", .equal, eventID).run()
    }

    /// Replaces an event's status and attributes (a call for service's update).
    public func update(id: UUID, status: String?, attributes: [String: String]) async throws {
        try await database.sql.update("lead_events").set("status", to: status).set("attributes", to: LeadEventRow.encode(attributes))
            .where("id", .equal, id).run()
    }

    /// How many events are stored.
    public func count() async throws -> Int {
        try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("lead_events")
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }
}

/// A `lead_events` row.
struct LeadEventRow: Codable, Sendable {
    var id: UUID
    var kind: String
    var source: String
    var sourceEventId: String
    var occurredAt: Date
    var receivedAt: Date
    var latitude: Double?
    var longitude: Double?
    var cameraId: UUID?
    var status: String?
    var attributes: String
    var alertId: UUID?

    /// The columns, in the order of ``binds``.
    static let columns = [
        "id", "kind", "source", "source_event_id", "occurred_at", "received_at", "latitude", "longitude", "camera_id", "status", "attributes", "alert_id",
    ]

    /// The row's values in the columns' order, bound one by one (cheaper than the reflective row encoder).
    var binds: [any Encodable & Sendable] {
        [id, kind, source, sourceEventId, occurredAt, receivedAt, latitude, longitude, cameraId, status, attributes, alertId]
    }

    init(_ event: LeadEvent) {
        id = event.id
        kind = event.kind.rawValue
        source = event.source
        sourceEventId = event.sourceEventID
        occurredAt = event.occurredAt.millisecondPrecision
        receivedAt = event.receivedAt.millisecondPrecision
        latitude = event.location?.latitude
        longitude = event.location?.longitude
        cameraId = event.cameraID
        status = event.status
        attributes = Self.encode(event.attributes)
        alertId = event.alertID
    }

    static func encode(_ attributes: [String: String]) -> String {
        var text = JSONText(capacity: 32 + 48 * attributes.count)
        text.object(of: attributes)
        return text.text
    }

    var event: LeadEvent {
        LeadEvent(
            id: id, kind: LeadEvent.Kind(rawValue: kind) ?? .tip, source: source, sourceEventID: sourceEventId,
            occurredAt: occurredAt.millisecondPrecision, receivedAt: receivedAt.millisecondPrecision,
            location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } }, cameraID: cameraId, status: status,
            attributes: (try? JSONDecoder().decode([String: String].self, from: Data(attributes.utf8))) ?? [:], alertID: alertId)
    }
}
