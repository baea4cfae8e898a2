import Foundation
import RTCCCore

/// Which set of account rules the server applies (docs/SECURITY.md, "Security profiles").
public enum SecurityProfile: String, Sendable, Equatable, CaseIterable {
    /// Lockout per account and address for `lockoutSeconds`; no absolute session limit; a notice is optional.
    case standard
    /// The FBI CJIS Security Policy's rules: 5 failures in 15 minutes lock the account until an administrator unlocks
    /// it (5.5.3 AC-7), sign-in again every 12 hours (5.5.5), a system-use notice before sign-in (5.5.4 AC-8).
    case cjis
}

extension AppConfig {
    /// The roles `rtcc serve` requires a second factor of when `mfaRequiredRoles` is not set: every staff role.
    public static let staffRoles: Set<Role> = [.admin, .supervisor, .analyst, .officer, .auditor]

    /// The longest a session lasts in the cjis profile when `sessionMaxSeconds` is not set (12 hours).
    public static let cjisSessionMaxSeconds = 43_200

    /// Roles that must sign in with a second factor.
    public var effectiveMFARoles: Set<Role> { mfaRequiredRoles ?? [] }

    /// Seconds after sign-in that a session ends however active it is, or nil for no limit.
    public var effectiveSessionMaxSeconds: Int? {
        sessionMaxSeconds ?? (securityProfile == .cjis ? Self.cjisSessionMaxSeconds : nil)
    }

    /// How long the cjis profile's account lockout lasts: `lockoutSeconds` when set, otherwise until an administrator
    /// unlocks the account (nil).
    public var accountLockoutSeconds: TimeInterval? { lockoutSecondsIsSet ? TimeInterval(lockoutSeconds) : nil }

    /// Sets one of the account settings; returns false when `setting` is not one of them.
    mutating func setAccountSetting(_ setting: String, _ value: String, from origin: String) throws(Invalid) -> Bool {
        switch setting {
        case "securityProfile":
            guard let profile = SecurityProfile(rawValue: value.lowercased()) else {
                throw Invalid(description: "\(origin): '\(value)' must be one of \(SecurityProfile.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            securityProfile = profile
        case "mfaRequiredRoles":
            // A comma-separated list ("admin,supervisor"), or a JSON array read from a config file; empty for none.
            let names = value.split(whereSeparator: { ",\n[]()\"".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var roles = Set<Role>()
            for name in names {
                guard let role = Role(rawValue: name.lowercased()) else {
                    throw Invalid(description: "\(origin): '\(name)' is not a role; use a comma-separated list of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), or empty for none")
                }
                roles.insert(role)
            }
            mfaRequiredRoles = roles
        case "systemUseNotice":
            let notice = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard notice.count <= 4000 else { throw Invalid(description: "\(origin): the notice is \(notice.count) characters; at most 4000 are shown") }
            systemUseNotice = notice.isEmpty ? nil : notice
        case "sessionMaxSeconds":
            guard let seconds = Int(value), (300...604_800).contains(seconds) else {
                throw Invalid(description: "\(origin): '\(value)' must be a whole number of seconds from 300 to 604800")
            }
            sessionMaxSeconds = seconds
        default: return false
        }
        return true
    }

    /// Checks the account settings against the profile.
    func validateAccountSettings() throws(Invalid) {
        guard securityProfile == .cjis else { return }
        if systemUseNotice?.isEmpty ?? true {
            throw Invalid(description: """
                securityProfile cjis requires a system-use notice (CJIS Security Policy 5.5.4, AC-8), shown before sign-in: \
                set systemUseNotice in the config file or RTCC_SYSTEM_USE_NOTICE, e.g. "You are accessing a criminal justice \
                information system; use is monitored and limited to authorised purposes."
                """)
        }
        if let max = effectiveSessionMaxSeconds, max > Self.cjisSessionMaxSeconds {
            throw Invalid(description: "sessionMaxSeconds is \(max); the cjis profile allows at most \(Self.cjisSessionMaxSeconds) (sign in again every 12 hours)")
        }
        if sessionIdleSeconds > 1800 {
            throw Invalid(description: "sessionIdleSeconds is \(sessionIdleSeconds); the cjis profile allows at most 1800 (the 30-minute session lock, 5.5.5)")
        }
        if maxFailedLogins > 5 {
            throw Invalid(description: "maxFailedLogins is \(maxFailedLogins); the cjis profile allows at most 5 (5.5.3, AC-7)")
        }
    }
}
