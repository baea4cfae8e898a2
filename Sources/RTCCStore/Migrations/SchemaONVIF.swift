import FluentKit
import FluentSQL
import SQLKit

/// ONVIF: a camera linked to its device service (`camera_onvif`: address, the profiles used, what the device offers,
/// its identity, sealed credentials, the last clock check) and the PTZ control lock (`ptz_locks`: one operator steers
/// a camera at a time, until the lock lapses).
struct SchemaONVIF: AsyncMigration {
    var name: String { "rtcc.v14.onvif" }

    func prepare(on database: any Database) async throws {
        try await database.schema("camera_onvif")
            .field("camera_id", .uuid, .required, .references("cameras", "id", onDelete: .cascade))
            .field("address", .string, .required)
            .field("profile_token", .string, .required)
            .field("sub_profile_token", .string)
            .field("ptz", .bool, .required)
            .field("events", .bool, .required)
            .field("manufacturer", .string, .required)
            .field("model", .string, .required)
            .field("firmware", .string, .required)
            .field("serial_number", .string, .required)
            .field("secrets", .string)
            .field("clock_offset_s", .double)
            .field("checked_at", .datetime)
            .field("last_error", .string)
            .field("linked_at", .datetime, .required)
            .unique(on: "camera_id")
            .create()
        try await database.schema("ptz_locks")
            .field("camera_id", .uuid, .required, .references("cameras", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("rank", .int, .required)
            .field("taken_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "camera_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ptz_locks").delete()
        try await database.schema("camera_onvif").delete()
    }
}
