import FluentKit
import SQLKit

/// Delivery state for the mail outbox: how many times a mail was tried, the relay's last answer, when to try again,
/// and when delivery was given up.
struct SchemaMail: AsyncMigration {
    var name: String { "rtcc.v6.mail" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        // Existing rows need a value: the same statement works in SQLite and PostgreSQL.
        try await database.sql.raw("ALTER TABLE outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0").run()
        try await database.schema("outbox").field("last_error", .string).update()
        try await database.schema("outbox").field("next_attempt_at", .datetime).update()
        try await database.schema("outbox").field("failed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox").deleteField("failed_at").update()
        try await database.schema("outbox").deleteField("next_attempt_at").update()
        try await database.schema("outbox").deleteField("last_error").update()
        try await database.schema("outbox").deleteField("attempts").update()
    }
}
