import FluentKit
import FluentSQL
import SQLKit

/// Recorder nodes and camera leases, for several `rtcc serve` processes sharing one PostgreSQL database: each node's
/// row (capacity, roles, heartbeat), one lease per recorded camera (owner node, lease end, fencing epoch, and a
/// hand-over in progress: offered, the successor and its epoch, whether it records yet), the history of every epoch
/// with the time it began (none yet while a hand-over is pending), and on each segment the node and epoch it was
/// recorded under. The tables exist on SQLite too (empty: a single server takes no leases).
struct SchemaCluster: AsyncMigration {
    var name: String { "rtcc.v11.cluster" }

    func prepare(on database: any Database) async throws {
        try await database.schema("nodes")
            .field("name", .string, .identifier(auto: false))
            .field("instance", .uuid, .required)
            .field("url", .string)
            .field("capacity", .int, .required)
            .field("roles", .string, .required)
            .field("state", .string, .required)
            .field("started_at", .datetime, .required)
            .field("heartbeat_at", .datetime, .required)
            .create()
        try await database.schema("camera_leases")
            .field("camera_id", .uuid, .identifier(auto: false))
            .field("node", .string)
            .field("epoch", .int64, .required)
            .field("lease_until", .datetime)
            .field("offered", .bool, .required, .sql(.default(false)))
            .field("next_node", .string)
            .field("next_epoch", .int64)
            .field("next_ready", .bool, .required, .sql(.default(false)))
            .create()
        try await database.schema("camera_lease_epochs")
            .field("camera_id", .uuid, .required)
            .field("epoch", .int64, .required)
            .field("node", .string, .required)
            .field("from_at", .datetime)
            .compositeIdentifier(over: "camera_id", "epoch")
            .create()
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("segments").field("node", .string).update()
        try await database.schema("segments").field("epoch", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("segments").deleteField("epoch").update()
        try await database.schema("segments").deleteField("node").update()
        for table in ["camera_lease_epochs", "camera_leases", "nodes"] { try await database.schema(table).delete() }
    }
}
