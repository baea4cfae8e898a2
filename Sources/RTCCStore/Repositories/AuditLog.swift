import FluentKit
import Foundation
import NIOCore
import RTCCCore
import SQLKit
import SQLiteNIO

/// What to append to the audit log; the log assigns the sequence and hashes.
public struct AuditEvent: Sendable {
    /// Who.
    public var actor: String
    /// What (dotted verb).
    public var action: String
    /// To what.
    public var target: String
    /// From where.
    public var source: String
    /// Why: purpose or case number.
    public var purpose: String?
    /// Detail.
    public var detail: String

    /// Creates an event.
    public init(actor: String, action: String, target: String = "", source: String = "local", purpose: String? = nil, detail: String = "") {
        self.actor = actor
        self.action = action
        self.target = target
        self.source = source
        self.purpose = purpose
        self.detail = detail
    }
}

/// The tamper-evident audit log: append-only, each entry hash-chained to the one before.
/// Appends are serialised by this actor and written in a transaction that reads the chain's head. Appends that arrive
/// while one is being written are written together in the next transaction (group commit: one commit for many).
public actor AuditLog {
    private typealias Waiter = CheckedContinuation<AuditEntry, any Error>

    private let database: any Database
    private var pending: [(event: AuditEvent, at: Date, waiter: Waiter)] = []
    private var writing = false
    /// Most entries written in one transaction.
    static let maximumBatch = 500

    /// Creates the log over a store.
    public init(store: Store) { database = store.database }

    /// Appends an event and returns the stored entry once it is committed.
    @discardableResult
    public func append(_ event: AuditEvent, at now: Date = Date()) async throws -> AuditEntry {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            pending.append((event, now, waiter))
            if !writing {
                writing = true
                Task(priority: .high) { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maximumBatch))
            pending.removeFirst(batch.count)
            do {
                let entries = try await write(batch.map { ($0.event, $0.at) })
                for (job, entry) in zip(batch, entries) { job.waiter.resume(returning: entry) }
            } catch {
                for job in batch { job.waiter.resume(throwing: error) }
            }
        }
        writing = false
    }

    private func write(_ events: [(AuditEvent, Date)]) async throws -> [AuditEntry] {
        // SQLite refuses (SQLITE_BUSY, without waiting) to turn this read transaction into a write when another
        // connection wrote meanwhile; the transaction has rolled back then, so it is simply run again.
        var attempt = 0
        while true {
            do {
                return try await writeOnce(events)
            } catch let error as SQLiteError where (error.reason == .busy || error.reason == .busyInSnapshot) && attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(5 * min(attempt, 10)))
            }
        }
    }

    private func writeOnce(_ events: [(AuditEvent, Date)]) async throws -> [AuditEntry] {
        try await database.transaction { db -> EventLoopFuture<[AuditEntry]> in Self.append(events, on: db.sql) }.get()
    }

    /// Appends entries inside the caller's transaction on `db`, so that what they record and the record itself commit
    /// together (intake stores each event with its audit entry). On PostgreSQL the table is locked for the
    /// read-then-insert, so appends from other transactions or server processes wait; SQLite has one writer anyway.
    static func append(_ events: [(AuditEvent, Date)], on db: any Database) async throws -> [AuditEntry] {
        try await append(events, on: db.sql).get()
    }

    private static let insertHead = RowsInsert.head(
        table: "audit_log", columns: ["sequence", "at", "actor", "action", "target", "source", "purpose", "detail", "previous_hash", "hash"])

    /// ``append(_:on:)`` as chained futures: each statement starts on the database's event loop as soon as the one
    /// before finishes, with no task switch between them.
    static func append(_ events: [(AuditEvent, Date)], on sql: any SQLDatabase) -> EventLoopFuture<[AuditEntry]> {
        guard !events.isEmpty else { return sql.eventLoop.makeSucceededFuture([]) }
        let locked: EventLoopFuture<Void> = sql.dialect.name == "postgresql"
            ? sql.raw("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE").run()
            : sql.eventLoop.makeSucceededVoidFuture()
        return locked.flatMap {
            sql.select().columns("sequence", "hash").from("audit_log").orderBy("sequence", .descending).limit(1).all()
        }.flatMapThrowing { rows -> [AuditEntry] in
            let head = rows.first
            var sequence = try head.map { try $0.decode(column: "sequence", as: Int64.self) } ?? 0
            var previous = try head.map { try $0.decode(column: "hash", as: String.self) } ?? AuditEntry.genesisHash
            var entries: [AuditEntry] = []
            entries.reserveCapacity(events.count)
            for (event, now) in events {
                sequence += 1
                let entry = AuditEntry(
                    sequence: sequence, at: now, actor: event.actor, action: event.action, target: event.target, source: event.source,
                    purpose: event.purpose, detail: event.detail, previousHash: previous)
                previous = entry.hash
                entries.append(entry)
            }
            return entries
        }.flatMap { entries in
            // One multi-row statement per few hundred entries (well under the bound-parameter limits), bound column
            // by column: the reflective row encoder costs more than the write on a busy intake.
            let statements: [any SQLExpression] = entries.chunked(by: 400).map { chunk in
                RowsInsert(
                    head: insertHead,
                    rows: chunk.map { entry in
                        [entry.sequence, entry.at, entry.actor, entry.action, entry.target, entry.source, entry.purpose, entry.detail, entry.previousHash,
                         entry.hash]
                    })
            }
            return sql.runInOrder(statements).map { entries }
        }
    }

    /// Entries newest first, optionally only one actor's or one action's.
    public func entries(actor: String? = nil, action: String? = nil, limit: Int = 100, offset: Int = 0) async throws -> [AuditEntry] {
        var select = database.sql.select().column("*").from("audit_log")
        if let actor { select = select.where("actor", .equal, actor) }
        if let action { select = select.where("action", .equal, action) }
        return try await select.orderBy("sequence", .descending).limit(limit).offset(offset)
            .all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Walks the whole chain in order and reports the first broken link.
    public func verify() async throws -> AuditVerification {
        var verifier = AuditChainVerifier()
        var after: Int64 = Int64.min
        while true {
            let batch = try await database.sql.select().column("*").from("audit_log").where("sequence", .greaterThan, after)
                .orderBy("sequence").limit(1000).all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
            for entry in batch where !verifier.feed(entry) { return verifier.result }
            guard let last = batch.last else { return verifier.result }
            after = last.sequence
        }
    }
}
