import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/holds`: evidence holds that keep recorded ranges from retention until released.
struct HoldRoutes {
    let services: AppServices

    struct NewHold: Decodable {
        var cameraID: UUID?
        var from: Date
        var until: Date
        var reason: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.holdsList, list)
        router.add(.holdsCreate, create)
        router.add(.holdRelease, release)
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        try Reply.json(try await services.store.holds.active(cameraID: try request.queryUUID("cameraID")))
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(NewHold.self, allowed: ["cameraID", "from", "until", "reason"], context: context)
        var errors: [FieldError] = []
        if input.until <= input.from { errors.append(FieldError(field: "until", reason: "must be after from")) }
        let reason = input.reason.trimmingCharacters(in: .whitespaces)
        if reason.isEmpty || reason.count > 200 {
            errors.append(FieldError(field: "reason", reason: "must be 1-200 characters (a case number and why)"))
        }
        if let camera = input.cameraID, try await services.store.cameras.find(id: camera) == nil {
            errors.append(FieldError(field: "cameraID", reason: "no camera has id \(camera.uuidString)"))
        }
        try ValidationError.check(errors)
        let actor = identity?.actor ?? "anonymous"
        let hold = try await services.store.holds.place(cameraID: input.cameraID, from: input.from, until: input.until, reason: reason, by: actor)
        try await services.record(
            "holds.place", target: input.cameraID.map { "camera:\($0)" } ?? "all cameras",
            detail: "\(input.from.ISO8601Format())/\(input.until.ISO8601Format())", by: identity, context: context, purpose: reason)
        return try Reply.json(hold, status: .created)
    }

    @Sendable func release(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("hold")
        guard try await services.store.holds.release(id: id) else { throw Problem.notFound("active hold") }
        try await services.record("holds.release", target: "hold:\(id)", by: identity, context: context, purpose: request.purpose)
        return Reply.noContent
    }
}
