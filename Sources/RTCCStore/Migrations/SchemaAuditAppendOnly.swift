import FluentKit
import SQLKit

/// The audit log becomes append-only in the database itself: a trigger refuses every UPDATE and DELETE (and, on
/// PostgreSQL, TRUNCATE) of `audit_log`, so no code path, script or mistaken statement can change or trim it. Someone
/// who drops the triggers first is still caught by the hash chain and the signed checkpoints.
struct SchemaAuditAppendOnly: AsyncMigration {
    var name: String { "rtcc.v7.audit-append-only" }

    static let refusal = "audit_log is append-only: entries are kept and never changed or deleted"

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION rtcc_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '\(unsafeRaw: Self.refusal)'; END $$
                """).run()
            try await sql.raw("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION rtcc_audit_append_only()").run()
            try await sql.raw("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION rtcc_audit_append_only()").run()
        } else {
            try await sql.raw("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: Self.refusal)'); END").run()
            try await sql.raw("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: Self.refusal)'); END").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log").run()
            try await sql.raw("DROP FUNCTION IF EXISTS rtcc_audit_append_only()").run()
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_log_no_update").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_log_no_delete").run()
        }
    }
}
