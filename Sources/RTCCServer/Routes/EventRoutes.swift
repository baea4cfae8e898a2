import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/events/*`: intake from outside systems, idempotent on the sender's event id, and `/api/v1/hotlist`.
/// Each caller (API token or session) may send ``AppConfig/intakeEventsPerSecond`` events a second; more get 429.
struct EventRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.eventsGunshot) { try await receive(.gunshot, $0, $1, $2) }
        router.add(.eventsPlate) { try await receive(.plateRead, $0, $1, $2) }
        router.add(.eventsCall) { try await receive(.cadCall, $0, $1, $2) }
        router.add(.eventsTip) { try await receive(.tip, $0, $1, $2) }
        router.add(.hotListGet, hotList)
        router.add(.hotListImport, importHotList)
    }

    /// The sending system: the token's name, or the signed-in user.
    static func source(_ identity: Identity) -> String {
        switch identity.credential {
        case .token(_, let name): return "token:\(name)"
        case .session: return "user:\(identity.user.username)"
        }
    }

    func receive(_ kind: LeadEvent.Kind, _ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try context.requireIdentity()
        let caller: String
        switch identity.credential {
        case .token(let id, _): caller = "token:\(id)"
        case .session: caller = "user:\(identity.user.id)"
        }
        if let wait = await services.intakeLimiter.take(caller) {
            throw Problem(
                .tooManyRequests, "this caller sent more than \(services.config.intakeEventsPerSecond) events a second; retry after \(wait) s",
                headers: [.retryAfter: String(wait)])
        }
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let draft = try IntakeDraft.parse(kind, object, area: services.config.intakeArea, now: Date())
        if let camera = draft.cameraID, try await services.store.cameras.find(id: camera) == nil {
            throw ValidationError(field: "cameraID", reason: "no camera has id \(camera.uuidString.lowercased())")
        }
        var located = draft
        if located.location == nil, let camera = draft.cameraID { located.location = try await services.store.cameras.find(id: camera)?.location }
        // A new event is audited (`events.receive`) in the transaction that stores it.
        let receipt = try await LeadDesk(services: services).receive(located, source: Self.source(identity), actor: identity.actor, address: context.source)
        return Response(
            status: receipt.created ? .created : .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: receipt.json())))
    }

    @Sendable func hotList(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let entries = try await services.store.hotList.all()
        return try Reply.json(["items": entries])
    }

    /// `POST /hotlist/import`, a CSV of `plate,state,reason[,expires,note]`: adds or replaces each plate.
    @Sendable func importHotList(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard (request.headers[.contentType] ?? "").lowercased().hasPrefix("text/csv") else {
            throw Problem(.unsupportedMediaType, "send the hot list as text/csv with the header plate,state,reason[,expires,note]")
        }
        let text = String(decoding: try await request.bodyData(context: context), as: UTF8.self)
        let entries = try HotListCSV.parse(text)
        let written = try await services.store.hotList.upsert(entries, by: identity?.actor ?? "anonymous")
        try await services.record("hotlist.import", target: "hotlist", detail: "\(written) plate(s)", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(["imported": written])
    }
}
