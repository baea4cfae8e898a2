import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A user with the account state the administration screens show.
public struct AccountState: Sendable, Equatable {
    /// The user.
    public var user: User
    /// Failed sign-ins in the current window.
    public var failedLogins: Int
    /// When the account-wide lockout began; nil when not locked that way.
    public var lockedAt: Date?
    /// When that lockout lapses by itself; nil while it lasts until an administrator unlocks the account.
    public var lockedUntil: Date?
    /// When the second factor was enrolled; nil when none is.
    public var mfaEnrolledAt: Date?
    /// The last successful sign-in.
    public var lastSignInAt: Date?

    /// Whether the account-wide lockout refuses sign-in at `now`.
    public func isLocked(at now: Date = Date()) -> Bool { Self.isLocked(lockedAt: lockedAt, lockedUntil: lockedUntil, at: now) }

    /// A lock begun at `lockedAt` holds until `lockedUntil`, or until it is cleared when that is nil.
    static func isLocked(lockedAt: Date?, lockedUntil: Date?, at now: Date) -> Bool {
        guard lockedAt != nil else { return false }
        return lockedUntil.map { $0 > now } ?? true
    }
}

/// The result of counting a failed sign-in against an account.
public struct FailedSignIn: Sendable, Equatable {
    /// Failures in the current window, this one included.
    public var failures: Int
    /// Whether this failure locked the account.
    public var lockedNow: Bool
}

extension UserRepository {
    /// Every user with its account state, ordered by name.
    public func accountStates() async throws -> [AccountState] {
        try await database.sql.select().column("*").from("users").orderBy("username")
            .all(decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.accountState)
    }

