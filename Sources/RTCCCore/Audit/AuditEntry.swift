import Crypto
import Foundation

/// One appended record of who did what, when, from where and why.
/// Entries are hash-chained: ``hash`` covers every field and the previous entry's hash.
public struct AuditEntry: Codable, Sendable, Hashable {
    /// Position in the chain, starting at 1, without holes.
    public var sequence: Int64
    /// When it happened (stored to the millisecond).
    public var at: Date
    /// Who: a user name, `token:<name>`, or `anonymous`.
    public var actor: String
    /// What, as a dotted verb: `auth.login`, `auth.login_failed`, `cameras.search`, `cameras.update`...
    public var action: String
    /// What it was done to, e.g. `camera:<uuid>`.
    public var target: String
    /// Remote address.
    public var source: String
    /// Purpose or case number given for the action, if any.
    public var purpose: String?
    /// Extra detail (a query, the fields changed).
    public var detail: String
    /// The previous entry's hash (64 zeros for the first).
    public var previousHash: String
    /// SHA-256 over this entry's canonical form, hex.
    public var hash: String

    /// The previous hash of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Creates an entry and computes its hash. Control characters in the text fields (a NUL in a user name typed at
    /// sign-in) are written as visible escapes first (``ControlCharacters/escaped(_:)``), so the entry holds, and its hash
    /// covers, exactly the text every database stores and reads back.
    public init(
        sequence: Int64, at: Date, actor: String, action: String, target: String, source: String,
        purpose: String?, detail: String, previousHash: String
    ) {
        self.sequence = sequence
        self.at = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000)
        self.actor = ControlCharacters.escaped(actor)
        self.action = ControlCharacters.escaped(action)
        self.target = ControlCharacters.escaped(target)
        self.source = ControlCharacters.escaped(source)
        self.purpose = purpose.map(ControlCharacters.escaped)
        self.detail = ControlCharacters.escaped(detail)
        self.previousHash = previousHash
        self.hash = ""
        self.hash = computedHash()
    }

    /// The hash this entry's fields should have; differs from ``hash`` when a field was changed.
    public func computedHash() -> String {
        let millis = Int64((at.timeIntervalSince1970 * 1000).rounded())
        let fields = [String(sequence), String(millis), actor, action, target, source, purpose ?? "\u{0}", detail, previousHash]
        // Length-prefix each field so that no two different entries share a canonical form.
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return Hex.encode(SHA256.hash(data: Data(canonical.utf8)))
    }
}

/// One place where the audit chain does not hold.
public struct AuditBreak: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The entry where the break shows (0 when it concerns the checkpoint file as a whole).
    public var sequence: Int64
    /// What was found, for a person: changed, inserted, deleted, trimmed, or a checkpoint that does not match.
    public var reason: String

    /// Creates a break.
    public init(sequence: Int64, reason: String) {
        self.sequence = sequence
        self.reason = reason
    }

    /// `entry N: reason`.
    public var description: String { sequence > 0 ? "entry \(sequence): \(reason)" : reason }
}

/// The result of checking an audit chain: every break found, not only the first, so later tampering is never
/// hidden behind an earlier one.
public struct AuditVerification: Codable, Sendable, Equatable {
    /// Entries read from the log.
    public var entries: Int
    /// Signed checkpoints compared with the log.
    public var checkpointsChecked: Int
    /// Every break, in the order found.
    public var breaks: [AuditBreak]

    /// Creates a verdict.
    public init(entries: Int, checkpointsChecked: Int = 0, breaks: [AuditBreak]) {
        self.entries = entries
        self.checkpointsChecked = checkpointsChecked
        self.breaks = breaks
    }

    /// A verdict with no break.
    public static func intact(entries: Int, checkpointsChecked: Int = 0) -> AuditVerification {
        AuditVerification(entries: entries, checkpointsChecked: checkpointsChecked, breaks: [])
    }

    /// True when no break was found.
    public var isIntact: Bool { breaks.isEmpty }
    /// The first break, if any.
    public var firstBreak: AuditBreak? { breaks.first }

    /// One line for a person: "intact (N entries …)" or "BROKEN: …" with every break.
    public var summary: String {
        let sealed = checkpointsChecked > 0 ? ", \(checkpointsChecked) signed checkpoints matched" : ""
        if isIntact { return "intact (\(entries) entries verified\(sealed))" }
        return "BROKEN in \(breaks.count) place(s): " + breaks.map(\.description).joined(separator: "; ")
    }
}

