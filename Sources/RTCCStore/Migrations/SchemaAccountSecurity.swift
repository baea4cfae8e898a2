import FluentKit
import SQLKit

/// A second factor (TOTP) with one-time recovery codes, and the account state the CJIS profile keeps: a lockout that
/// lasts until an administrator releases it, the start of the current window of failed sign-ins, and the last sign-in.
struct SchemaAccountSecurity: AsyncMigration {
    var name: String { "rtcc.v8.account-security" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        // The TOTP secret is sealed with the credential key, like camera stream credentials; never stored in clear.
        try await database.schema("users").field("mfa_secret", .string).update()
        try await database.schema("users").field("mfa_pending_secret", .string).update()
        try await database.schema("users").field("mfa_enrolled_at", .datetime).update()
        // The last TOTP time step accepted: a code for this step or an earlier one is refused, so each code works once.
        try await database.schema("users").field("mfa_last_step", .int64).update()
        try await database.schema("users").field("last_sign_in_at", .datetime).update()
        // When the current window of failed sign-ins began, and when the account was locked (CJIS profile).
        try await database.schema("users").field("failures_since", .datetime).update()
        try await database.schema("users").field("locked_at", .datetime).update()
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()
        try await database.sql.create(index: "recovery_codes_user").on("recovery_codes").column("user_id").column("code_hash").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recovery_codes").delete()
        for column in ["locked_at", "failures_since", "last_sign_in_at", "mfa_last_step", "mfa_enrolled_at", "mfa_pending_secret", "mfa_secret"] {
            try await database.schema("users").deleteField(.string(column)).update()
        }
    }
}