    /// One user's account state, or nil when there is no such user.
    public func accountState(id: UUID) async throws -> AccountState? {
        try await database.sql.select().column("*").from("users").where("id", .equal, id)
            .first(decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.accountState
    }

    /// Records a successful sign-in: clears the failures and any lapsed lock, and keeps the time.
    public func recordSuccessfulSignIn(id: UUID, now: Date = Date()) async throws {
        try await database.sql.update("users").set("failed_logins", to: 0).set("failures_since", to: Date?.none)
            .set("locked_until", to: Date?.none).set("locked_at", to: Date?.none).set("last_sign_in_at", to: now.millisecondPrecision)
            .where("id", .equal, id).run()
    }

    /// Counts a failed sign-in in a window of `window` seconds that starts at the first failure, and locks the account
    /// when the count reaches `limit`: until `now + lockFor`, or until an administrator unlocks it when `lockFor` is nil.
    ///
    /// The count is changed by one statement, so failures arriving together are all counted.
    public func recordFailedSignIn(
        id: UUID, window: TimeInterval, limit: Int, lockFor: TimeInterval?, now: Date = Date()
    ) async throws -> FailedSignIn {
        let now = now.millisecondPrecision
        let start = now.addingTimeInterval(-window)
        let rows = try await database.sql.raw("""
            UPDATE users SET
              failed_logins = CASE WHEN failures_since IS NULL OR failures_since < \(bind: start) THEN 1 ELSE failed_logins + 1 END,
              failures_since = CASE WHEN failures_since IS NULL OR failures_since < \(bind: start) THEN \(bind: now) ELSE failures_since END
            WHERE id = \(bind: id) RETURNING failed_logins
            """).all()
        guard let row = rows.first else { throw StoreError.notFound("user \(id)") }
        let failures = try row.decode(column: "failed_logins", as: Int.self)
        guard failures >= limit else { return FailedSignIn(failures: failures, lockedNow: false) }
        let locked = try await database.sql.update("users").set("locked_at", to: now).set("locked_until", to: lockFor.map { now.addingTimeInterval($0) })
            .where("id", .equal, id).where("locked_at", .is, SQLLiteral.null).returning("id").all()
        return FailedSignIn(failures: failures, lockedNow: !locked.isEmpty)
    }

    /// Clears an account's lockout and failure count. Returns false when there is no such user.
    public func unlock(id: UUID) async throws -> Bool {
        let rows = try await database.sql.update("users").set("failed_logins", to: 0).set("failures_since", to: Date?.none)
            .set("locked_until", to: Date?.none).set("locked_at", to: Date?.none).where("id", .equal, id).returning("id").all()
        return !rows.isEmpty
    }

    /// Sets a new password hash by user id and clears any lockout. Returns false when there is no such user.
    public func setPassword(id: UUID, passwordHash: String) async throws -> Bool {
        let rows = try await database.sql.update("users").set("password_hash", to: passwordHash).set("failed_logins", to: 0)
            .set("failures_since", to: Date?.none).set("locked_until", to: Date?.none).set("locked_at", to: Date?.none)
            .where("id", .equal, id).returning("id").all()
        return !rows.isEmpty
    }

    // MARK: second factor

    /// Starts (or restarts) an enrolment with a sealed secret; an enrolled factor stays active until it is confirmed.
    /// Returns false when there is no such user.
    public func startMFAEnrolment(id: UUID, sealedSecret: String) async throws -> Bool {
        let rows = try await database.sql.update("users").set("mfa_pending_secret", to: sealedSecret).where("id", .equal, id)
            .returning("id").all()
        return !rows.isEmpty
    }

    /// The sealed secret of the enrolment in progress, or nil when none was started.
    public func pendingMFASecret(id: UUID) async throws -> String? {
        try await database.sql.select().column("*").from("users").where("id", .equal, id)
            .first(decoding: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.mfaPendingSecret
    }

    /// Makes the pending secret the user's second factor, with `step` as the last accepted time step (the code that
    /// confirmed it cannot sign in), and replaces the recovery codes with `recoveryCodeHashes`. Returns false when
    /// the pending secret is no longer `sealedSecret` (restarted meanwhile) or the user is gone.
    public func confirmMFAEnrolment(
        id: UUID, sealedSecret: String, step: Int64, recoveryCodeHashes: [String], now: Date = Date()
    ) async throws -> Bool {
        let now = now.millisecondPrecision
        return try await database.transaction { database in
            let updated = try await database.sql.update("users").set("mfa_secret", to: sealedSecret).set("mfa_pending_secret", to: String?.none)
                .set("mfa_enrolled_at", to: now).set("mfa_last_step", to: step)
                .where("id", .equal, id).where("mfa_pending_secret", .equal, sealedSecret).returning("id").all()
            guard !updated.isEmpty else { return false }
            try await database.sql.delete(from: "recovery_codes").where("user_id", .equal, id).run()
            let rows = recoveryCodeHashes.map { RecoveryCodeRow(id: UUID(), userId: id, codeHash: $0, createdAt: now, usedAt: nil) }
            if !rows.isEmpty { try await database.sql.insert(into: "recovery_codes").models(rows, with: rowEncoder).run() }
            return true
        }
    }

    /// Accepts TOTP time step `step` for the user when it is later than the last one accepted; false otherwise (a
    /// replayed or older code). One statement, so two requests with the same code cannot both succeed.
    public func acceptMFAStep(id: UUID, step: Int64) async throws -> Bool {
        let rows = try await database.sql.update("users").set("mfa_last_step", to: step).where("id", .equal, id)
            .where("mfa_secret", .isNot, SQLLiteral.null)
            .where { $0.where("mfa_last_step", .is, SQLLiteral.null).orWhere("mfa_last_step", .lessThan, step) }
            .returning("id").all()
        return !rows.isEmpty
    }

    /// Uses the unused recovery code whose digest is `codeHash`; false when there is none (wrong or already used).
    public func useRecoveryCode(userID: UUID, codeHash: String, now: Date = Date()) async throws -> Bool {
        let rows = try await database.sql.update("recovery_codes").set("used_at", to: now.millisecondPrecision)
            .where("user_id", .equal, userID).where("code_hash", .equal, codeHash).where("used_at", .is, SQLLiteral.null)
            .returning("id").all()
        return !rows.isEmpty
    }

    /// Drops the user's second factor, any enrolment in progress and every recovery code, so the next sign-in must
    /// enrol again. Returns false when there is no such user.
    public func resetMFA(id: UUID) async throws -> Bool {
        try await database.transaction { database in
            let rows = try await database.sql.update("users").set("mfa_secret", to: String?.none).set("mfa_pending_secret", to: String?.none)
                .set("mfa_enrolled_at", to: Date?.none).set("mfa_last_step", to: Int64?.none).where("id", .equal, id).returning("id").all()
            guard !rows.isEmpty else { return false }
            try await database.sql.delete(from: "recovery_codes").where("user_id", .equal, id).run()
            return true
        }
    }
}

/// A `recovery_codes` row: only a digest of each code is kept.
struct RecoveryCodeRow: Codable, Sendable {
    var id: UUID
    var userId: UUID
    var codeHash: String
    var createdAt: Date
    var usedAt: Date?
}

extension UserRow {
    var accountState: AccountState {
        AccountState(
            user: user, failedLogins: failedLogins, lockedAt: lockedAt?.millisecondPrecision, lockedUntil: lockedUntil?.millisecondPrecision,
            mfaEnrolledAt: mfaSecret == nil ? nil : mfaEnrolledAt?.millisecondPrecision, lastSignInAt: lastSignInAt?.millisecondPrecision)
    }
}
