import Foundation
import RTCCCore

/// The rules a new password must meet: ``User/validatePassword(_:)``'s length, not the user name, and not one of the
/// commonly chosen passwords shipped in `Resources/common-passwords.txt` (compared without regard to case).
struct PasswordPolicy: Sendable {
    /// The shipped list could not be read (a broken installation): passwords cannot be checked, so none is accepted.
    struct ListMissing: Error, CustomStringConvertible {
        var description: String { "the list of common passwords (Resources/common-passwords.txt) is missing from the installation" }
    }

    /// The refused passwords, lower-cased.
    let common: Set<String>

    /// The policy with the shipped list, read once.
    static func shipped() throws -> PasswordPolicy {
        switch shippedList {
        case .success(let common): return PasswordPolicy(common: common)
        case .failure(let error): throw error
        }
    }

    private static let shippedList: Result<Set<String>, ListMissing> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return .failure(ListMissing()) }
        return .success(parse(text))
    }()

    /// The entries of a list: one password a line, `#` lines and blank lines skipped.
    static func parse(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { $0.lowercased() })
    }

    /// Every way `password` breaks the policy, as errors on `field` (empty when it is acceptable).
    func problems(_ password: String, username: String, field: String = "password") -> [FieldError] {
        do {
            try User.validatePassword(password)
        } catch {
            return error.errors.map { FieldError(field: field, reason: $0.reason) }
        }
        if common.contains(password.lowercased()) {
            return [FieldError(field: field, reason: "is one of the most commonly chosen passwords; choose a less predictable one (a few unrelated words work well)")]
        }
        if username.count >= 4, password.lowercased().contains(username.lowercased()) {
            return [FieldError(field: field, reason: "must not contain the user name")]
        }
        return []
    }
}
