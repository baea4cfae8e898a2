import Foundation
import Logging
import RTCCCore
import RTCCEvidence
import RTCCStore
import ServiceLifecycle

extension AppConfig {
    /// Signed checkpoints of the audit log's head, one JSON line each: `<data>/audit-checkpoints.jsonl`.
    public var auditCheckpointFile: URL { URL(fileURLWithPath: dataDirectory).appendingPathComponent("audit-checkpoints.jsonl") }
}

/// The audit log's signed checkpoints, kept beside the data and signed with the server's Ed25519 key (the one that
/// signs evidence), and the verification that reads the database's chain against them.
public struct AuditCheckpoints: Sendable {
    /// The checkpoint file.
    public let file: AuditCheckpointFile
    /// The server's signing key.
    public let keyURL: URL

    /// Checkpoints of the data directory `config` names.
    public init(config: AppConfig) {
        self.init(file: config.auditCheckpointFile, keyURL: config.evidenceSigningKey)
    }

    /// Checkpoints in `file`, signed with the key at `keyURL`.
    public init(file: URL, keyURL: URL) {
        self.file = AuditCheckpointFile(url: file)
        self.keyURL = keyURL
    }

    /// Signs the log's current head and appends it to the file; nil when the log is empty. The key is created on first
    /// use (mode 0600) like the evidence key it is.
    @discardableResult
    public func write(_ audit: AuditLog, at now: Date = Date()) async throws -> AuditCheckpoint? {
        guard let head = try await audit.head() else { return nil }
        let key = try SigningKey.loadOrCreate(at: keyURL)
        let moment = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let signature = try key.signature(for: AuditCheckpoint.signedText(sequence: head.sequence, hash: head.hash, at: moment))
        let checkpoint = AuditCheckpoint(
            sequence: head.sequence, hash: head.hash, at: moment, key: key.publicKeyBytes.base64EncodedString(),
            signature: signature.base64EncodedString())
        try file.append(checkpoint)
        return checkpoint
    }

    /// The newest checkpoint signed by this server's key, or nil when there is none (or no key yet).
    public func newest() throws -> AuditCheckpoint? {
        guard FileManager.default.fileExists(atPath: keyURL.path) else { return nil }
        return try file.read(trusting: try SigningKey.load(from: keyURL).publicKeyBytes).checkpoints.max { $0.at < $1.at }
    }

    /// Walks the whole chain against every checkpoint signed by this server's key and reports every break: changed,
    /// inserted or deleted entries, a trimmed end or an emptied table, and checkpoint lines that were changed or forged.
    public func verify(_ audit: AuditLog) async throws -> AuditVerification {
        guard FileManager.default.fileExists(atPath: keyURL.path) else {
            var result = try await audit.verify()
            if FileManager.default.fileExists(atPath: file.url.path) {
                result.breaks.append(AuditBreak(
                    sequence: 0, reason: "the checkpoints cannot be checked: the server's signing key \(keyURL.lastPathComponent) is missing"))
            }
            return result
        }
        let key = try SigningKey.load(from: keyURL)
        let (checkpoints, problems) = try file.read(trusting: key.publicKeyBytes)
        var result = try await audit.verify(against: checkpoints)
        result.breaks = problems + result.breaks
        return result
    }
}

/// Writes a checkpoint of the audit log every `interval` while entries are being added, and a last one at shutdown,
/// so at most `interval` of the newest entries could be removed unseen.
public struct AuditCheckpointService: Service {
    let audit: AuditLog
    let checkpoints: AuditCheckpoints
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(audit: AuditLog, checkpoints: AuditCheckpoints, interval: Duration, logger: Logger) {
        self.audit = audit
        self.checkpoints = checkpoints
        self.interval = interval
        self.logger = logger
    }

    /// Checkpoints now and then every `interval` until shut down, then once more.
    public func run() async throws {
        let sealed = SealedHead()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await checkpoint(sealed)
                do { try await Task.sleep(for: interval) } catch { break }
            }
        }
        await checkpoint(sealed)
    }

    private func checkpoint(_ sealed: SealedHead) async {
        do {
            guard let head = try await audit.head(), await !sealed.holds(head.sequence, head.hash) else { return }
            if let written = try await checkpoints.write(audit) { await sealed.update(written) }
        } catch {
            logger.error("the audit checkpoint could not be written; deletions from the end of the audit log cannot be detected until it is",
                         metadata: ["error": "\(String(reflecting: error))", "file": "\(checkpoints.file.url.path)"])
        }
    }

    /// The head the newest checkpoint holds.
    private actor SealedHead {
        var sequence: Int64 = 0
        var hash = ""
        func holds(_ sequence: Int64, _ hash: String) -> Bool { self.sequence == sequence && self.hash == hash }
        func update(_ checkpoint: AuditCheckpoint) {
            sequence = checkpoint.sequence
            hash = checkpoint.hash
        }
    }
}
