import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/partners`: businesses and homeowners in the community camera program.
struct PartnerRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.partnersList, list)
        router.add(.partnersCreate, create)
        router.add(.partnerGet, get)
        router.add(.partnerUpdate, update)
        router.add(.partnerDelete, delete)
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let page = try await services.store.partners.list(
            status: try request.queryEnum("status", Partner.Status.self), limit: try request.queryInt("limit", in: 1...1000, default: 50),
            offset: try request.queryInt("offset", in: 0...10_000_000, default: 0))
        try await services.record("partners.search", detail: request.uri.query ?? "", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(page)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard let partner = try await services.store.partners.find(id: id) else { throw Problem.notFound("partner") }
        try await services.record("partners.view", target: "partner:\(id)", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(partner)
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let draft = try await request.decodeStrict(PartnerDraft.self, allowed: PartnerDraft.allowedKeys, context: context)
        try draft.validate()
        let partner = try await services.store.partners.create(draft)
        try await services.record("partners.create", target: "partner:\(partner.id)", detail: partner.name, by: identity, context: context)
        return try Reply.json(partner, status: .created)
    }

    @Sendable func update(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard let existing = try await services.store.partners.find(id: id) else { throw Problem.notFound("partner") }
        let (draft, keys) = try await request.mergePatch(
            PartnerDraft.self, over: existing, allowed: PartnerDraft.allowedKeys, noun: "partner", context: context)
        try draft.validate()
        guard let partner = try await services.store.partners.update(id: id, with: draft) else { throw Problem.notFound("partner") }
        try await services.record(
            "partners.update", target: "partner:\(id)", detail: "fields: \(keys.joined(separator: ","))", by: identity, context: context)
        return try Reply.json(partner)
    }

    @Sendable func delete(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard try await services.store.partners.delete(id: id) else { throw Problem.notFound("partner") }
        try await services.record("partners.delete", target: "partner:\(id)", by: identity, context: context)
        return Reply.noContent
    }
}
