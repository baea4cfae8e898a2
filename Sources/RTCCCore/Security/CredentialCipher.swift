import Crypto
import Foundation

/// Encrypts stream credentials at rest with AES-256-GCM under a key from configuration.
public struct CredentialCipher: Sendable {
    /// Why a cipher could not be made or a value could not be opened.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The configured key is not 32 bytes of base64.
        case badKey
        /// The stored value was not sealed with this key or was altered.
        case cannotOpen

        /// Explains what to do.
        public var description: String {
            switch self {
            case .badKey: return "credential key must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"
            case .cannotOpen: return "stored credentials cannot be decrypted: was the credential key changed?"
            }
        }
    }

    /// The raw key bytes (`SymmetricKey` itself is not `Sendable`).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Creates a cipher from a base64-encoded 32-byte key.
    public init(base64Key: String) throws(Failure) {
        guard let data = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw .badKey
        }
        keyBytes = data
    }

    /// A fresh random key in base64.
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Seals a value; the result is base64 of nonce‖ciphertext‖tag.
    public func seal<T: Encodable>(_ value: T) throws -> String {
        let plain = try JSONEncoder().encode(value)
        guard let combined = try AES.GCM.seal(plain, using: key).combined else { throw Failure.cannotOpen }
        return combined.base64EncodedString()
    }

    /// Opens a value sealed by ``seal(_:)``.
    public func open<T: Decodable>(_ type: T.Type, from sealed: String) throws -> T {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key)
        else { throw Failure.cannotOpen }
        return try JSONDecoder().decode(T.self, from: plain)
    }
}

/// Stream credentials for both streams of a camera, sealed as one value.
public struct CameraSecrets: Codable, Sendable, Hashable {
    /// Main stream credentials.
    public var main: StreamCredentials?
    /// Sub stream credentials.
    public var sub: StreamCredentials?
    /// Whether the camera may be sent Basic credentials over plain RTSP (nil, read as false, in values sealed before
    /// the setting existed).
    public var allowPlainBasicAuth: Bool?

    /// Creates the pair.
    public init(main: StreamCredentials?, sub: StreamCredentials?, allowPlainBasicAuth: Bool = false) {
        self.main = main
        self.sub = sub
        self.allowPlainBasicAuth = allowPlainBasicAuth ? true : nil
    }

    /// Whether neither stream has credentials.
    public var isEmpty: Bool { main == nil && sub == nil }
}

/// Random tokens and their one-way digests, for sessions and API tokens.
public enum SecretToken {
    /// A random URL-safe token with `prefix`, carrying 256 bits.
    public static func generate(prefix: String = "") -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let text = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// SHA-256 of a token, hex: what is stored instead of the token.
    public static func digest(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}
