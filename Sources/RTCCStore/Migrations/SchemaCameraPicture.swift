import FluentKit

/// Each camera's picture size and frame rate, as a stream test found them or an administrator entered them: DORI
/// distances use the real width instead of assuming 1920 pixels. Null for cameras whose stream has not been measured.
struct SchemaCameraPicture: AsyncMigration {
    var name: String { "rtcc.v10.camera-picture" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("cameras").field("horizontal_pixels", .int).update()
        try await database.schema("cameras").field("vertical_pixels", .int).update()
        try await database.schema("cameras").field("frames_per_second", .double).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["frames_per_second", "vertical_pixels", "horizontal_pixels"] {
            try await database.schema("cameras").deleteField(.string(column)).update()
        }
    }
}
