import FluentKit
import SQLKit

/// Per-user settings of the web app (saved wall layouts).
struct SchemaPreferences: AsyncMigration {
    var name: String { "rtcc.v3.preferences" }

    func prepare(on database: any Database) async throws {
        try await database.schema("user_preferences")
            .field("user_id", .uuid, .required)
            .field("key", .string, .required)
            .field("value", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "user_id", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("user_preferences").delete()
    }
}
