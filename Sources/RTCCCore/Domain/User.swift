import Foundation

/// A person who signs in to the RTCC.
public struct User: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// Sign-in name (lower-case letters, digits, `.`, `_`, `-`).
    public var username: String
    /// Name shown in the UI and the audit log.
    public var displayName: String
    /// Role.
    public var role: Role
    /// For partner users, the partner they belong to.
    public var partnerID: UUID?
    /// Disabled users cannot sign in.
    public var disabled: Bool
    /// Creation time.
    public var createdAt: Date

    /// Creates a user value.
    public init(id: UUID, username: String, displayName: String, role: Role, partnerID: UUID?, disabled: Bool, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.partnerID = partnerID
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// Checks a user name: 2-64 characters of `a-z 0-9 . _ -`.
    public static func validateUsername(_ name: String) throws(ValidationError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        if name.count < 2 || name.count > 64 || !name.allSatisfy({ allowed.contains($0) }) {
            throw ValidationError(field: "username", reason: "must be 2-64 characters of a-z, 0-9, '.', '_' or '-'")
        }
    }

    /// Checks a password: 12-256 characters.
    public static func validatePassword(_ password: String) throws(ValidationError) {
        if password.count < 12 || password.count > 256 {
            throw ValidationError(field: "password", reason: "must be 12-256 characters")
        }
    }
}

/// A user as the administration screens list it: the ``User`` fields with the account's sign-in state.
public struct UserSummary: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// Sign-in name.
    public var username: String
    /// Name shown in the UI and the audit log.
    public var displayName: String
    /// Role.
    public var role: Role
    /// For partner users, the partner they belong to.
    public var partnerID: UUID?
    /// Disabled users cannot sign in.
    public var disabled: Bool
    /// Creation time.
    public var createdAt: Date
    /// Whether sign-in is refused now because of failed attempts.
    public var locked: Bool
    /// When the lock lapses by itself; nil when it lasts until an administrator unlocks the account (or when unlocked).
    public var lockedUntil: Date?
    /// Whether a second factor (TOTP) is enrolled.
    public var mfaEnrolled: Bool
    /// The last successful sign-in.
    public var lastSignInAt: Date?

    /// The summary of `user`.
    public init(user: User, locked: Bool, lockedUntil: Date?, mfaEnrolled: Bool, lastSignInAt: Date?) {
        id = user.id
        username = user.username
        displayName = user.displayName
        role = user.role
        partnerID = user.partnerID
        disabled = user.disabled
        createdAt = user.createdAt
        self.locked = locked
        self.lockedUntil = lockedUntil
        self.mfaEnrolled = mfaEnrolled
        self.lastSignInAt = lastSignInAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, username, displayName, role, partnerID, disabled, createdAt, locked, lockedUntil, mfaEnrolled, lastSignInAt
    }

    /// Writes `lockedUntil` and `lastSignInAt` as `null` when absent, so every summary has the same members.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(username, forKey: .username)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(role, forKey: .role)
        try container.encodeIfPresent(partnerID, forKey: .partnerID)
        try container.encode(disabled, forKey: .disabled)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(locked, forKey: .locked)
        try container.encode(lockedUntil, forKey: .lockedUntil)
        try container.encode(mfaEnrolled, forKey: .mfaEnrolled)
        try container.encode(lastSignInAt, forKey: .lastSignInAt)
    }
}
