import Crypto
import Foundation

/// The Ed25519 key that signs evidence manifests, stored as a PEM PKCS#8 private key file
/// (RFC 8410, the form `openssl genpkey -algorithm ed25519` writes) readable by its owner only.
public struct SigningKey: Sendable {
    /// The raw 32-byte private key (the crypto library's key type is not `Sendable`).
    private let privateBytes: Data
    /// The raw 32-byte public key.
    public let publicKeyBytes: Data

    /// Wraps an existing private key.
    public init(privateKey: Curve25519.Signing.PrivateKey) {
        privateBytes = privateKey.rawRepresentation
        publicKeyBytes = privateKey.publicKey.rawRepresentation
    }

    /// Creates a new random key (not stored).
    public static func generate() -> SigningKey {
        SigningKey(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Loads the key at `url`, or creates one there (mode 0600, folders created) when no file exists.
    public static func loadOrCreate(at url: URL) throws(EvidenceError) -> SigningKey {
        if FileManager.default.fileExists(atPath: url.path) { return try load(from: url) }
        let key = generate()
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(path: url.deletingLastPathComponent().path, reason: "\(error)")
        }
        let created = manager.createFile(
            atPath: url.path, contents: Data(key.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw .fileSystem(path: url.path, reason: "cannot create the key file") }
        return key
    }

    /// Loads a PEM PKCS#8 Ed25519 private key; refuses a file that others may read.
    public static func load(from url: URL) throws(EvidenceError) -> SigningKey {
        let text: String
        let permissions: Int
        do {
            text = try String(contentsOf: url, encoding: .utf8)
            permissions = (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? 0
        } catch {
            throw .fileSystem(path: url.path, reason: "\(error)")
        }
        guard permissions & 0o077 == 0 else { throw .insecureKeyFile(path: url.path, mode: permissions) }
        guard let der = PEM.decode(text, label: "PRIVATE KEY"), der.count == DER.privateKeyPrefix.count + 32,
            Array(der.prefix(DER.privateKeyPrefix.count)) == DER.privateKeyPrefix,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        else { throw .invalidKeyFile(path: url.path) }
        return SigningKey(privateKey: key)
    }

    /// The private key as PEM PKCS#8.
    public var privateKeyPEM: String {
        PEM.encode(DER.privateKeyPrefix + [UInt8](privateBytes), label: "PRIVATE KEY")
    }

    /// The public key as a PEM SubjectPublicKeyInfo, as `openssl pkeyutl -pubin` reads it.
    public var publicKeyPEM: String { PEM.encode(DER.publicKeyPrefix + [UInt8](publicKeyBytes), label: "PUBLIC KEY") }

    /// The fingerprint: hex SHA-256 of the raw 32-byte public key.
    public var fingerprint: String { Hex.string(SHA256.hash(data: publicKeyBytes)) }

    /// Signs `data`.
    public func signature(for data: Data) throws(EvidenceError) -> Data {
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: privateBytes).signature(for: data)
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
    }

    /// A public key as PEM SubjectPublicKeyInfo.
    public static func publicKeyPEM(_ key: Curve25519.Signing.PublicKey) -> String {
        PEM.encode(DER.publicKeyPrefix + [UInt8](key.rawRepresentation), label: "PUBLIC KEY")
    }

    /// Reads a PEM SubjectPublicKeyInfo holding an Ed25519 key; nil when it is anything else.
    public static func publicKey(fromPEM text: String) -> Curve25519.Signing.PublicKey? {
        guard let der = PEM.decode(text, label: "PUBLIC KEY"), der.count == DER.publicKeyPrefix.count + 32,
            Array(der.prefix(DER.publicKeyPrefix.count)) == DER.publicKeyPrefix
        else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32))
    }

    /// The hex SHA-256 of a public key's raw bytes.
    public static func fingerprint(of key: Curve25519.Signing.PublicKey) -> String {
        Hex.string(SHA256.hash(data: key.rawRepresentation))
    }
}

/// The fixed DER headers of Ed25519 keys (RFC 8410: algorithm identifier 1.3.101.112, no parameters).
enum DER {
    /// PrivateKeyInfo version 0, the algorithm, and an OCTET STRING holding the 32-byte OCTET STRING key.
    static let privateKeyPrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// SubjectPublicKeyInfo: the algorithm and a BIT STRING with no unused bits.
    static let publicKeyPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
}

/// PEM text armour (RFC 7468).
enum PEM {
    static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Array(Data(der).base64EncodedString())
        var lines = ["-----BEGIN \(label)-----"]
        var start = 0
        while start < base64.count {
            lines.append(String(base64[start..<min(start + 64, base64.count)]))
            start += 64
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    static func decode(_ text: String, label: String) -> [UInt8]? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN \(label)-----"), let end = lines.firstIndex(of: "-----END \(label)-----"),
            begin < end, let data = Data(base64Encoded: lines[(begin + 1)..<end].joined())
        else { return nil }
        return [UInt8](data)
    }
}

/// Lower-case hexadecimal.
enum Hex {
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
