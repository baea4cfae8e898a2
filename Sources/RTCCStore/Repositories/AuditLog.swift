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

    /// Entries newest first, optionally only one actor's or one action's (exact matches).
    public func entries(actor: String? = nil, action: String? = nil, limit: Int = 100, offset: Int = 0) async throws -> [AuditEntry] {
        try await entries(AuditQuery(actor: actor.map { .exactly($0) }, action: action.map { .exactly($0) }), limit: limit, offset: offset)
    }

    /// Entries matching every condition of `query`, newest first. Every condition is applied by the database, on
    /// SQLite and PostgreSQL alike (text compared case-sensitively, prefixes without `LIKE` wildcards).
    public func entries(_ query: AuditQuery, limit: Int = 100, offset: Int = 0) async throws -> [AuditEntry] {
        var select = database.sql.select().column("*").from("audit_log")
        for (column, match) in query.textConditions {
            switch match {
            case .exactly(let text):
                select = select.where(SQLColumn(column), .equal, SQLBind(text))
            case .prefix(let text) where text.isEmpty:
                continue
            case .prefix(let text):
                // substr counts characters (code points) on both databases; the length is a literal so that PostgreSQL
                // finds substr(text, integer, integer) rather than a bigint overload that does not exist.
                let head = SQLFunction("substr", args: SQLColumn(column), SQLLiteral.numeric("1"), SQLLiteral.numeric("\(text.unicodeScalars.count)"))
                select = select.where(head, .equal, SQLBind(text))
            }
        }
        if let from = query.from { select = select.where("at", .greaterThanOrEqual, from) }
        if let until = query.until { select = select.where("at", .lessThan, until) }
        return try await select.orderBy("sequence", .descending).limit(limit).offset(offset)
            .all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The newest entry's sequence and hash, or nil for an empty log.
    public func head() async throws -> (sequence: Int64, hash: String)? {
        let row = try await database.sql.select().columns("sequence", "hash").from("audit_log").orderBy("sequence", .descending).limit(1).first()
        guard let row else { return nil }
        return (try row.decode(column: "sequence", as: Int64.self), try row.decode(column: "hash", as: String.self))
    }

    /// Walks the whole chain in order, compares it with `checkpoints` (already checked for their signatures), and reports
    /// every break.
    public func verify(against checkpoints: [AuditCheckpoint] = []) async throws -> AuditVerification {
        var verifier = AuditChainVerifier(checkpoints: checkpoints)
        var after: Int64 = Int64.min
        while true {
            let batch = try await database.sql.select().column("*").from("audit_log").where("sequence", .greaterThan, after)
                .orderBy("sequence").limit(1000).all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
            for entry in batch { verifier.feed(entry) }
            guard let last = batch.last else { return verifier.result }
            after = last.sequence
        }
    }
}

/// Which audit entries to read: every condition given must hold. Times are half-open, `from` ≤ at < `until`.
public struct AuditQuery: Sendable, Hashable {
    /// How a text column is matched.
    public enum Match: Sendable, Hashable {
        /// The whole value, case-sensitively.
        case exactly(String)
        /// Values that start with this text (`auth.` matches `auth.login` and `auth.login_failed`).
        case prefix(String)

        /// Reads the search syntax of the API: a trailing `*` asks for a prefix (`auth.*`), anything else is exact.
        /// Returns nil when a `*` appears anywhere but at the end, which the API refuses.
        public init?(searchText text: String) {
            guard let star = text.firstIndex(of: "*") else {
                self = .exactly(text)
                return
            }
            guard star == text.index(before: text.endIndex) else { return nil }
            self = .prefix(String(text[..<star]))
        }
    }

    /// Who (`analyst`, `token:feed (admin)`).
    public var actor: Match?
    /// What (`auth.login_failed`, or a prefix such as `auth.`).
    public var action: Match?
    /// To what (`camera:<id>`, or a prefix such as `case:<id>` for everything under a case).
    public var target: Match?
    /// Why: the purpose or case number given.
    public var purpose: Match?
    /// From where: the source address.
    public var source: Match?
    /// Earliest time, inclusive.
    public var from: Date?
    /// Latest time, exclusive.
    public var until: Date?

    /// Creates a query; nil conditions do not filter.
    public init(
        actor: Match? = nil, action: Match? = nil, target: Match? = nil, purpose: Match? = nil, source: Match? = nil, from: Date? = nil,
        until: Date? = nil
    ) {
        self.actor = actor
        self.action = action
        self.target = target
        self.purpose = purpose
        self.source = source
        self.from = from
        self.until = until
    }

    /// The text conditions given, with their columns.
    var textConditions: [(column: String, match: Match)] {
        [("actor", actor), ("action", action), ("target", target), ("purpose", purpose), ("source", source)].compactMap { column, match in
            match.map { (column, $0) }
        }
    }
}
