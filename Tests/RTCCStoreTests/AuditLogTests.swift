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
            try await Self.dropAppendOnlyGuard(store)
            try await store.sql.raw("UPDATE audit_log SET purpose = 'nothing to see' WHERE sequence = 4").run()
            #expect(try await log.verify().breaks == [AuditBreak(sequence: 4, reason: "its content does not match its hash (entry changed)")])
        }
    }

    @Test(arguments: Backend.allCases)
    func deletedRowIsNamed(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, 6)
            try await Self.dropAppendOnlyGuard(store)
            try await store.sql.raw("DELETE FROM audit_log WHERE sequence = 3").run()
            #expect(try await log.verify().firstBreak?.sequence == 3)
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
            #expect(try await log.verify().breaks == [AuditBreak(sequence: 4, reason: "its content does not match its hash (entry changed)")])
        }
    }

    /// What someone with the database's owner rights does first: the triggers refuse changes otherwise.
    static func dropAppendOnlyGuard(_ store: Store) async throws {
        if store.sql.dialect.name == "postgresql" {
            try await store.sql.raw("DROP TRIGGER audit_log_append_only ON audit_log").run()
            try await store.sql.raw("DROP TRIGGER audit_log_no_truncate ON audit_log").run()
        } else {
            try await store.sql.raw("DROP TRIGGER audit_log_no_update").run()
            try await store.sql.raw("DROP TRIGGER audit_log_no_delete").run()
        }
    }

    @Test(arguments: Backend.allCases)
    func theDatabaseRefusesToChangeOrDeleteEntries(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await fill(log, 3)
            for statement in ["UPDATE audit_log SET actor = 'mallory' WHERE sequence = 2", "DELETE FROM audit_log WHERE sequence = 3", "DELETE FROM audit_log"]
                + (store.sql.dialect.name == "postgresql" ? ["TRUNCATE audit_log"] : [])
            {
                await #expect(throws: (any Error).self, "\(statement)") { try await store.sql.raw(SQLQueryString(statement)).run() }
            }
            #expect(try await log.verify() == .intact(entries: 3))
        }
    }

    @Test(arguments: Backend.allCases)
    func aNULInAnyFieldIsStoredSoTheChainStillVerifies(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            try await log.append(AuditEvent(actor: "nul\u{0}byte", action: "auth.login_failed", source: "10.0.0.1", detail: "unknown user"))
            try await log.append(AuditEvent(actor: "admin", action: "partners.create", target: "partner:1", purpose: "x\u{0}y", detail: "Corner\u{0}Store"))
            try await fill(log, 2)
            #expect(try await log.verify() == .intact(entries: 4))
            let entries = try await log.entries()
            #expect(entries.last?.actor == "nul\\u0000byte")
        }
    }

    @Test(arguments: Backend.allCases)
    func theHeadIsTheNewestEntry(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            #expect(try await log.head() == nil)
            try await fill(log, 3)
            let head = try #require(try await log.head())
            #expect(head.sequence == 3)
            #expect(head.hash == (try await log.entries(limit: 1).first?.hash))
        }
    }
}
