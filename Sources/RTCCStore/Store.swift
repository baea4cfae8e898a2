import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// Where the RTCC keeps its data.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// An embedded SQLite file.
    case sqlite(path: String)
    /// A private in-memory SQLite database (tests).
    case memory
    /// A PostgreSQL server, `postgres://user:pass@host:port/db`.
    case postgres(url: String)

    /// Parses `--database`: a `postgres://` URL, `sqlite:PATH`, `memory`, or a plain file path.
    public init(parsing text: String) throws(StoreError) {
        if text == "memory" || text == "sqlite::memory:" {
            self = .memory
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard URL(string: text)?.host != nil else { throw .badLocation("\(Self.redacted(text)) is not a postgres://user:password@host:port/database URL") }
            self = .postgres(url: text)
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else if text.contains("://") {
            throw .badLocation("unsupported database '\(Self.redacted(text))': use postgres://… or a SQLite file path")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Shown in logs; passwords are never shown.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .memory: return "sqlite (memory)"
        case .postgres(let url): return Self.redacted(url)
        }
    }

    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}

/// A storage failure the caller can act on.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The database location could not be understood.
    case badLocation(String)
    /// A unique value (such as a camera name) is already taken.
    case duplicate(field: String, value: String)
    /// The referenced record does not exist.
    case notFound(String)
    /// A referenced record (such as a partner) does not exist.
    case missingReference(field: String, value: String)

    /// What went wrong, for a person.
    public var description: String {
        switch self {
        case .badLocation(let reason): return reason
        case .duplicate(let field, let value): return "\(field) '\(value)' is already in use"
        case .notFound(let what): return "\(what) was not found"
        case .missingReference(let field, let value): return "\(field) '\(value)' does not refer to an existing record"
        }
    }
}

/// The RTCC's database: owns the connection pools and hands out repositories.
public final class Store: Sendable {
    /// Where the data lives.
    public let location: StoreLocation
    private let databases: Databases
    private let logger: Logger
    /// SQLite gets one connection, always on this event loop: with two, a writer waiting for the other's lock spins a
    /// thread-pool thread that the lock holder may need, and read-then-write transactions fail with SQLITE_BUSY.
    /// PostgreSQL uses every loop's pool.
    private let sqliteLoop: (any EventLoop)?
    private let closed = Mutex(false)
    /// The file behind an in-memory store, removed when the store closes. SQLiteKit backs `.memory` with a file of its
    /// own in the temporary directory and never removes it (half a megabyte left behind per store), so an in-memory
    /// store opens a file of ours instead.
    private let scratchFile: URL?

    /// The path of the temporary file behind an in-memory store (nil for a file or PostgreSQL store).
    public var inMemoryBackingPath: String? { scratchFile?.path }

