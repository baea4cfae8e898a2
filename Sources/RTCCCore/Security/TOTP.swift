import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA-1, as every authenticator app reads them
/// from an `otpauth://` URI): the second factor staff sign in with.
public struct TOTP: Sendable, Equatable {
    /// The shared secret (20 random bytes when generated here).
    public let secret: [UInt8]
    /// Digits in a code.
    public let digits: Int
    /// Seconds a code is valid for.
    public let period: Int

    /// A generator over `secret`.
    public init(secret: [UInt8], digits: Int = 6, period: Int = 30) {
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A new random 160-bit secret (the size RFC 4226 recommends for HMAC-SHA-1).
    public static func generateSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The time step `date` falls in.
    public func counter(at date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970.rounded(.down))) / UInt64(period)
    }

    /// The code of time step `counter` (RFC 4226 dynamic truncation), zero-padded to ``digits``.
    public func code(counter: UInt64) -> String {
        var message = counter.bigEndian
        let mac = withUnsafeBytes(of: &message) { HMAC<Insecure.SHA1>.authenticationCode(for: Data($0), using: SymmetricKey(data: secret)) }
        let bytes = Array(mac)
        let offset = Int(bytes[bytes.count - 1] & 0x0F)
        let binary = (UInt32(bytes[offset] & 0x7F) << 24) | (UInt32(bytes[offset + 1]) << 16) | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The code valid at `date`.
    public func code(at date: Date) -> String { code(counter: counter(at: date)) }

    /// The time step whose code is `code`, looking `window` steps either side of `date` (for clocks a little apart), or
    /// nil. The caller keeps the last step it accepted and refuses any step not after it, so each code works once.
    public func matchingCounter(_ code: String, at date: Date, window: Int = 1) -> UInt64? {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let now = counter(at: date)
        for step in -window...window {
            let candidate = step < 0 ? now.subtractingReportingOverflow(UInt64(-step)) : now.addingReportingOverflow(UInt64(step))
            guard !candidate.overflow else { continue }
            if constantTimeEqual(self.code(counter: candidate.partialValue), typed) { return candidate.partialValue }
        }
        return nil
    }

    /// The `otpauth://totp/…` URI an authenticator app enrols from (shown as a QR code).
    public func uri(account: String, issuer: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: allowed.union(CharacterSet(charactersIn: ":"))) ?? account
        let issuerParameter = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerParameter)&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// RFC 4648 base 32 (upper-case alphabet, no padding written; padding, spaces and lower case accepted when read), the
/// form TOTP secrets are typed and shared in.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// `bytes` in base 32 without padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes `text` encodes, or nil when it holds a character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: "=") && character != UInt8(ascii: " ") && character != UInt8(ascii: "-") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}
