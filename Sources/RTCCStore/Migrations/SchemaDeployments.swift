import FluentKit
import SQLKit

/// Temporary deployments for events and the temporary cameras mounted for each.
struct SchemaDeployments: AsyncMigration {
    var name: String { "rtcc.v4.deployments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("deployments")
            .id()
            .field("name", .string, .required)
            .field("notes", .string, .required)
            .field("venue_id", .uuid)
            .field("area", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("deployment_cameras")
            .field("deployment_id", .uuid, .required)
            .field("camera_id", .uuid, .required)
            .field("position", .int, .required)
            .field("added_at", .datetime, .required)
            .unique(on: "deployment_id", "camera_id")
            .create()
        try await database.sql.create(index: "deployment_cameras_camera").on("deployment_cameras").column("camera_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("deployment_cameras").delete()
        try await database.schema("deployments").delete()
    }
}
