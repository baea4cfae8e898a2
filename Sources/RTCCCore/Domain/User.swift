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
