import FluentKit
import SQLKit

/// Alarm sharing: until when each "live during alarms" camera may be watched and recorded, opened by alerts that
/// concern it (a gunshot it can see, an alert on the camera itself).
struct SchemaAlarms: AsyncMigration {
    var name: String { "rtcc.v6.alarms" }

    func prepare(on database: any Database) async throws {
        try await database.schema("camera_alarms")
            .field("camera_id", .uuid, .identifier(auto: false))
            .field("opened_at", .datetime, .required)
            .field("until_at", .datetime, .required)
            .field("reason", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("camera_alarms").delete()
    }
}
