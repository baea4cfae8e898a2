import Foundation
import RTCCCore
import RTCCStore
import SQLKit
import Testing

@Suite struct AuditLogTests {
    func fill(_ log: AuditLog, _ count: Int) async throws {
        for index in 1...count {
            try await log.append(AuditEvent(actor: "analyst\(index)", action: "cameras.view", target: "camera:\(index)", source: "10.0.0.\(index)", purpose: "case \(index)"))
        }
    }

    @Test(arguments: Backend.allCases)
    func appendedEntriesChainAndVerify(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, 5)
            #expect(try await log.verify() == .intact(entries: 5))
            let entries = try await log.entries()
            #expect(entries.map(\.sequence) == [5, 4, 3, 2, 1])
            #expect(entries[0].previousHash == entries[1].hash)
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentAppendsKeepTheChain(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 { group.addTask { try await log.append(AuditEvent(actor: "u\(index)", action: "x")) } }
                try await group.waitForAll()
            }
            #expect(try await log.verify() == .intact(entries: 20))
        }
    }

    @Test(arguments: Backend.allCases)
    func changedRowIsNamed(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, 6)
            try await store.sql.raw("UPDATE audit_log SET purpose = 'nothing to see' WHERE sequence = 4").run()
            #expect(try await log.verify() == .broken(sequence: 4, reason: "its content does not match its hash (entry changed)"))
        }
    }

    @Test(arguments: Backend.allCases)
    func deletedRowIsNamed(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, 6)
            try await store.sql.raw("DELETE FROM audit_log WHERE sequence = 3").run()
            guard case .broken(let sequence, _) = try await log.verify() else { Issue.record("not detected"); return }
            #expect(sequence == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func insertedRowIsNamed(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, 3)
            let last = try #require(try await log.entries(limit: 1).first)
            try await store.sql.raw("""
                INSERT INTO audit_log (sequence, at, actor, action, target, source, purpose, detail, previous_hash, hash)
                VALUES (4, \(bind: Date()), 'intruder', 'cameras.view', '', '', NULL, '', \(bind: last.hash), 'forged')
                """).run()
            #expect(try await log.verify() == .broken(sequence: 4, reason: "its content does not match its hash (entry changed)"))
        }
    }
}
