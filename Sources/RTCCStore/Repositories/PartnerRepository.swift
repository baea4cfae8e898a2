import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Partners (businesses and homeowners) in SQL.
public struct PartnerRepository: Sendable {
    let database: any Database

    /// Adds a partner.
    @discardableResult
    public func create(_ draft: PartnerDraft, now: Date = Date()) async throws -> Partner {
        let now = now.millisecondPrecision
        let row = PartnerRow(id: UUID(), draft: draft, createdAt: now, updatedAt: now)
        try await database.sql.insert(into: "partners").model(row, with: rowEncoder).run()
        return row.partner
    }

    /// Replaces a partner's fields; nil when there is no such partner.
    public func update(id: UUID, with draft: PartnerDraft, now: Date = Date()) async throws -> Partner? {
        let now = now.millisecondPrecision
        guard let existing = try await find(id: id) else { return nil }
        let row = PartnerRow(id: id, draft: draft, createdAt: existing.createdAt, updatedAt: now)
        try await database.sql.update("partners").set(model: row, with: rowEncoder).where("id", .equal, id).run()
        return row.partner
    }

    /// One partner, or nil.
    public func find(id: UUID) async throws -> Partner? {
        try await database.sql.select().column("*").from("partners").where("id", .equal, id)
            .first(decoding: PartnerRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.partner
    }

    /// A page of partners ordered by name, optionally only those with `status`.
    public func list(status: Partner.Status? = nil, limit: Int = 50, offset: Int = 0) async throws -> Page<Partner> {
        func base(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            let from = select.from("partners")
            return status.map { from.where("status", .equal, $0.rawValue) } ?? from
        }
        let total = try await base(database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"))
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let rows = try await base(database.sql.select().column("*")).orderBy("name").limit(limit).offset(offset)
            .all(decoding: PartnerRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Page(items: rows.map(\.partner), total: total, limit: limit, offset: offset)
    }

    /// Removes a partner that has no cameras. Returns false when there is no such partner.
    /// - Throws: ``StoreError/missingReference(field:value:)`` semantics are not used; a partner with cameras gives `.duplicate`-free
    ///   ``PartnerInUse``.
    public func delete(id: UUID) async throws -> Bool {
        guard try await find(id: id) != nil else { return false }
        let cameras = try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("cameras")
            .where("partner_id", .equal, id).first(decodingColumn: "n", as: Int.self) ?? 0
        let users = try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("users")
            .where("partner_id", .equal, id).first(decodingColumn: "n", as: Int.self) ?? 0
        if cameras > 0 || users > 0 { throw PartnerInUse(cameras: cameras, users: users) }
        try await database.sql.delete(from: "partners").where("id", .equal, id).run()
        return true
    }

    /// Which of `ids` exist.
    func existingIDs(_ ids: Set<UUID>) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await database.sql.select().column("id").from("partners").where("id", .in, Array(ids)).all()
        return Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
    }
}

/// A partner still owns cameras or user accounts and cannot be deleted; withdraw it or move them first.
public struct PartnerInUse: Error, Sendable, CustomStringConvertible {
    /// How many cameras it owns.
    public var cameras: Int
    /// How many user accounts belong to it.
    public var users: Int

    /// A partner that still owns `cameras` cameras and `users` accounts.
    public init(cameras: Int, users: Int = 0) {
        self.cameras = cameras
        self.users = users
    }

    /// What to do.
    public var description: String {
        var held: [String] = []
        if cameras > 0 { held.append("\(cameras) camera(s)") }
        if users > 0 { held.append("\(users) user account(s)") }
        return "the partner still owns \(held.joined(separator: " and ")): delete or reassign them, or set status to withdrawn"
    }
}

/// A `partners` table row.
struct PartnerRow: Codable, Sendable {
    var id: UUID
    var name: String
    var kind: String
    var contactName: String
    var email: String
    var phone: String?
    var address: String
    var termsVersion: String?
    var consentedAt: Date?
    var status: String
    var createdAt: Date
    var updatedAt: Date

    init(id: UUID, draft: PartnerDraft, createdAt: Date, updatedAt: Date) {
        self.id = id
        name = draft.name.trimmingCharacters(in: .whitespaces)
        kind = draft.kind.rawValue
        contactName = draft.contactName
        email = draft.email
        phone = draft.phone
        address = draft.address
        termsVersion = draft.consent?.termsVersion
        consentedAt = draft.consent?.acceptedAt
        status = (draft.status ?? .pending).rawValue
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    var partner: Partner {
        Partner(
            id: id, name: name, kind: Partner.Kind(rawValue: kind) ?? .business, contactName: contactName, email: email,
            phone: phone, address: address,
            consent: termsVersion.flatMap { version in consentedAt.map { Consent(termsVersion: version, acceptedAt: $0.millisecondPrecision) } },
            status: Partner.Status(rawValue: status) ?? .pending, createdAt: createdAt.millisecondPrecision, updatedAt: updatedAt.millisecondPrecision)
    }
}
