import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A user with the secrets needed to check a sign-in.
public struct UserCredentials: Sendable {
    /// The user.
    public var user: User
    /// bcrypt hash of the password.
    public var passwordHash: String
    /// Consecutive failed sign-ins.
    public var failedLogins: Int
    /// Locked until this time after too many failures.
    public var lockedUntil: Date?
    /// When the account was locked by the CJIS profile's lockout (kept until an administrator unlocks it, or until
    /// ``lockedUntil`` when that is set); nil when not locked that way.
    public var lockedAt: Date?
    /// The TOTP secret sealed with the credential key, when a second factor is enrolled.
    public var sealedMFASecret: String?
    /// The last TOTP time step accepted for this user (a code for it or an earlier step is refused).
    public var mfaLastStep: Int64?

    /// Whether the account-wide lockout refuses sign-in at `now`.
    public func isLocked(at now: Date = Date()) -> Bool { AccountState.isLocked(lockedAt: lockedAt, lockedUntil: lockedUntil, at: now) }
}

/// Users in SQL.
public struct UserRepository: Sendable {
    let database: any Database

    /// Adds a user with an already-hashed password. Throws ``StoreError/duplicate(field:value:)`` for a taken name.
    @discardableResult
    public func create(
        username: String, displayName: String, role: Role, partnerID: UUID? = nil, passwordHash: String, now: Date = Date()
    ) async throws -> User {
        let now = now.millisecondPrecision
        let row = UserRow(
            id: UUID(), username: username, displayName: displayName, role: role.rawValue, partnerId: partnerID,
            passwordHash: passwordHash, disabled: false, failedLogins: 0, lockedUntil: nil, createdAt: now, mfaSecret: nil,
            mfaPendingSecret: nil, mfaEnrolledAt: nil, mfaLastStep: nil, lastSignInAt: nil, failuresSince: nil, lockedAt: nil)
        do {
            try await database.sql.insert(into: "users").model(row, with: rowEncoder).run()
        } catch where isUniqueViolation(error) {
            throw StoreError.duplicate(field: "username", value: username)
        }
        return row.user
    }

    /// A user and their sign-in state, by name.
    public func credentials(username: String) async throws -> UserCredentials? {
        try await database.sql.select().column("*").from("users").where("username", .equal, username)
            .first(decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.credentials
    }

    /// One user by id.
    public func find(id: UUID) async throws -> User? {
        try await database.sql.select().column("*").from("users").where("id", .equal, id)
            .first(decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.user
    }

    /// All users ordered by name.
    public func list() async throws -> [User] {
        try await database.sql.select().column("*").from("users").orderBy("username")
            .all(decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.user)
    }

    /// Records a sign-in result: resets the failure count on success, or counts a failure and locks when needed.
    public func recordSignIn(id: UUID, succeeded: Bool, failedLogins: Int, lockedUntil: Date?) async throws {
        try await database.sql.update("users").set("failed_logins", to: succeeded ? 0 : failedLogins)
            .set("locked_until", to: succeeded ? nil : lockedUntil).where("id", .equal, id).run()
    }

    /// Sets a new password hash and clears any lockout. Returns false when there is no such user.
    public func setPassword(username: String, passwordHash: String) async throws -> Bool {
        guard try await credentials(username: username) != nil else { return false }
        try await database.sql.update("users").set("password_hash", to: passwordHash).set("failed_logins", to: 0)
            .set("locked_until", to: Date?.none).set("locked_at", to: Date?.none).set("failures_since", to: Date?.none)
            .where("username", .equal, username).run()
        return true
    }

    /// Changes role, display name or disabled flag. Returns the user, or nil when absent.
    ///
    /// Disabling a user also ends every session and revokes every API token it has, in the same transaction: none of
    /// them works again, even if the user is enabled later (it signs in again and is issued new tokens).
    public func update(id: UUID, displayName: String?, role: Role?, disabled: Bool?, now: Date = Date()) async throws -> User? {
        try await database.transaction { database in
            let users = UserRepository(database: database)
            guard var user = try await users.find(id: id) else { return nil }
            user.displayName = displayName ?? user.displayName
            user.role = role ?? user.role
            user.disabled = disabled ?? user.disabled
            try await database.sql.update("users").set("display_name", to: user.displayName).set("role", to: user.role.rawValue)
                .set("disabled", to: user.disabled).where("id", .equal, id).run()
            if disabled == true {
                try await database.sql.update("sessions").set("ended_at", to: now.millisecondPrecision).where("user_id", .equal, id)
                    .where("ended_at", .is, SQLLiteral.null).run()
                try await database.sql.update("api_tokens").set("revoked_at", to: now.millisecondPrecision).where("owner_id", .equal, id)
                    .where("revoked_at", .is, SQLLiteral.null).run()
            }
            return user
        }
    }
}

/// A `users` table row.
struct UserRow: Codable, Sendable {
    var id: UUID
    var username: String
    var displayName: String
    var role: String
    var partnerId: UUID?
    var passwordHash: String
    var disabled: Bool
    var failedLogins: Int
    var lockedUntil: Date?
    var createdAt: Date
    var mfaSecret: String?
    var mfaPendingSecret: String?
    var mfaEnrolledAt: Date?
    var mfaLastStep: Int64?
    var lastSignInAt: Date?
    var failuresSince: Date?
    var lockedAt: Date?

    var user: User {
        User(id: id, username: username, displayName: displayName, role: Role(rawValue: role) ?? .partner,
             partnerID: partnerId, disabled: disabled, createdAt: createdAt.millisecondPrecision)
    }

    var credentials: UserCredentials {
        UserCredentials(
            user: user, passwordHash: passwordHash, failedLogins: failedLogins, lockedUntil: lockedUntil?.millisecondPrecision,
            lockedAt: lockedAt?.millisecondPrecision, sealedMFASecret: mfaSecret, mfaLastStep: mfaLastStep)
    }
}
