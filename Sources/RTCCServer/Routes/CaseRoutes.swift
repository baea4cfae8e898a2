import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/cases`: open, search, view and change cases; link cameras, incidents, events and alerts; add notes.
/// Every action is appended to the audit log under the case's target, which the custody report reads.
struct CaseRoutes {
    let services: AppServices

    struct NewLink: Decodable {
        var kind: CaseLink.Kind
        var reference: String
    }

    struct NewNote: Decodable {
        var text: String
    }

    static let draftFields: Set<String> = ["number", "type", "location", "point", "occurredAt", "occurredUntil", "status"]

    func register(on router: Router<AppRequestContext>) {
        router.add(.casesList, search)
        router.add(.casesCreate, create)
        router.add(.caseGet, get)
        router.add(.caseUpdate, update)
        router.add(.caseLink, link)
        router.add(.caseNote, note)
    }

    @Sendable func search(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        var query = CaseQuery(
            text: request.uri.queryParameters.get("q"), status: try request.queryEnum("status", EvidenceCase.Status.self),
            from: try request.queryDate("from"), until: try request.queryDate("until"), cameraID: try request.queryUUID("cameraID"))
        query.limit = try request.queryInt("limit", in: 1...500, default: 50)
        query.offset = try request.queryInt("offset", in: 0...10_000_000, default: 0)
        let page = try await services.store.cases.search(query)
        try await services.record("cases.search", detail: request.uri.query ?? "", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(page)
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let draft = try await request.decodeStrict(CaseDraft.self, allowed: Self.draftFields, context: context).validated()
        let created = try await services.store.cases.create(draft, by: identity?.actor ?? "anonymous")
        try await services.record(
            "cases.create", target: Store.auditTarget(caseID: created.id), detail: "\(created.number) (\(created.type))", by: identity, context: context,
            purpose: request.purpose)
        return try Reply.json(created, status: .created)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await Self.find(context, services)
        try await services.record("cases.view", target: Store.auditTarget(caseID: found.id), detail: found.number, by: identity, context: context, purpose: request.purpose)
        return try Reply.json(found)
    }

    @Sendable func update(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await Self.find(context, services)
        let current = CaseDraft(
            number: existing.number, type: existing.type, location: existing.location, point: existing.point, occurredAt: existing.occurredAt,
            occurredUntil: existing.occurredUntil, status: existing.status)
        let (patched, keys) = try await request.mergePatch(CaseDraft.self, over: current, allowed: Self.draftFields, noun: "case", context: context)
        guard let updated = try await services.store.cases.update(id: existing.id, with: try patched.validated()) else { throw Problem.notFound("case") }
        var detail = "changed \(keys.joined(separator: ", "))"
        if updated.status != existing.status { detail += "; status \(existing.status.rawValue) → \(updated.status.rawValue)" }
        try await services.record("cases.update", target: Store.auditTarget(caseID: existing.id), detail: detail, by: identity, context: context, purpose: request.purpose)
        return try Reply.json(updated)
    }

    @Sendable func link(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await Self.find(context, services)
        let input = try await request.decodeStrict(NewLink.self, allowed: ["kind", "reference"], context: context)
        guard CaseLink.Kind.linkedByHand.contains(input.kind) else {
            throw ValidationError(
                field: "kind",
                reason: "\(input.kind.rawValue) links are added by the work itself (an export, a playback or hold under the case number, a footage request); "
                    + "link a camera, incident, event or alert")
        }
        var reference = input.reference.trimmingCharacters(in: .whitespaces)
        if input.kind == .camera || input.kind == .incident {
            guard let id = UUID(uuidString: reference) else { throw ValidationError(field: "reference", reason: "must be the \(input.kind.rawValue)'s id (a UUID)") }
            reference = id.uuidString.lowercased()
            if input.kind == .camera, try await services.store.cameras.find(id: id) == nil {
                throw ValidationError(field: "reference", reason: "no camera has id \(reference)")
            }
        } else if reference.isEmpty || reference.count > 100 {
            throw ValidationError(field: "reference", reason: "must be 1-100 characters")
        }
        let added = try await services.store.cases.link(caseID: existing.id, kind: input.kind, reference: reference, by: identity?.actor ?? "anonymous")
        if added {
            try await services.record(
                "cases.link", target: Store.auditTarget(caseID: existing.id), detail: "\(input.kind.rawValue):\(reference)", by: identity, context: context,
                purpose: request.purpose)
        }
        return try Reply.json(try await services.store.cases.find(id: existing.id), status: added ? .created : .ok)
    }

    @Sendable func note(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await Self.find(context, services)
        let input = try await request.decodeStrict(NewNote.self, allowed: ["text"], context: context)
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 4000 else { throw ValidationError(field: "text", reason: "must be 1-4000 characters") }
        let note = try await services.store.cases.addNote(caseID: existing.id, text: text, by: identity?.actor ?? "anonymous")
        try await services.record(
            "cases.note", target: Store.auditTarget(caseID: existing.id), detail: "note \(note.id.uuidString.lowercased())", by: identity, context: context,
            purpose: request.purpose)
        return try Reply.json(note, status: .created)
    }

    /// The case named by the `{id}` path parameter, or a 404.
    static func find(_ context: AppRequestContext, _ services: AppServices) async throws -> EvidenceCase {
        guard let found = try await services.store.cases.find(id: try context.pathID("case")) else { throw Problem.notFound("case") }
        return found
    }
}
