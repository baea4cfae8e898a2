import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// What to search cases by.
public struct CaseQuery: Sendable, Hashable {
    /// Text found in the number, type or location (case-insensitive).
    public var text: String?
    /// Only cases with this status.
    public var status: EvidenceCase.Status?
    /// Only cases that happened at or after this time.
    public var from: Date?
    /// Only cases that happened before this time.
    public var until: Date?
    /// Only cases linked to this camera.
    public var cameraID: UUID?
    /// Page size.
    public var limit = 50
    /// Items skipped.
    public var offset = 0

    /// Creates a query.
    public init(text: String? = nil, status: EvidenceCase.Status? = nil, from: Date? = nil, until: Date? = nil, cameraID: UUID? = nil) {
        self.text = text
        self.status = status
        self.from = from
        self.until = until
        self.cameraID = cameraID
    }
}

/// Cases, their links and notes in SQL.
public struct CaseRepository: Sendable {
    let database: any Database

    /// Opens a case from a validated draft.
    /// - Throws: ``StoreError/duplicate(field:value:)`` when the number is taken.
    @discardableResult
    public func create(_ draft: CaseDraft, by actor: String, now: Date = Date()) async throws -> EvidenceCase {
        let now = now.millisecondPrecision
        let row = CaseRow(id: UUID(), draft: draft, createdBy: actor, createdAt: now, updatedAt: now)
        do {
            try await database.sql.insert(into: "cases").model(row, with: rowEncoder).run()
        } catch let error where isUniqueViolation(error) {
            throw StoreError.duplicate(field: "number", value: draft.number)
        }
        return row.evidenceCase
    }

    /// Replaces a case's fields; nil when there is no such case.
    public func update(id: UUID, with draft: CaseDraft, now: Date = Date()) async throws -> EvidenceCase? {
        guard let existing = try await row(id: id) else { return nil }
        let row = CaseRow(id: id, draft: draft, createdBy: existing.createdBy, createdAt: existing.createdAt, updatedAt: now.millisecondPrecision)
        do {
            try await database.sql.update("cases").set(model: row, with: rowEncoder).where("id", .equal, id).run()
        } catch let error where isUniqueViolation(error) {
            throw StoreError.duplicate(field: "number", value: draft.number)
        }
        return try await find(id: id)
    }

    /// The case with this report number (compared exactly, after trimming spaces), with its links and notes, or nil.
    public func find(number: String) async throws -> EvidenceCase? {
        let wanted = number.trimmingCharacters(in: .whitespaces)
        guard let id = try await database.sql.select().column("id").from("cases").where("number", .equal, wanted).first(decodingColumn: "id", as: UUID.self)
        else { return nil }
        return try await find(id: id)
    }

    /// One case with its links and notes, or nil.
    public func find(id: UUID) async throws -> EvidenceCase? {
        guard let row = try await row(id: id) else { return nil }
        var found = row.evidenceCase
        found.links = try await links(caseID: id)
        found.notes = try await notes(caseID: id)
        return found
    }

