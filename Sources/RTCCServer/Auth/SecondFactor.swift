import Foundation
import RTCCCore
import RTCCStore

/// The TOTP second factor (RFC 6238, 6 digits every 30 s, HMAC-SHA-1) and its one-time recovery codes.
///
/// Secrets are sealed with the credential key before they are stored, like camera stream credentials. A code is
/// accepted for the current time step or one either side (clocks a little apart), and only for a step later than the
/// last one accepted, so each code works once. Recovery codes carry 50 random bits each and only their SHA-256 digest
/// is kept; each works once.
struct SecondFactor: Sendable {
    let cipher: CredentialCipher
    /// The issuer shown in authenticator apps.
    static let issuer = "OpenRTCC"
    /// Recovery codes issued at enrolment.
    static let recoveryCodeCount = 10
    /// Time steps either side of now whose codes are accepted.
    static let window = 1

    /// How a sign-in's code was accepted, or that it was not.
    enum Outcome: Equatable {
        case code
        case recoveryCode
        case refused
    }

    /// A new random secret, and its sealed form for the database.
    func newSecret() throws -> (secret: [UInt8], sealed: String) {
        let secret = TOTP.generateSecret()
        return (secret, try cipher.seal(secret))
    }

    /// The secret sealed by ``newSecret()``.
    func open(_ sealed: String) throws -> [UInt8] { try cipher.open([UInt8].self, from: sealed) }

    /// The `otpauth://` URI an authenticator app enrols from.
    static func uri(secret: [UInt8], username: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let account = username.addingPercentEncoding(withAllowedCharacters: allowed) ?? username
        return "otpauth://totp/\(issuer):\(account)?secret=\(Base32.encode(secret))&issuer=\(issuer)&digits=6&period=30&algorithm=SHA1"
    }

    /// The time step whose code `code` is, within the window around `now`, or nil.
    static func matchingStep(_ code: String, secret: [UInt8], now: Date) -> Int64? {
        TOTP(secret: secret).matchingCounter(code, at: now, window: window).map { Int64($0) }
    }

    /// Whether `code` looks like a TOTP code (six digits, spaces allowed) rather than a recovery code.
    static func isTOTPCode(_ code: String) -> Bool {
        let digits = code.filter { !$0.isWhitespace }
        return digits.count == 6 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Checks a sign-in's `code` for `account`: a TOTP code not used before, or an unused recovery code (then used up).
    func verify(_ code: String, account: UserCredentials, users: UserRepository, now: Date = Date()) async throws -> Outcome {
        guard let sealed = account.sealedMFASecret else { return .refused }
        if Self.isTOTPCode(code) {
            guard let step = Self.matchingStep(code, secret: try open(sealed), now: now) else { return .refused }
            return try await users.acceptMFAStep(id: account.user.id, step: step) ? .code : .refused
        }
        let used = try await users.useRecoveryCode(userID: account.user.id, codeHash: Self.digest(recoveryCode: code), now: now)
        return used ? .recoveryCode : .refused
    }

    /// Ten new recovery codes such as `k7mq2-x4bte` (50 random bits each).
    static func newRecoveryCodes() -> [String] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var generator = SystemRandomNumberGenerator()
        return (0..<recoveryCodeCount).map { _ in
            let characters = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            return String(characters[0..<5]) + "-" + String(characters[5...])
        }
    }

    /// The digest stored for a recovery code: typed case, spaces and dashes do not matter.
    static func digest(recoveryCode: String) -> String {
        SecretToken.digest(recoveryCode.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }
}
