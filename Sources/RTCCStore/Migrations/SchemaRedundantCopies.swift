import FluentKit
import FluentSQL
import SQLKit

/// Redundant recording: a camera flagged `redundant` is recorded by two cluster nodes at once, each copy under its own
/// lease. Leases, their epoch history and segments gain a `copy` (0, the primary; 1, the second copy), and the lease
/// tables are keyed by camera and copy, so each copy has its own owner and fencing epochs.
///
/// On SQLite (a single server, which takes no leases) only the columns are added: its lease tables stay empty.
struct SchemaRedundantCopies: AsyncMigration {
    var name: String { "rtcc.v12.redundant-copies" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("cameras").field("redundant", .bool, .required, .sql(.default(false))).update()
        try await database.schema("segments").field("copy", .int, .required, .sql(.default(0))).update()
        try await database.schema("camera_leases").field("copy", .int, .required, .sql(.default(0))).update()
        try await database.schema("camera_lease_epochs").field("copy", .int, .required, .sql(.default(0))).update()
        guard database.sql.dialect.name == "postgresql" else { return }
        try await Self.primaryKey(of: "camera_leases", becomes: "camera_id, copy", on: database.sql)
        try await Self.primaryKey(of: "camera_lease_epochs", becomes: "camera_id, copy, epoch", on: database.sql)
    }

    /// Replaces a PostgreSQL table's primary key, whatever its constraint is named.
    private static func primaryKey(of table: String, becomes columns: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            DO $$ DECLARE pk text; BEGIN
                SELECT conname INTO pk FROM pg_constraint WHERE conrelid = '\(unsafeRaw: table)'::regclass AND contype = 'p';
                EXECUTE format('ALTER TABLE \(unsafeRaw: table) DROP CONSTRAINT %I', pk);
                ALTER TABLE \(unsafeRaw: table) ADD PRIMARY KEY (\(unsafeRaw: columns));
            END $$
            """).run()
    }

    func revert(on database: any Database) async throws {
        if database.sql.dialect.name == "postgresql" {
            try await database.sql.raw("DELETE FROM camera_lease_epochs WHERE copy <> 0").run()
            try await database.sql.raw("DELETE FROM camera_leases WHERE copy <> 0").run()
            try await Self.primaryKey(of: "camera_lease_epochs", becomes: "camera_id, epoch", on: database.sql)
            try await Self.primaryKey(of: "camera_leases", becomes: "camera_id", on: database.sql)
        }
        for table in ["camera_lease_epochs", "camera_leases", "segments"] { try await database.schema(table).deleteField("copy").update() }
        try await database.schema("cameras").deleteField("redundant").update()
    }
}
