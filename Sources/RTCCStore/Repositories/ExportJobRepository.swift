import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A request to export cameras' footage for a wall-clock range into a signed package for a case, and how it went.
public struct ExportJob: Codable, Sendable, Hashable {
    /// Where a job stands.
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Accepted, waiting for the exporter.
        case queued
        /// Being exported.
        case running
        /// The package is complete.
        case succeeded
        /// Nothing was kept; ``ExportJob/error`` says why.
        case failed
    }

    /// Job id.
    public var id: UUID
    /// The case.
    public var caseID: UUID
    /// Who asked.
    public var requestedBy: String
    /// Why.
    public var purpose: String
    /// The cameras, in the order asked.
    public var cameraIDs: [UUID]
    /// Start of the range.
    public var from: Date
    /// End of the range (exclusive).
    public var until: Date
    /// State.
    public var state: State
    /// Why it failed.
    public var error: String?
    /// The package made, once succeeded.
    public var packageID: UUID?
    /// When it was asked for.
    public var createdAt: Date
    /// When it succeeded or failed.
    public var finishedAt: Date?

    /// Creates a queued job.
    public init(caseID: UUID, requestedBy: String, purpose: String, cameraIDs: [UUID], from: Date, until: Date, now: Date = Date()) {
        id = UUID()
        self.caseID = caseID
        self.requestedBy = requestedBy
        self.purpose = purpose
        self.cameraIDs = cameraIDs
        self.from = from.millisecondPrecision
        self.until = until.millisecondPrecision
        state = .queued
        createdAt = now.millisecondPrecision
    }
}

/// Export jobs in SQL.
public struct ExportJobRepository: Sendable {
    let database: any Database

    /// Stores a new job.
    public func insert(_ job: ExportJob) async throws {
        try await database.sql.insert(into: "export_jobs").model(ExportJobRow(job), with: rowEncoder).run()
    }

    /// One job, or nil.
    public func find(id: UUID) async throws -> ExportJob? {
        try await database.sql.select().column("*").from("export_jobs").where("id", .equal, id)
            .first(decoding: ExportJobRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.job
    }

    /// A case's jobs, newest first.
    public func list(caseID: UUID) async throws -> [ExportJob] {
        try await database.sql.select().column("*").from("export_jobs").where("case_id", .equal, caseID).orderBy("created_at", .descending)
            .all(decoding: ExportJobRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.job)
    }

    /// Every job whose footage window overlaps `[from, until)`, oldest first.
    public func overlapping(from: Date, until: Date) async throws -> [ExportJob] {
        try await database.sql.select().column("*").from("export_jobs")
            .where("from_at", .lessThan, until.millisecondPrecision).where("until_at", .greaterThan, from.millisecondPrecision)
            .orderBy("created_at").all(decoding: ExportJobRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.job)
    }

    /// Marks a queued job running. Returns false when it was not queued.
    public func start(id: UUID) async throws -> Bool {
        let rows = try await database.sql.update("export_jobs").set("state", to: ExportJob.State.running.rawValue)
            .where("id", .equal, id).where("state", .equal, ExportJob.State.queued.rawValue).returning("id").all()
        return !rows.isEmpty
    }

    /// Marks a job succeeded with its package.
    public func succeed(id: UUID, packageID: UUID, now: Date = Date()) async throws {
        try await database.sql.update("export_jobs").set("state", to: ExportJob.State.succeeded.rawValue).set("package_id", to: packageID)
            .set("finished_at", to: now.millisecondPrecision).where("id", .equal, id).run()
    }

    /// Marks a job failed with the reason.
    public func fail(id: UUID, reason: String, now: Date = Date()) async throws {
        try await database.sql.update("export_jobs").set("state", to: ExportJob.State.failed.rawValue).set("error", to: reason)
            .set("finished_at", to: now.millisecondPrecision).where("id", .equal, id).run()
    }

    /// Fails every job created before `cutoff` (by a server that has since stopped) that is still queued or running; returns them.
    public func abandonUnfinished(createdBefore cutoff: Date, reason: String, now: Date = Date()) async throws -> [ExportJob] {
        let open = try await database.sql.select().column("*").from("export_jobs")
            .where("state", .in, [ExportJob.State.queued.rawValue, ExportJob.State.running.rawValue])
            .where("created_at", .lessThan, cutoff.millisecondPrecision)
            .all(decoding: ExportJobRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.job)
        for job in open { try await fail(id: job.id, reason: reason, now: now) }
        return open
    }
}

/// An `export_jobs` row.
struct ExportJobRow: Codable, Sendable {
    var id: UUID
    var caseId: UUID
    var requestedBy: String
    var purpose: String
    var cameraIds: String
    var fromAt: Date
    var untilAt: Date
    var state: String
    var error: String?
    var packageId: UUID?
    var createdAt: Date
    var finishedAt: Date?

    init(_ job: ExportJob) {
        id = job.id
        caseId = job.caseID
        requestedBy = job.requestedBy
        purpose = job.purpose
        cameraIds = job.cameraIDs.map { $0.uuidString.lowercased() }.joined(separator: ",")
        fromAt = job.from
        untilAt = job.until
        state = job.state.rawValue
        error = job.error
        packageId = job.packageID
        createdAt = job.createdAt
        finishedAt = job.finishedAt
    }

    var job: ExportJob {
        var job = ExportJob(
            caseID: caseId, requestedBy: requestedBy, purpose: purpose, cameraIDs: cameraIds.split(separator: ",").compactMap { UUID(uuidString: String($0)) },
            from: fromAt, until: untilAt, now: createdAt)
        job.id = id
        job.state = ExportJob.State(rawValue: state) ?? .failed
        job.error = error
        job.packageID = packageId
        job.finishedAt = finishedAt?.millisecondPrecision
        return job
    }
}
