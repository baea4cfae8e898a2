import Crypto
import Foundation

/// A signed statement of the audit log's head at a moment: "the log then held `sequence` entries and its last hash was
/// `hash`". Checkpoints are kept outside the database (``AuditCheckpointFile``), so whoever can rewrite the database
/// still cannot delete entries from its end, empty it, or remove an entry and recompute the chain without the
/// verification noticing.
public struct AuditCheckpoint: Codable, Sendable, Hashable {
    /// The head entry's sequence: how many entries the log held.
    public var sequence: Int64
    /// The head entry's hash.
    public var hash: String
    /// When the checkpoint was taken (whole seconds).
    public var at: Date
    /// The signer's raw Ed25519 public key, base64.
    public var key: String
    /// Ed25519 signature over ``signedText``, base64.
    public var signature: String

    /// Creates a checkpoint from its parts (the signature is not checked here).
    public init(sequence: Int64, hash: String, at: Date, key: String, signature: String) {
        self.sequence = sequence
        self.hash = hash
        self.at = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
        self.key = key
        self.signature = signature
    }

    /// The exact bytes that are signed.
    public static func signedText(sequence: Int64, hash: String, at: Date) -> Data {
        Data("openrtcc audit checkpoint v1\nsequence \(sequence)\nhash \(hash)\nat \(UTCTimestamp.string(at))\n".utf8)
    }

    /// Signs the head `sequence`/`hash` at `at` with an Ed25519 private key.
    public static func signed(sequence: Int64, hash: String, at: Date, with key: Curve25519.Signing.PrivateKey) throws -> AuditCheckpoint {
        let moment = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
        let signature = try key.signature(for: signedText(sequence: sequence, hash: hash, at: moment))
        return AuditCheckpoint(
            sequence: sequence, hash: hash, at: moment, key: key.publicKey.rawRepresentation.base64EncodedString(),
            signature: signature.base64EncodedString())
    }

    /// True when the checkpoint carries the raw Ed25519 public key `publicKey` and its signature is that key's over
    /// ``signedText``.
    public func isSigned(by publicKey: Data) -> Bool {
        guard key == publicKey.base64EncodedString(), let signature = Data(base64Encoded: signature),
            let verifier = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return false }
        return verifier.isValidSignature(signature, for: Self.signedText(sequence: sequence, hash: hash, at: at))
    }
}

/// The file of checkpoints beside the data: one JSON object a line, only ever appended (and synced to disk), readable
/// and writable by the server's user only.
public struct AuditCheckpointFile: Sendable {
    /// Where the file is.
    public let url: URL

    /// Names the file at `url` (it need not exist yet).
    public init(url: URL) { self.url = url }

    /// Why the file could not be written or read.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        /// What went wrong and with which file.
        public var description: String
    }

    /// Appends `checkpoint` as one line and syncs it to disk.
    public func append(_ checkpoint: AuditCheckpoint) throws(FileError) {
        var line: Data
        do {
            line = try JSONCoding.encoder.encode(checkpoint)
        } catch {
            throw FileError(description: "cannot encode an audit checkpoint: \(error)")
        }
        line.append(UInt8(ascii: "\n"))
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FileError(description: "cannot create \(folder.path) for the audit checkpoints: \(error)")
        }
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileError(description: "cannot open \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw FileError(description: "cannot write \(url.path): \(String(cString: strerror(errno)))") }
        guard fsync(descriptor) == 0 else { throw FileError(description: "cannot sync \(url.path): \(String(cString: strerror(errno)))") }
    }

    /// The checkpoints signed by `publicKey` (a raw Ed25519 public key), and a break for every line that is not one (changed, forged or
    /// unreadable). A missing file holds no checkpoints.
    public func read(trusting publicKey: Data) throws(FileError) -> (checkpoints: [AuditCheckpoint], problems: [AuditBreak]) {
        guard FileManager.default.fileExists(atPath: url.path) else { return ([], []) }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw FileError(description: "cannot read the audit checkpoints in \(url.path): \(error)")
        }
        var checkpoints: [AuditCheckpoint] = []
        var problems: [AuditBreak] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let number = index + 1
            guard let checkpoint = try? JSONCoding.decoder.decode(AuditCheckpoint.self, from: Data(line.utf8)) else {
                problems.append(AuditBreak(sequence: 0, reason: "line \(number) of \(url.lastPathComponent) is not a checkpoint (the file was changed)"))
                continue
            }
            guard checkpoint.isSigned(by: publicKey) else {
                problems.append(AuditBreak(
                    sequence: checkpoint.sequence,
                    reason: "the checkpoint on line \(number) of \(url.lastPathComponent) is not signed by this server's key (forged or changed)"))
                continue
            }
            checkpoints.append(checkpoint)
        }
        return (checkpoints, problems)
    }
}
