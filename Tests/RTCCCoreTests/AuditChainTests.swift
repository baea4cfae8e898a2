import Foundation
import RTCCCore
import Testing

@Suite struct AuditChainTests {
    func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditEntry.genesisHash
        for index in 1...count {
            let entry = AuditEntry(
                sequence: Int64(index), at: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)), actor: "analyst1",
                action: "cameras.view", target: "camera:\(index)", source: "10.0.0.9", purpose: index % 2 == 0 ? "case 26-1234" : nil,
                detail: "", previousHash: previous)
            entries.append(entry)
            previous = entry.hash
        }
        return entries
    }

    func verify(_ entries: [AuditEntry]) -> AuditVerification {
        var verifier = AuditChainVerifier()
        for entry in entries where !verifier.feed(entry) { break }
        return verifier.result
    }

    @Test func intactChainVerifies() {
        #expect(verify(chain(10)) == .intact(entries: 10))
    }

    @Test func changedEntryIsNamed() {
        var entries = chain(10)
        entries[4].actor = "someone-else"
        #expect(verify(entries) == .broken(sequence: 5, reason: "its content does not match its hash (entry changed)"))
    }

    @Test func deletedEntryIsNamed() {
        var entries = chain(10)
        entries.remove(at: 6)
        guard case .broken(let sequence, let reason) = verify(entries) else { Issue.record("not detected"); return }
        #expect(sequence == 7)
        #expect(reason.contains("missing"))
    }

    @Test func insertedEntryIsNamed() {
        var entries = chain(10)
        let forged = AuditEntry(sequence: 4, at: Date(), actor: "x", action: "y", target: "", source: "", purpose: nil, detail: "", previousHash: entries[2].hash)
        entries.insert(forged, at: 3)
        for index in 4..<entries.count { entries[index].sequence += 1 }
        guard case .broken(let sequence, _) = verify(entries) else { Issue.record("not detected"); return }
        #expect(sequence == 5)
    }

    @Test func fieldBoundariesCannotBeShifted() {
        let a = AuditEntry(sequence: 1, at: Date(timeIntervalSince1970: 0), actor: "ab", action: "c", target: "", source: "", purpose: nil, detail: "", previousHash: AuditEntry.genesisHash)
        let b = AuditEntry(sequence: 1, at: Date(timeIntervalSince1970: 0), actor: "a", action: "bc", target: "", source: "", purpose: nil, detail: "", previousHash: AuditEntry.genesisHash)
        #expect(a.hash != b.hash)
    }
}