    /// A page of cases (without links and notes), most recent first.
    public func search(_ query: CaseQuery) async throws -> Page<EvidenceCase> {
        let total = try await filtered(database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"), query)
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let rows = try await filtered(database.sql.select().column("*"), query)
            .orderBy("occurred_at", .descending).limit(query.limit).offset(query.offset)
            .all(decoding: CaseRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Page(items: rows.map(\.evidenceCase), total: total, limit: query.limit, offset: query.offset)
    }

    /// Links `reference` to a case. Returns false when it was linked already.
    public func link(caseID: UUID, kind: CaseLink.Kind, reference: String, by actor: String, now: Date = Date()) async throws -> Bool {
        do {
            try await database.sql.insert(into: "case_links").columns("id", "case_id", "kind", "reference", "added_by", "added_at")
                .values(SQLBind(UUID()), SQLBind(caseID), SQLBind(kind.rawValue), SQLBind(reference), SQLBind(actor), SQLBind(now.millisecondPrecision))
                .run()
            try await touch(caseID, now: now)
            return true
        } catch let error where isUniqueViolation(error) {
            return false
        }
    }

    /// Appends a note to a case.
    @discardableResult
    public func addNote(caseID: UUID, text: String, by actor: String, now: Date = Date()) async throws -> CaseNote {
        let note = CaseNote(id: UUID(), author: actor, at: now.millisecondPrecision, text: text)
        try await database.sql.insert(into: "case_notes").columns("id", "case_id", "author", "at", "text")
            .values(SQLBind(note.id), SQLBind(caseID), SQLBind(actor), SQLBind(note.at), SQLBind(text)).run()
        try await touch(caseID, now: now)
        return note
    }

    /// A case's links, oldest first.
    public func links(caseID: UUID) async throws -> [CaseLink] {
        let rows = try await database.sql.select().columns("kind", "reference", "added_by", "added_at").from("case_links")
            .where("case_id", .equal, caseID).orderBy("added_at").orderBy("reference").all()
        return try rows.map {
            let kind = try $0.decode(column: "kind", as: String.self)
            guard let known = CaseLink.Kind(rawValue: kind) else { throw UnknownCaseLinkKind(kind: kind) }
            return CaseLink(
                kind: known,
                reference: try $0.decode(column: "reference", as: String.self), addedBy: try $0.decode(column: "added_by", as: String.self),
                addedAt: try $0.decode(column: "added_at", as: Date.self).millisecondPrecision)
        }
    }

    /// A case's notes, oldest first.
    public func notes(caseID: UUID) async throws -> [CaseNote] {
        let rows = try await database.sql.select().columns("id", "author", "at", "text").from("case_notes")
            .where("case_id", .equal, caseID).orderBy("at").all()
        return try rows.map {
            CaseNote(
                id: try $0.decode(column: "id", as: UUID.self), author: try $0.decode(column: "author", as: String.self),
                at: try $0.decode(column: "at", as: Date.self).millisecondPrecision, text: try $0.decode(column: "text", as: String.self))
        }
    }

    private func touch(_ id: UUID, now: Date) async throws {
        try await database.sql.update("cases").set("updated_at", to: now.millisecondPrecision).where("id", .equal, id).run()
    }

    private func row(id: UUID) async throws -> CaseRow? {
        try await database.sql.select().column("*").from("cases").where("id", .equal, id)
            .first(decoding: CaseRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    private func filtered(_ select: SQLSelectBuilder, _ query: CaseQuery) -> SQLSelectBuilder {
        var builder = select.from("cases")
        if let text = query.text?.lowercased(), !text.isEmpty {
            // strpos/instr match the text literally, unlike LIKE with its wildcards.
            let position = database.sql.dialect.name == "postgresql" ? "strpos" : "instr"
            let condition: SQLQueryString = "\(unsafeRaw: position)(lower(number || ' ' || type || ' ' || location), \(bind: text)) > 0"
            builder = builder.where(condition)
        }
        if let status = query.status { builder = builder.where("status", .equal, status.rawValue) }
        if let from = query.from { builder = builder.where("occurred_at", .greaterThanOrEqual, from) }
        if let until = query.until { builder = builder.where("occurred_at", .lessThan, until) }
        if let camera = query.cameraID {
            let condition: SQLQueryString = "id IN (SELECT case_id FROM case_links WHERE kind = 'camera' AND reference = \(bind: camera.uuidString.lowercased()))"
            builder = builder.where(condition)
        }
        return builder
    }
}

/// A `cases` row.
struct CaseRow: Codable, Sendable {
    var id: UUID
    var number: String
    var type: String
    var location: String
    var latitude: Double?
    var longitude: Double?
    var occurredAt: Date
    var occurredUntil: Date?
    var status: String
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date

    init(id: UUID, draft: CaseDraft, createdBy: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        number = draft.number
        type = draft.type
        location = draft.location
        latitude = draft.point?.latitude
        longitude = draft.point?.longitude
        occurredAt = draft.occurredAt.millisecondPrecision
        occurredUntil = draft.occurredUntil?.millisecondPrecision
        status = (draft.status ?? .open).rawValue
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    var evidenceCase: EvidenceCase {
        EvidenceCase(
            id: id, number: number, type: type, location: location,
            point: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
            occurredAt: occurredAt.millisecondPrecision, occurredUntil: occurredUntil?.millisecondPrecision,
            status: EvidenceCase.Status(rawValue: status) ?? .open, createdBy: createdBy, createdAt: createdAt.millisecondPrecision,
            updatedAt: updatedAt.millisecondPrecision)
    }

    var draft: CaseDraft {
        let value = evidenceCase
        return CaseDraft(
            number: value.number, type: value.type, location: value.location, point: value.point, occurredAt: value.occurredAt,
            occurredUntil: value.occurredUntil, status: value.status)
    }
}

/// A stored case link has a kind this version does not know (written by a newer version, or damaged): the case is not
/// shown without it, since its links would be incomplete. Upgrade the server, or repair the `case_links` row.
public struct UnknownCaseLinkKind: Error, Sendable, CustomStringConvertible {
    /// The kind as stored.
    public var kind: String

    public var description: String { "a link of this case has the unknown kind '\(kind)'; upgrade the server or repair the case_links row" }
}
