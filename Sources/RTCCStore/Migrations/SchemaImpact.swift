import FluentKit
import SQLKit

/// What the impact dashboard counts beyond the RTCC's own records: imported incidents' case numbers and NIBRS codes,
/// the weapons-recovered log, case outcomes and historical yearly totals.
struct SchemaImpact: AsyncMigration {
    var name: String { "rtcc.v5.impact" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("incidents").field("case_number", .string).update()
        try await database.schema("incidents").field("offense_code", .string).update()
        try await database.sql.create(index: "incidents_case").on("incidents").column("case_number").run()
        try await database.schema("weapons_recovered")
            .id()
            .field("recovered_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("case_number", .string, .required)
            .field("rtcc_assisted", .bool, .required)
            .field("notes", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("case_outcomes")
            .field("case_id", .uuid, .identifier(auto: false))
            .field("lead_provided", .bool, .required)
            .field("footage_delivered", .bool, .required)
            .field("arrest", .bool, .required)
            .field("weapon_recovered", .bool, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("annual_counts")
            .field("year", .int, .required)
            .field("category", .string, .required)
            .field("count", .int, .required)
            .field("source", .string, .required)
            .unique(on: "year", "category")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["annual_counts", "case_outcomes", "weapons_recovered"] { try await database.schema(table).delete() }
        try await database.schema("incidents").deleteField("offense_code").update()
        try await database.schema("incidents").deleteField("case_number").update()
    }
}
