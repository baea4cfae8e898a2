import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Footage requests to partner camera owners, in SQL (table `footage_requests`).
public struct FootageRequestRepository: Sendable {
    let database: any Database

    /// Stores a new pending request.
    public func create(
        _ input: FootageRequestInput, partnerID: UUID?, caseID: UUID?, by actor: String, now: Date = Date()
    ) async throws -> FootageRequest {
        let now = now.millisecondPrecision
        let request = FootageRequest(
            id: UUID(), cameraID: input.cameraID, partnerID: partnerID, caseNumber: input.caseNumber.trimmingCharacters(in: .whitespaces), caseID: caseID,
            reason: input.reason.trimmingCharacters(in: .whitespaces), from: input.from.millisecondPrecision, until: input.until.millisecondPrecision,
            status: .pending, requestedBy: actor, createdAt: now, expiresAt: now.addingTimeInterval(Double(input.expiresInHours ?? 72) * 3600),
            decidedAt: nil, declineReason: nil, clipSHA256: nil, clipBytes: nil)
        try await database.sql.insert(into: "footage_requests").model(FootageRequestRow(request), with: rowEncoder).run()
        return request
    }

    /// One request, or nil (expired first if its time ran out).
    public func find(id: UUID, now: Date = Date()) async throws -> FootageRequest? {
        try await expire(now: now)
        return try await database.sql.select().column("*").from("footage_requests").where("id", .equal, id)
            .first(decoding: FootageRequestRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.request
    }

    /// Requests newest first: all of them, one partner's, or one camera's; optionally with one status.
    public func list(
        partnerID: UUID? = nil, cameraID: UUID? = nil, status: FootageRequestStatus? = nil, limit: Int = 100, offset: Int = 0, now: Date = Date()
    ) async throws -> [FootageRequest] {
        try await expire(now: now)
        var select = database.sql.select().column("*").from("footage_requests")
        if let partnerID { select = select.where("partner_id", .equal, partnerID) }
        if let cameraID { select = select.where("camera_id", .equal, cameraID) }
        if let status { select = select.where("status", .equal, status.rawValue) }
        return try await select.orderBy("created_at", .descending).limit(limit).offset(offset)
            .all(decoding: FootageRequestRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.request)
    }

    /// Moves a request from one of `from` to `to` in one statement (so two answers cannot both win).
    /// Returns false when it was not in one of those states.
    public func transition(
        id: UUID, from: Set<FootageRequestStatus>, to: FootageRequestStatus, declineReason: String? = nil, now: Date = Date()
    ) async throws -> Bool {
        try await expire(now: now)
        var update = database.sql.update("footage_requests").set("status", to: to.rawValue)
        if to == .approved || to == .declined { update = update.set("decided_at", to: now.millisecondPrecision) }
        if let declineReason { update = update.set("decline_reason", to: declineReason) }
        let rows = try await update.where("id", .equal, id).where("status", .in, from.map(\.rawValue).sorted()).returning("id").all()
        return !rows.isEmpty
    }

    /// Records the uploaded clip and marks the request fulfilled, if it is still approved.
    public func fulfil(id: UUID, sha256: String, bytes: Int64, path: String, now: Date = Date()) async throws -> Bool {
        let rows = try await database.sql.update("footage_requests")
            .set("status", to: FootageRequestStatus.fulfilled.rawValue).set("clip_sha256", to: sha256).set("clip_bytes", to: bytes)
            .set("clip_path", to: path)
            .where("id", .equal, id).where("status", .equal, FootageRequestStatus.approved.rawValue).returning("id").all()
        return !rows.isEmpty
    }

    /// Where a fulfilled request's clip is stored.
    public func clipPath(id: UUID) async throws -> String? {
        try await database.sql.select().column("clip_path").from("footage_requests").where("id", .equal, id)
            .first(decodingColumn: "clip_path", as: String?.self) ?? nil
    }

    /// Marks pending and approved requests whose answer time ran out as expired; returns how many.
    @discardableResult
    public func expire(now: Date = Date()) async throws -> Int {
        let rows = try await database.sql.update("footage_requests").set("status", to: FootageRequestStatus.expired.rawValue)
            .where("status", .in, [FootageRequestStatus.pending.rawValue, FootageRequestStatus.approved.rawValue])
            .where("expires_at", .lessThanOrEqual, now.millisecondPrecision).returning("id").all()
        return rows.count
    }

    /// How many requests have each status.
    public func countsByStatus() async throws -> [FootageRequestStatus: Int] {
        try await expire()
        let rows = try await database.sql.select().column("status").column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .from("footage_requests").groupBy("status").all()
        var counts: [FootageRequestStatus: Int] = [:]
        for row in rows {
            if let status = FootageRequestStatus(rawValue: try row.decode(column: "status", as: String.self)) {
                counts[status] = try row.decode(column: "n", as: Int.self)
            }
        }
        return counts
    }
}

/// A `footage_requests` row.
struct FootageRequestRow: Codable, Sendable {
    var id: UUID
    var cameraId: UUID
    var partnerId: UUID?
    var caseNumber: String
    var caseId: UUID?
    var reason: String
    var fromAt: Date
    var untilAt: Date
    var status: String
    var requestedBy: String
    var createdAt: Date
    var expiresAt: Date
    var decidedAt: Date?
    var declineReason: String?
    var clipSha256: String?
    var clipBytes: Int64?
    var clipPath: String?

    init(_ request: FootageRequest) {
        id = request.id
        cameraId = request.cameraID
        partnerId = request.partnerID
        caseNumber = request.caseNumber
        caseId = request.caseID
        reason = request.reason
        fromAt = request.from
        untilAt = request.until
        status = request.status.rawValue
        requestedBy = request.requestedBy
        createdAt = request.createdAt
        expiresAt = request.expiresAt
        decidedAt = request.decidedAt
        declineReason = request.declineReason
        clipSha256 = request.clipSHA256
        clipBytes = request.clipBytes
        clipPath = nil
    }

    var request: FootageRequest {
        FootageRequest(
            id: id, cameraID: cameraId, partnerID: partnerId, caseNumber: caseNumber, caseID: caseId, reason: reason, from: fromAt.millisecondPrecision,
            until: untilAt.millisecondPrecision, status: FootageRequestStatus(rawValue: status) ?? .pending, requestedBy: requestedBy,
            createdAt: createdAt.millisecondPrecision, expiresAt: expiresAt.millisecondPrecision, decidedAt: decidedAt?.millisecondPrecision,
            declineReason: declineReason, clipSHA256: clipSha256, clipBytes: clipBytes)
    }
}
