import FluentKit
import SQLKit

/// Street centrelines and address points: the map's base layers and what address search looks in.
struct SchemaAddresses: AsyncMigration {
    var name: String { "rtcc.v9.addresses" }

    func prepare(on database: any Database) async throws {
        try await database.schema("streets")
            .id()
            .field("position", .int, .required)
            .field("name", .string, .required)
            .field("normalized_name", .string, .required)
            .field("geometry", .string, .required)
            .field("min_latitude", .double, .required)
            .field("min_longitude", .double, .required)
            .field("max_latitude", .double, .required)
            .field("max_longitude", .double, .required)
            .field("source", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("address_points")
            .id()
            .field("position", .int, .required)
            .field("number", .string, .required)
            .field("street", .string, .required)
            .field("normalized_street", .string, .required)
            .field("unit", .string)
            .field("city", .string)
            .field("zip", .string)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("source", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.raw("CREATE INDEX address_points_street ON address_points (normalized_street)").run()
        try await database.sql.raw("CREATE INDEX streets_normalized_name ON streets (normalized_name)").run()
        // The last row by position tells which import is stored (``AddressRepository/version()``) without a scan.
        try await database.sql.raw("CREATE INDEX address_points_position ON address_points (position)").run()
        try await database.sql.raw("CREATE INDEX streets_position ON streets (position)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("address_points").delete()
        try await database.schema("streets").delete()
    }
}