    /// Event loops and blocking-work threads for the stores of this process, apart from the HTTP server's: a
    /// statement's completion then never queues behind a busy server's socket reads and writes (which cost an intake
    /// transaction of a single event 20–50 ms of waiting at 1 000 requests a second), and SQLite's calls never wait
    /// behind other blocking work (password hashing, file writes). Shared, like NIO's own singletons, so that a
    /// process opening many stores (the tests) does not start threads for each.
    private static let loops = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
    private static let threadPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        return pool
    }()

    /// Opens (but does not migrate) the store.
    public init(location: StoreLocation, logger: Logger = Logger(label: "rtcc.store")) throws {
        self.location = location
        self.logger = logger
        databases = Databases(threadPool: Self.threadPool, on: Self.loops)
        if case .postgres = location { sqliteLoop = nil } else { sqliteLoop = Self.loops.next() }
        if case .memory = location {
            scratchFile = FileManager.default.temporaryDirectory.appendingPathComponent(
                "rtcc-memory-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).sqlite3", isDirectory: false)
        } else {
            scratchFile = nil
        }
        switch location {
        case .sqlite(let path):
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(120), sqlLogLevel: .trace), as: .sqlite)
        case .memory:
            databases.use(.sqlite(.file(scratchFile!.path), connectionPoolTimeout: .seconds(120), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            do {
                databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace), as: .psql)
            } catch {
                throw StoreError.badLocation("cannot use database URL \(location): \(error)")
            }
        }
    }

    /// The Fluent database. A default database is always configured in `init`, so the lookup cannot fail.
    public var database: any Database {
        databases.database(logger: logger, on: sqliteLoop ?? databases.eventLoopGroup.any())!
    }

    /// The same database as SQL (both drivers in use are SQL databases).
    public var sql: any SQLDatabase { database.sql }

    /// Whether this is PostgreSQL (for the few dialect differences).
    public var isPostgres: Bool { if case .postgres = location { return true } else { return false } }

    /// Brings the schema up to date. Safe to run repeatedly.
    public func migrate() async throws {
        if case .sqlite = location { try await sql.raw("PRAGMA journal_mode=WAL").run() }
        if case .memory = location {
            // An in-memory store is backed by a temporary file (so that connections can share it). Nothing
            // in it needs to survive a crash, so its commits skip the journal file and fsync: a test server's setup
            // otherwise spent most of its time waiting for the disk.
            try await sql.raw("PRAGMA journal_mode=MEMORY").run()
            try await sql.raw("PRAGMA synchronous=OFF").run()
        }
        let migrations = Migrations()
        migrations.add(SchemaV1())
        migrations.add(SchemaV2())
        migrations.add(SchemaPreferences())
        migrations.add(SchemaCases())
        migrations.add(SchemaBuildings())
        migrations.add(SchemaDeployments())
        migrations.add(SchemaLeads())
        migrations.add(SchemaImpact())
        migrations.add(SchemaCommunity())
        migrations.add(SchemaMail())
        migrations.add(SchemaAlarms())
        migrations.add(SchemaBookmarkIndex())
        migrations.add(SchemaAuditAppendOnly())
        migrations.add(SchemaAccountSecurity())
        migrations.add(SchemaAddresses())
        migrations.add(SchemaCameraPicture())
        migrations.add(SchemaCluster())
        migrations.add(SchemaRedundantCopies())
        migrations.add(SchemaArchiveTier())
        migrations.add(SchemaONVIF())
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: sqliteLoop ?? databases.eventLoopGroup.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// Closes every connection.
    public func shutdown() async {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        await databases.shutdownAsync()
        removeScratchFile()
    }

    /// A store dropped without ``shutdown()`` still closes its pools (off the event loops, so blocking here is safe).
    deinit {
        if !closed.withLock({ $0 }) { databases.shutdown() }
        removeScratchFile()
    }

    /// Removes an in-memory store's file and SQLite's companions of it, once no connection is open.
    private func removeScratchFile() {
        guard let scratchFile else { return }
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let path = scratchFile.path + suffix
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                logger.warning("could not remove the in-memory store's file", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// Camera registry.
    public var cameras: CameraRepository { CameraRepository(database: database) }
    /// Cameras linked to their ONVIF device, and PTZ control locks.
    public var onvif: ONVIFRepository { ONVIFRepository(database: database) }
    /// Partners.
    public var partners: PartnerRepository { PartnerRepository(database: database) }
    /// Users.
    public var users: UserRepository { UserRepository(database: database) }
    /// Sign-in sessions.
    public var sessions: SessionRepository { SessionRepository(database: database) }
    /// API tokens.
    public var tokens: TokenRepository { TokenRepository(database: database) }
    /// Incidents and venues.
    public var incidents: IncidentRepository { IncidentRepository(database: database) }
    /// Street centrelines and address points.
    public var addresses: AddressRepository { AddressRepository(database: database) }
    /// Recorder nodes and camera leases (PostgreSQL only).
    public var cluster: ClusterRepository { ClusterRepository(database: database, isPostgres: isPostgres) }
}

extension Database {
    /// This database as SQL. Both configured drivers (SQLite and PostgreSQL) are SQL databases.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Snake-case encoding for inserts and updates, writing NULL for nil.
let rowEncoder = SQLQueryEncoder(keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil)

/// Recognises a unique-constraint violation from SQLite or PostgreSQL.
func isUniqueViolation(_ error: any Error) -> Bool {
    let text = String(reflecting: error).lowercased()
    return text.contains("unique") || text.contains("23505")
}

extension Store {
    /// Recording segments.
    public var segments: SegmentRepository { SegmentRepository(database: database) }
    /// Evidence holds.
    public var holds: HoldRepository { HoldRepository(database: database) }
    /// Camera health events.
    public var cameraEvents: CameraEventRepository { CameraEventRepository(database: database) }
    /// Per-user web app settings.
    public var preferences: PreferenceRepository { PreferenceRepository(database: database) }
    /// Cases, their links and notes.
    public var cases: CaseRepository { CaseRepository(database: database) }
    /// Evidence export jobs.
    public var exportJobs: ExportJobRepository { ExportJobRepository(database: database) }
    /// Evidence packages.
    public var packages: PackageRepository { PackageRepository(database: database) }
    /// Share links that release packages outside the RTCC.
    public var shareLinks: ShareLinkRepository { ShareLinkRepository(database: database) }
}

extension SQLDatabase {
    /// Runs `statements` one after another, each started on the database's event loop when the one before finishes.
    func runInOrder(_ statements: [any SQLExpression]) -> EventLoopFuture<Void> {
        var done = eventLoop.makeSucceededVoidFuture()
        for statement in statements {
            done = done.flatMap { self.execute(sql: statement) { _ in } }
        }
        return done
    }
}

extension Database {
    /// Runs `body`'s statements in one transaction on one connection, `BEGIN` and `COMMIT` included, each started on
    /// the connection's event loop the moment the one before finishes.
    ///
    /// Fluent's SQLite transaction awaits `BEGIN` and `COMMIT` in a task; on a busy server each of those waits queued
    /// behind every request's task for a thread, and took milliseconds while the single connection sat idle, held by
    /// the transaction. PostgreSQL's transaction already chains its statements. Inside a transaction, `body` joins it.
    func chainedTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction, let sqlite = self as? any SQLiteDatabase else { return transaction { body($0.sql) } }
        return sqlite.withConnection { connection in
            // The same encoder and decoder as the Fluent driver's (their defaults), so values read back alike.
            let sql = connection.sql(encoder: SQLiteDataEncoder(), decoder: SQLiteDataDecoder(), queryLogLevel: nil)
            return sql.raw("BEGIN TRANSACTION").run().flatMap {
                body(sql).flatMap { result in sql.raw("COMMIT TRANSACTION").run().map { result } }
                    .flatMapError { error in
                        sql.raw("ROLLBACK TRANSACTION").run().flatMapThrowing { throw error }.flatMapErrorThrowing { _ in throw error }
                    }
            }
        }
    }
}
