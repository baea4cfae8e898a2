import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/audit`, `/api/v1/incidents`, `/api/v1/venues`: read-only records.
struct RecordRoutes {
    let services: AppServices

    struct VerifyResult: Encodable {
        var intact: Bool
        var entries: Int?
        var brokenAt: Int64?
        var reason: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.auditList, auditList)
        router.add(.auditVerify, auditVerify)
        router.add(.incidentsList, incidents)
        router.add(.venuesList, venues)
    }

    @Sendable func auditList(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let entries = try await services.audit.entries(
            actor: request.uri.queryParameters["actor"].map(String.init), action: request.uri.queryParameters["action"].map(String.init),
            limit: try request.queryInt("limit", in: 1...1000, default: 100), offset: try request.queryInt("offset", in: 0...100_000_000, default: 0))
        try await services.record("audit.search", detail: request.uri.query ?? "", by: identity, context: context)
        return try Reply.json(entries)
    }

    @Sendable func auditVerify(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let result = try await services.audit.verify()
        try await services.record("audit.verify", detail: "\(result)", by: identity, context: context)
        switch result {
        case .intact(let entries): return try Reply.json(VerifyResult(intact: true, entries: entries))
        case .broken(let sequence, let reason): return try Reply.json(VerifyResult(intact: false, brokenAt: sequence, reason: reason))
        }
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
