import FluentKit
import SQLKit

/// Recording index, evidence holds and camera health events.
struct SchemaV2: AsyncMigration {
    var name: String { "rtcc.v2.recording" }

    func prepare(on database: any Database) async throws {
        try await database.schema("segments")
            .id()
            .field("camera_id", .uuid, .required)
            .field("stream", .string, .required)
            .field("path", .string, .required)
            .field("start_at", .datetime, .required)
            .field("end_at", .datetime, .required)
            .field("bytes", .int64, .required)
            .field("frames", .int, .required)
            .field("gaps", .string, .required)
            .field("codec", .string, .required)
            .field("sha256", .string)
            .create()
        try await database.sql.create(index: "segments_camera_time").on("segments").column("camera_id").column("start_at").run()
        try await database.schema("holds")
            .id()
            .field("camera_id", .uuid)
            .field("from_at", .datetime, .required)
            .field("until_at", .datetime, .required)
            .field("reason", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("released_at", .datetime)
            .create()
        try await database.schema("camera_events")
            .id()
            .field("camera_id", .uuid, .required)
            .field("at", .datetime, .required)
            .field("kind", .string, .required)
            .field("reason", .string, .required)
            .create()
        try await database.sql.create(index: "camera_events_camera_time").on("camera_events").column("camera_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["camera_events", "holds", "segments"] { try await database.schema(table).delete() }
    }
}
