import Crypto
import Foundation
import RTCCCore
import Testing

@Suite struct AuditChainTests {
    func chain(_ count: Int, actor: String = "analyst1") -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditEntry.genesisHash
        for index in 1...count {
            let entry = AuditEntry(
                sequence: Int64(index), at: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)), actor: actor,
                action: "cameras.view", target: "camera:\(index)", source: "10.0.0.9", purpose: index % 2 == 0 ? "case 26-1234" : nil,
                detail: "", previousHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        return entries
    }

    func verify(_ entries: [AuditEntry], checkpoints: [AuditCheckpoint] = []) -> AuditVerification {
        var verifier = AuditChainVerifier(checkpoints: checkpoints)
        for entry in entries { verifier.feed(entry) }
        return verifier.result
    }

    /// The head of `entries` after `count` of them, signed.
    func checkpoint(_ entries: [AuditEntry], at count: Int, key: Curve25519.Signing.PrivateKey) throws -> AuditCheckpoint {
        try AuditCheckpoint.signed(sequence: Int64(count), hash: entries[count - 1].hash, at: Date(timeIntervalSince1970: 1_790_000_100), with: key)
    }

    @Test func intactChainVerifies() {
        #expect(verify(chain(10)) == .intact(entries: 10))
    }

    @Test func changedEntryIsNamed() {
        var entries = chain(10)
        entries[4].actor = "someone-else"
        #expect(verify(entries).breaks == [AuditBreak(sequence: 5, reason: "its content does not match its hash (entry changed)")])
    }

    @Test func deletedEntryIsNamed() throws {
        var entries = chain(10)
        entries.remove(at: 6)
        let found = try #require(verify(entries).firstBreak)
        #expect(found.sequence == 7)
        #expect(found.reason.contains("missing"))
    }

    @Test func insertedEntryIsNamed() throws {
        var entries = chain(10)
        let forged = AuditEntry(sequence: 4, at: Date(), actor: "x", action: "y", target: "", source: "", purpose: nil, detail: "", previousHash: entries[2].hash)
        entries.insert(forged, at: 3)
        for index in 4..<entries.count { entries[index].sequence += 1 }
        #expect(try #require(verify(entries).firstBreak).sequence == 5)
    }

    @Test func everyBreakIsReportedNotOnlyTheFirst() {
        var entries = chain(20)
        entries[2].detail = "rewritten"
        entries[11].actor = "mallory"
        entries.remove(at: 16)
        let result = verify(entries)
        #expect(result.breaks.map(\.sequence) == [3, 12, 17])
        #expect(result.entries == 19)
    }

    @Test func fieldBoundariesCannotBeShifted() {
        let a = AuditEntry(sequence: 1, at: Date(timeIntervalSince1970: 0), actor: "ab", action: "c", target: "", source: "", purpose: nil, detail: "", previousHash: AuditEntry.genesisHash)
        let b = AuditEntry(sequence: 1, at: Date(timeIntervalSince1970: 0), actor: "a", action: "bc", target: "", source: "", purpose: nil, detail: "", previousHash: AuditEntry.genesisHash)
        #expect(a.hash != b.hash)
    }

    @Test func controlCharactersAreStoredAsVisibleEscapesThatTheHashCovers() {
        let entry = AuditEntry(
            sequence: 1, at: Date(timeIntervalSince1970: 0), actor: "nul\u{0}byte", action: "auth.login_failed", target: "", source: "10.0.0.1",
            purpose: "a\u{1B}[31mred", detail: "line one\nline two\tend", previousHash: AuditEntry.genesisHash)
        #expect(entry.actor == "nul\\u0000byte")
        #expect(entry.purpose == "a\\u001B[31mred")
        #expect(entry.detail == "line one\nline two\tend")
        // What a database hands back is the same text, and it verifies.
        var readBack = entry
        readBack.actor = String(decoding: Array(entry.actor.utf8), as: UTF8.self)
        #expect(verify([readBack]) == .intact(entries: 1))
    }

    @Test func checkpointsMatchingTheChainAreCounted() throws {
        let key = Curve25519.Signing.PrivateKey()
        let entries = chain(10)
        let result = verify(entries, checkpoints: [try checkpoint(entries, at: 4, key: key), try checkpoint(entries, at: 10, key: key)])
        #expect(result == .intact(entries: 10, checkpointsChecked: 2))
    }

    @Test func trimmedTailIsDetectedByTheCheckpoint() throws {
        let key = Curve25519.Signing.PrivateKey()
        let entries = chain(50)
        let sealed = try checkpoint(entries, at: 50, key: key)
        let result = verify(Array(entries.prefix(20)), checkpoints: [sealed])
        #expect(result.breaks.count == 1)
        #expect(result.breaks.first?.sequence == 21)
        #expect(result.breaks.first?.reason.contains("ends at entry 20") == true)
        // Without the checkpoint the shortened chain looks whole: that is what the checkpoint is for.
        #expect(verify(Array(entries.prefix(20))).isIntact)
    }

    @Test func emptiedLogIsDetectedByTheCheckpoint() throws {
        let key = Curve25519.Signing.PrivateKey()
        let entries = chain(5)
        let result = verify([], checkpoints: [try checkpoint(entries, at: 5, key: key)])
        #expect(result.breaks.count == 1)
        #expect(result.breaks.first?.reason.contains("every entry was deleted") == true)
    }

    @Test func deletingOneEntryAndRecomputingTheChainIsDetectedByTheCheckpoint() throws {
        let key = Curve25519.Signing.PrivateKey()
        let original = chain(12)
        let sealed = try checkpoint(original, at: 12, key: key)
        // The forger removes entry 6, renumbers the rest and recomputes every hash: the chain itself is consistent.
        var forged: [AuditEntry] = []
        var previous = AuditEntry.genesisHash
        for (index, entry) in original.enumerated() where index != 5 {
            let copy = AuditEntry(
                sequence: Int64(forged.count + 1), at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, source: entry.source,
                purpose: entry.purpose, detail: entry.detail, previousHash: previous)
            forged.append(copy)
            previous = copy.hash
        }
        #expect(verify(forged).isIntact)
        let result = verify(forged, checkpoints: [sealed])
        #expect(!result.isIntact)
        #expect(result.breaks.contains { $0.sequence == 12 })
    }

    @Test func checkpointsAreBoundToTheKeyAndTheirContent() throws {
        let key = Curve25519.Signing.PrivateKey()
        let other = Curve25519.Signing.PrivateKey()
        let entries = chain(3)
        var sealed = try checkpoint(entries, at: 3, key: key)
        #expect(sealed.isSigned(by: key.publicKey.rawRepresentation))
        #expect(!sealed.isSigned(by: other.publicKey.rawRepresentation))
        sealed.sequence = 2
        #expect(!sealed.isSigned(by: key.publicKey.rawRepresentation))
    }

    @Test func theCheckpointFileKeepsSignedLinesAndReportsForgedOnes() throws {
        let key = Curve25519.Signing.PrivateKey()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = AuditCheckpointFile(url: folder.appendingPathComponent("audit-checkpoints.jsonl"))
        let entries = chain(4)
        try file.append(try checkpoint(entries, at: 2, key: key))
        try file.append(try checkpoint(entries, at: 4, key: key))
        let mode = try FileManager.default.attributesOfItem(atPath: file.url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        var (checkpoints, problems) = try file.read(trusting: key.publicKey.rawRepresentation)
        #expect(checkpoints.map(\.sequence) == [2, 4])
        #expect(problems.isEmpty)
        // A forger rewrites the newest line to seal a shorter log.
        var text = try String(contentsOf: file.url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"sequence\":4", with: "\"sequence\":3")
        try text.write(to: file.url, atomically: true, encoding: .utf8)
        (checkpoints, problems) = try file.read(trusting: key.publicKey.rawRepresentation)
        #expect(checkpoints.map(\.sequence) == [2])
        #expect(problems.count == 1)
        #expect(problems.first?.reason.contains("not signed by this server's key") == true)
    }
}
