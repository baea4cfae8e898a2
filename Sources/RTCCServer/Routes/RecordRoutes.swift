import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/audit` (list, search, CSV export, chain check), `/api/v1/incidents`, `/api/v1/venues`: read-only records.
struct RecordRoutes {
    let services: AppServices

    /// `GET /audit/verify`: every break, and the first one again as `brokenAt`/`reason`.
    struct VerifyResult: Encodable {
        var intact: Bool
        var entries: Int
        var checkpointsChecked: Int
        var lastCheckpointAt: Date?
        var breaks: [AuditBreak]
        var brokenAt: Int64?
        var reason: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.auditList, auditList)
        router.add(.auditVerify, auditVerify)
        router.add(.auditExport, auditExport)
        router.add(.incidentsList, incidents)
        router.add(.venuesList, venues)
    }

    @Sendable func auditList(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let entries = try await services.audit.entries(
            try Self.auditQuery(request),
            limit: try request.queryInt("limit", in: 1...1000, default: 100), offset: try request.queryInt("offset", in: 0...100_000_000, default: 0))
        try await services.record("audit.search", detail: request.uri.query ?? "", by: identity, context: context)
        return try Reply.json(entries)
    }

    /// `GET /audit.csv`: the entries the same filters select, oldest first, as CSV (cells neutralised against formulas).
    @Sendable func auditExport(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let entries = try await services.audit.entries(
            try Self.auditQuery(request),
            limit: try request.queryInt("limit", in: 1...100_000, default: 10_000), offset: try request.queryInt("offset", in: 0...100_000_000, default: 0))
        try await services.record("audit.export", detail: "entries=\(entries.count); \(request.uri.query ?? "")", by: identity, context: context)
        var csv = CSVTable.line(["sequence", "at", "actor", "action", "target", "source", "purpose", "detail", "previous_hash", "hash"])
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for entry in entries.reversed() {
            csv += CSVTable.line([
                String(entry.sequence), entry.at.ISO8601Format(time), entry.actor, entry.action, entry.target, entry.source, entry.purpose ?? "",
                entry.detail, entry.previousHash, entry.hash,
            ])
        }
        return Reply.text(csv, contentType: "text/csv; charset=utf-8", filename: "audit.csv")
    }

    /// The audit filters of the query string. Text filters match exactly, or as a prefix when they end in `*`
    /// (`action=auth.*`); `from` and `until` are ISO 8601 times, `from` inclusive, `until` exclusive. Each bad value is a
    /// 400 naming its parameter.
    static func auditQuery(_ request: Request) throws -> AuditQuery {
        func match(_ name: String) throws -> AuditQuery.Match? {
            guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
            guard text.count <= 500 else { throw Problem.badRequest(field: name, "is longer than 500 characters") }
            guard let match = AuditQuery.Match(searchText: text) else {
                throw Problem.badRequest(field: name, "may hold `*` only at its end, to match what starts with the text before it (auth.*)")
            }
            return match
        }
        let query = AuditQuery(
            actor: try match("actor"), action: try match("action"), target: try match("target"), purpose: try match("purpose"),
            source: try match("source"), from: try request.queryDate("from"), until: try request.queryDate("until"))
        if let from = query.from, let until = query.until, from >= until {
            throw Problem.badRequest(field: "from", "must be before until")
        }
        return query
    }

    @Sendable func auditVerify(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let checkpoints = AuditCheckpoints(config: services.config)
        let result = try await checkpoints.verify(services.audit)
        try await services.record("audit.verify", detail: result.summary, by: identity, context: context)
        return try Reply.json(VerifyResult(
            intact: result.isIntact, entries: result.entries, checkpointsChecked: result.checkpointsChecked,
            lastCheckpointAt: try checkpoints.newest()?.at, breaks: result.breaks, brokenAt: result.firstBreak?.sequence,
            reason: result.firstBreak?.reason))
    }

    @Sendable func incidents(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let page = try await services.store.incidents.list(
            from: try request.queryDate("from"), until: try request.queryDate("until"),
            category: try request.queryEnum("category", Incident.Category.self),
            limit: try request.queryInt("limit", in: 1...5000, default: 100), offset: try request.queryInt("offset", in: 0...10_000_000, default: 0))
        try await services.record("incidents.search", detail: request.uri.query ?? "", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(page)
    }

    @Sendable func venues(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        try Reply.json(try await services.store.incidents.venues())
    }
}
