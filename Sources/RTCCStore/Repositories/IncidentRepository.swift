import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Incident history and venues in SQL.
public struct IncidentRepository: Sendable {
    let database: any Database

    /// Stores incidents in one transaction.
    public func insert(_ incidents: [Incident]) async throws {
        let rows = incidents.map(IncidentRow.init)
        try await database.transaction { db in
            for chunk in rows.chunked(by: 200) {
                try await db.sql.insert(into: "incidents").models(Array(chunk), with: rowEncoder).run()
            }
        }
    }

    /// Incidents in a time range, newest first, at most `limit`.
    public func list(from: Date?, until: Date?, category: Incident.Category?, limit: Int, offset: Int) async throws -> Page<Incident> {
        func base(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var builder = select.from("incidents")
            if let from { builder = builder.where("occurred_at", .greaterThanOrEqual, from) }
            if let until { builder = builder.where("occurred_at", .lessThan, until) }
            if let category { builder = builder.where("category", .equal, category.rawValue) }
            return builder
        }
        let total = try await base(database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"))
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let rows = try await base(database.sql.select().column("*")).orderBy("occurred_at", .descending).limit(limit).offset(offset)
            .all(decoding: IncidentRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Page(items: rows.map(\.incident), total: total, limit: limit, offset: offset)
    }

    /// Stores a venue.
    public func insert(venue: Venue) async throws {
        let polygon = String(decoding: try JSONEncoder().encode(venue.polygon), as: UTF8.self)
        try await database.sql.insert(into: "venues").columns("id", "name", "polygon").values(SQLBind(venue.id), SQLBind(venue.name), SQLBind(polygon)).run()
    }

    /// Every venue.
    public func venues() async throws -> [Venue] {
        let rows = try await database.sql.select().columns("id", "name", "polygon").from("venues").orderBy("name").all()
        return try rows.map { row in
            let polygon = try row.decode(column: "polygon", as: String.self)
            return Venue(
                id: try row.decode(column: "id", as: UUID.self), name: try row.decode(column: "name", as: String.self),
                polygon: try JSONDecoder().decode([GeoPoint].self, from: Data(polygon.utf8)))
        }
    }
}

/// An `incidents` row.
struct IncidentRow: Codable, Sendable {
    var id: UUID
    var occurredAt: Date
    var category: String
    var latitude: Double
    var longitude: Double
    var summary: String
    var weaponRecovered: Bool
    var caseNumber: String?
    var offenseCode: String?

    init(_ incident: Incident) {
        id = incident.id
        occurredAt = incident.occurredAt
        category = incident.category.rawValue
        latitude = incident.location.latitude
        longitude = incident.location.longitude
        summary = incident.summary
        weaponRecovered = incident.weaponRecovered
        caseNumber = incident.caseNumber
        offenseCode = incident.offenseCode
    }

    var incident: Incident {
        Incident(
            id: id, occurredAt: occurredAt.millisecondPrecision, category: Incident.Category(rawValue: category) ?? .assault,
            location: GeoPoint(latitude: latitude, longitude: longitude), summary: summary, weaponRecovered: weaponRecovered,
            caseNumber: caseNumber, offenseCode: offenseCode)
    }
}
