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

    /// Creates an entry and computes its hash.
    public init(
        sequence: Int64, at: Date, actor: String, action: String, target: String, source: String,
        purpose: String?, detail: String, previousHash: String
    ) {
        self.sequence = sequence
        self.at = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000)
        self.actor = actor
        self.action = action
        self.target = target
        self.source = source
        self.purpose = purpose
        self.detail = detail
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

/// The result of checking an audit chain.
public enum AuditVerification: Sendable, Equatable {
    /// Every entry links to the one before and hashes correctly.
    case intact(entries: Int)
    /// The first entry where the chain breaks, and why.
    case broken(sequence: Int64, reason: String)
}

/// Checks a chain incrementally, entry by entry in sequence order, so it can stream from storage.
public struct AuditChainVerifier: Sendable {
    private var expectedSequence: Int64 = 1
    private var previousHash = AuditEntry.genesisHash
    private var count = 0
    /// The first break found, if any.
    public private(set) var failure: AuditVerification?

    /// Creates a verifier that expects the chain to start at sequence 1.
    public init() {}

    /// Feeds the next entry (in ascending sequence order). Returns false once the chain is broken.
    @discardableResult
    public mutating func feed(_ entry: AuditEntry) -> Bool {
        guard failure == nil else { return false }
        if entry.sequence != expectedSequence {
            let reason = entry.sequence > expectedSequence
                ? "entries \(expectedSequence)...\(entry.sequence - 1) are missing (deleted)"
                : "sequence \(entry.sequence) appears out of order or twice (inserted)"
            failure = .broken(sequence: min(entry.sequence, expectedSequence), reason: reason)
            return false
        }
        if entry.previousHash != previousHash {
            failure = .broken(sequence: entry.sequence, reason: "does not link to the entry before it (entry inserted or replaced)")
            return false
        }
        if entry.computedHash() != entry.hash {
            failure = .broken(sequence: entry.sequence, reason: "its content does not match its hash (entry changed)")
            return false
        }
        previousHash = entry.hash
        expectedSequence += 1
        count += 1
        return true
    }

    /// The verdict after the last entry.
    public var result: AuditVerification { failure ?? .intact(entries: count) }
}
