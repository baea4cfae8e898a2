import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// What a case came to, as the police report it back: the RTCC's part and the result.
public struct CaseOutcome: Codable, Sendable, Hashable {
    /// The RTCC case.
    public var caseID: UUID
    /// The RTCC gave investigators a lead.
    public var leadProvided: Bool
    /// The RTCC delivered footage.
    public var footageDelivered: Bool
    /// Someone was arrested.
    public var arrest: Bool
    /// A weapon was recovered.
    public var weaponRecovered: Bool
    /// Who reported it.
    public var updatedBy: String
    /// When.
    public var updatedAt: Date

    /// Creates an outcome.
    public init(caseID: UUID, leadProvided: Bool, footageDelivered: Bool, arrest: Bool, weaponRecovered: Bool, updatedBy: String, updatedAt: Date) {
        self.caseID = caseID
        self.leadProvided = leadProvided
        self.footageDelivered = footageDelivered
        self.arrest = arrest
        self.weaponRecovered = weaponRecovered
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

/// One alert's kind and timing, for counting alerts per day and time to acknowledge.
public struct AlertTiming: Sendable, Hashable {
    /// `gunshot`, `plate_hit`…
    public var kind: String
    /// When it was raised.
    public var raisedAt: Date
    /// When an analyst first acknowledged it, if ever.
    public var acknowledgedAt: Date?
}

/// One footage request's status and timing, for the dashboard.
public struct FootageRequestTiming: Sendable, Hashable {
    /// `pending`, `approved`…
    public var status: String
    /// When it was made.
    public var createdAt: Date
}

/// The impact dashboard's own records (weapons recovered, case outcomes, historical yearly totals) and the reads it
/// draws from other tables.
public struct ImpactRepository: Sendable {
    let database: any Database

    /// Adds imported incidents, skipping any whose case number and offense are already stored. Returns how many were added.
    public func importIncidents(_ incidents: [Incident]) async throws -> Int {
        let numbers = Array(Set(incidents.compactMap(\.caseNumber)))
        var stored: Set<String> = []
        for chunk in numbers.chunked(by: 500) {
            let rows = try await database.sql.select().columns("case_number", "category", "offense_code").from("incidents")
                .where("case_number", .in, Array(chunk)).all()
            for row in rows {
                let number = try row.decode(column: "case_number", as: String?.self) ?? ""
                let code = try row.decode(column: "offense_code", as: String?.self) ?? (try row.decode(column: "category", as: String.self))
                stored.insert("\(number)|\(code)")
            }
        }
        let fresh = incidents.filter { !stored.contains("\($0.caseNumber ?? "")|\($0.offenseCode ?? $0.category.rawValue)") }
        try await IncidentRepository(database: database).insert(fresh)
        return fresh.count
    }

    /// Adds weapons-recovered records.
    public func insert(weapons: [WeaponRecovery], now: Date = Date()) async throws {
        try await database.transaction { db in
            for weapon in weapons {
                try await db.sql.insert(into: "weapons_recovered")
                    .columns("id", "recovered_at", "kind", "case_number", "rtcc_assisted", "notes", "created_at")
                    .values(SQLBind(UUID()), SQLBind(weapon.recoveredAt.millisecondPrecision), SQLBind(weapon.kind.rawValue), SQLBind(weapon.caseNumber),
                            SQLBind(weapon.rtccAssisted), SQLBind(weapon.notes), SQLBind(now.millisecondPrecision))
                    .run()
            }
        }
    }

    /// Weapons recovered in `[from, until)`, oldest first.
    public func weapons(from: Date, until: Date) async throws -> [WeaponRecovery] {
        let rows = try await database.sql.select().columns("recovered_at", "kind", "case_number", "rtcc_assisted", "notes").from("weapons_recovered")
            .where("recovered_at", .greaterThanOrEqual, from).where("recovered_at", .lessThan, until).orderBy("recovered_at").all()
        return try rows.map {
            WeaponRecovery(
                recoveredAt: try $0.decode(column: "recovered_at", as: Date.self).millisecondPrecision,
                kind: WeaponRecovery.Kind(rawValue: try $0.decode(column: "kind", as: String.self)) ?? .other,
                caseNumber: try $0.decode(column: "case_number", as: String.self), rtccAssisted: try $0.decode(column: "rtcc_assisted", as: Bool.self),
                notes: try $0.decode(column: "notes", as: String.self))
        }
    }

    /// Records (or replaces) a case's outcome.
    public func setOutcome(_ outcome: CaseOutcome) async throws {
        try await database.transaction { db in
            try await db.sql.delete(from: "case_outcomes").where("case_id", .equal, outcome.caseID).run()
            try await db.sql.insert(into: "case_outcomes").model(OutcomeRow(outcome), with: rowEncoder).run()
        }
    }

    /// A case's outcome, if reported.
    public func outcome(caseID: UUID) async throws -> CaseOutcome? {
        try await database.sql.select().column("*").from("case_outcomes").where("case_id", .equal, caseID)
            .first(decoding: OutcomeRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.outcome
    }

    /// Every reported outcome.
    public func outcomes() async throws -> [CaseOutcome] {
        try await database.sql.select().column("*").from("case_outcomes").all(decoding: OutcomeRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            .map(\.outcome)
    }

    /// Replaces the stored yearly totals for the years and categories given, all or nothing.
    public func replace(annualCounts counts: [AnnualCount]) async throws {
        try await database.transaction { db in
            for count in counts {
                try await db.sql.delete(from: "annual_counts").where("year", .equal, count.year).where("category", .equal, count.category.rawValue).run()
                try await db.sql.insert(into: "annual_counts").columns("year", "category", "count", "source")
                    .values(SQLBind(count.year), SQLBind(count.category.rawValue), SQLBind(count.count), SQLBind(count.source)).run()
            }
        }
    }

    /// Stored yearly totals of one category, by year.
    public func annualCounts(category: Incident.Category) async throws -> [AnnualCount] {
        let rows = try await database.sql.select().columns("year", "count", "source").from("annual_counts")
            .where("category", .equal, category.rawValue).orderBy("year").all()
        return try rows.map {
            AnnualCount(
                year: try $0.decode(column: "year", as: Int.self), category: category, count: try $0.decode(column: "count", as: Int.self),
                source: try $0.decode(column: "source", as: String.self))
        }
    }

    /// The time of every incident of `categories` (all when nil) in `[from, until)`, with its category.
    public func incidentTimes(from: Date, until: Date, categories: [Incident.Category]? = nil) async throws -> [(Date, Incident.Category)] {
        var query = database.sql.select().columns("occurred_at", "category").from("incidents")
            .where("occurred_at", .greaterThanOrEqual, from).where("occurred_at", .lessThan, until)
        if let categories { query = query.where("category", .in, categories.map(\.rawValue)) }
        return try await query.all().map {
            (try $0.decode(column: "occurred_at", as: Date.self), Incident.Category(rawValue: try $0.decode(column: "category", as: String.self)) ?? .assault)
        }
    }

    /// The time of the earliest stored incident, if any.
    public func earliestIncident() async throws -> Date? {
        try await database.sql.select().column("occurred_at").from("incidents").orderBy("occurred_at").limit(1)
            .first(decodingColumn: "occurred_at", as: Date.self)
    }

    /// Incidents in `[from, until)` with a weapon recovered.
    public func incidentsWithWeapons(from: Date, until: Date) async throws -> Int {
        try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("incidents")
            .where("occurred_at", .greaterThanOrEqual, from).where("occurred_at", .lessThan, until).where("weapon_recovered", .equal, true)
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Alerts raised in `[from, until)`: kind, raise time and first acknowledgement.
    public func alertTimings(from: Date, until: Date) async throws -> [AlertTiming] {
        try await database.sql.select().columns("kind", "raised_at", "acknowledged_at").from("alerts")
            .where("raised_at", .greaterThanOrEqual, from).where("raised_at", .lessThan, until).orderBy("raised_at").all().map {
                AlertTiming(
                    kind: try $0.decode(column: "kind", as: String.self), raisedAt: try $0.decode(column: "raised_at", as: Date.self),
                    acknowledgedAt: try $0.decode(column: "acknowledged_at", as: Date?.self))
            }
    }

    /// Footage requests to owners made in `[from, until)`.
    public func footageRequests(from: Date, until: Date) async throws -> [FootageRequestTiming] {
        try await database.sql.select().columns("status", "created_at").from("footage_requests")
            .where("created_at", .greaterThanOrEqual, from).where("created_at", .lessThan, until).all().map {
                FootageRequestTiming(status: try $0.decode(column: "status", as: String.self), createdAt: try $0.decode(column: "created_at", as: Date.self))
            }
    }

    /// Evidence packages made in `[from, until)`, and share links issued (releases outside the RTCC).
    public func evidenceCounts(from: Date, until: Date) async throws -> (packages: Int, releases: Int, casesWithPackages: Int) {
        func count(_ table: String, _ column: String = "created_at") async throws -> Int {
            try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(table)
                .where(column, .greaterThanOrEqual, from).where(column, .lessThan, until).first(decodingColumn: "n", as: Int.self) ?? 0
        }
        let cases = try await database.sql.select().column("case_id").from("evidence_packages")
            .where("created_at", .greaterThanOrEqual, from).where("created_at", .lessThan, until).all(decodingColumn: "case_id", as: UUID.self)
        return (try await count("evidence_packages"), try await count("share_links"), Set(cases).count)
    }

    /// Cases opened in `[from, until)`, by id.
    public func casesOpened(from: Date, until: Date) async throws -> [UUID] {
        try await database.sql.select().column("id").from("cases").where("created_at", .greaterThanOrEqual, from).where("created_at", .lessThan, until)
            .all(decodingColumn: "id", as: UUID.self)
    }
}

/// A `case_outcomes` row.
struct OutcomeRow: Codable, Sendable {
    var caseId: UUID
    var leadProvided: Bool
    var footageDelivered: Bool
    var arrest: Bool
    var weaponRecovered: Bool
    var updatedBy: String
    var updatedAt: Date

    init(_ outcome: CaseOutcome) {
        caseId = outcome.caseID
        leadProvided = outcome.leadProvided
        footageDelivered = outcome.footageDelivered
        arrest = outcome.arrest
        weaponRecovered = outcome.weaponRecovered
        updatedBy = outcome.updatedBy
        updatedAt = outcome.updatedAt.millisecondPrecision
    }

    var outcome: CaseOutcome {
        CaseOutcome(
            caseID: caseId, leadProvided: leadProvided, footageDelivered: footageDelivered, arrest: arrest, weaponRecovered: weaponRecovered,
            updatedBy: updatedBy, updatedAt: updatedAt.millisecondPrecision)
    }
}

extension Store {
    /// The impact dashboard's records and reads.
    public var impact: ImpactRepository { ImpactRepository(database: database) }
}