/// Checks a chain incrementally, entry by entry in sequence order, so it can stream from storage, and compares it with
/// signed checkpoints (sequence and hash of the head at a moment) kept outside the database, which is what shows entries
/// deleted from the end, a table emptied, or a chain recomputed after an entry was removed.
///
/// After a break the walk goes on from the entry where it showed, so every break is reported.
public struct AuditChainVerifier: Sendable {
    private var expectedSequence: Int64 = 1
    private var previousHash: String? = AuditEntry.genesisHash
    private var count = 0
    private var checkpoints: [AuditCheckpoint]
    private var nextCheckpoint = 0
    private var matchedCheckpoints = 0
    private var lastSequence: Int64 = 0
    private var breaks: [AuditBreak] = []

    /// Creates a verifier that expects the chain to start at sequence 1 and to agree with `checkpoints` (whose
    /// signatures the caller has already checked).
    public init(checkpoints: [AuditCheckpoint] = []) {
        self.checkpoints = checkpoints.sorted { ($0.sequence, $0.at) < ($1.sequence, $1.at) }
    }

    /// Feeds the next entry (in ascending sequence order).
    public mutating func feed(_ entry: AuditEntry) {
        count += 1
        if entry.sequence < expectedSequence {
            breaks.append(AuditBreak(sequence: entry.sequence, reason: "sequence \(entry.sequence) appears out of order or twice (inserted)"))
            return
        }
        passCheckpoints(before: entry.sequence)
        if entry.sequence > expectedSequence {
            breaks.append(AuditBreak(
                sequence: expectedSequence, reason: "entries \(expectedSequence)...\(entry.sequence - 1) are missing (deleted)"))
            previousHash = nil  // The link to a deleted entry cannot be checked; the gap is the break.
        }
        if let previousHash, entry.previousHash != previousHash {
            breaks.append(AuditBreak(sequence: entry.sequence, reason: "does not link to the entry before it (entry inserted or replaced)"))
        }
        if entry.computedHash() != entry.hash {
            breaks.append(AuditBreak(sequence: entry.sequence, reason: "its content does not match its hash (entry changed)"))
        }
        while nextCheckpoint < checkpoints.count, checkpoints[nextCheckpoint].sequence == entry.sequence {
            let checkpoint = checkpoints[nextCheckpoint]
            if checkpoint.hash == entry.hash {
                matchedCheckpoints += 1
            } else {
                breaks.append(AuditBreak(
                    sequence: entry.sequence,
                    reason: "differs from the signed checkpoint of \(UTCTimestamp.string(checkpoint.at)): this entry or one before it was changed, removed or the chain was recomputed"))
            }
            nextCheckpoint += 1
        }
        previousHash = entry.hash
        expectedSequence = entry.sequence + 1
        lastSequence = entry.sequence
    }

    /// Checkpoints for sequences that never came (entries deleted): each is a break.
    private mutating func passCheckpoints(before sequence: Int64) {
        while nextCheckpoint < checkpoints.count, checkpoints[nextCheckpoint].sequence < sequence {
            let checkpoint = checkpoints[nextCheckpoint]
            breaks.append(AuditBreak(
                sequence: checkpoint.sequence,
                reason: "is missing, though the signed checkpoint of \(UTCTimestamp.string(checkpoint.at)) sealed it (deleted)"))
            nextCheckpoint += 1
        }
    }

    /// The verdict after the last entry: checkpoints beyond the last entry show that the end of the log was cut off.
    public var result: AuditVerification {
        var all = breaks
        if nextCheckpoint < checkpoints.count {
            let newest = checkpoints[checkpoints.count - 1]
            let reason = count == 0
                ? "the audit log is empty, but the signed checkpoint of \(UTCTimestamp.string(newest.at)) sealed \(newest.sequence) entries: every entry was deleted"
                : "the audit log ends at entry \(lastSequence), but the signed checkpoint of \(UTCTimestamp.string(newest.at)) sealed \(newest.sequence) entries: the end of the log was deleted"
            all.append(AuditBreak(sequence: lastSequence + 1, reason: reason))
        }
        return AuditVerification(entries: count, checkpointsChecked: matchedCheckpoints, breaks: all)
    }
}
