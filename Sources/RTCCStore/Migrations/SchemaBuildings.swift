import FluentKit
import SQLKit

/// Building footprints that block cameras' sight lines ("who could have seen it", coverage).
struct SchemaBuildings: AsyncMigration {
    var name: String { "rtcc.v3.buildings" }

    func prepare(on database: any Database) async throws {
        try await database.schema("buildings")
            .id()
            .field("position", .int, .required)
            .field("rings", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("buildings").delete()
    }
}
