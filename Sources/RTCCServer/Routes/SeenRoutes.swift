import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/seen`: who could have seen a point, and holding their footage.
struct SeenRoutes {
    let services: AppServices

    struct HoldRequest: Decodable {
        var lat: Double
        var lon: Double
        var from: Date
        var until: Date
        var reason: String
        /// With a case number (and `cases:write`), the owners' footage is asked for with stored footage requests.
        var caseNumber: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.seen, seen)
        router.add(.seenHold, hold)
    }

    @Sendable func seen(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let (lat, lon) = (try request.queryDouble("lat"), try request.queryDouble("lon"))
        let until = try request.queryDate("until") ?? Date()
        let from = try request.queryDate("from") ?? until.addingTimeInterval(-3600)
        let report = try await WhoCouldSee(services: services).answer(latitude: lat, longitude: lon, from: from, until: until)
        try await services.record(
            "seen.search", target: "point:\(lat),\(lon)", detail: "\(from.ISO8601Format())/\(until.ISO8601Format()): \(report.cameras.count) cameras",
            by: identity, context: context, purpose: request.purpose)
        return try Reply.json(report)
    }

    @Sendable func hold(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(HoldRequest.self, allowed: ["lat", "lon", "from", "until", "reason", "caseNumber"], context: context)
        let reason = input.reason.trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        do { try WhoCouldSee.validate(latitude: input.lat, longitude: input.lon, from: input.from, until: input.until) } catch { errors = error.errors }
        if reason.isEmpty || reason.count > 200 { errors.append(FieldError(field: "reason", reason: "must be 1-200 characters (a case number and why)")) }
        let caseNumber = input.caseNumber?.trimmingCharacters(in: .whitespaces)
        if let caseNumber {
            guard identity?.permissions.contains(.casesWrite) == true else { throw Problem.forbidden(.casesWrite) }
            if caseNumber.isEmpty || caseNumber.count > 40 { errors.append(FieldError(field: "caseNumber", reason: "must be 1-40 characters")) }
            if input.until.timeIntervalSince(input.from) > CommunityTerms.maxRequestWindow {
                errors.append(FieldError(field: "until", reason: "footage requests cover at most 12 hours; shorten the window or leave out caseNumber"))
            }
        }
        try ValidationError.check(errors)
        let report = try await WhoCouldSee(services: services).answer(latitude: input.lat, longitude: input.lon, from: input.from, until: input.until)
        let actor = identity?.actor ?? "anonymous"
        var holds: [Hold] = [], requests: [FootageRequestDraft] = [], sent: [FootageRequest] = []
        for camera in report.cameras {
            switch camera.footage {
            case .recorded:
                guard let first = camera.recorded.first, let last = camera.recorded.last else { continue }
                let hold = try await services.store.holds.place(cameraID: camera.cameraID, from: first.from, until: last.until, reason: reason, by: actor)
                holds.append(hold)
                try await services.linkWork(toCaseNumbered: caseNumber, kind: .hold, reference: hold.id, by: identity, context: context, purpose: reason)
                try await services.record(
                    "holds.place", target: "camera:\(camera.cameraID)",
                    detail: "\(hold.from.ISO8601Format())/\(hold.until.ISO8601Format()) seen from \(input.lat),\(input.lon)", by: identity,
                    context: context, purpose: reason)
            case .request:
                guard let full = try await services.store.cameras.find(id: camera.cameraID) else { continue }
                var partner: Partner?
                if let id = full.partnerID { partner = try await services.store.partners.find(id: id) }
                requests.append(FootageRequestDraft(camera: full, partner: partner, from: input.from, until: input.until, reason: reason))
                if let caseNumber, partner != nil, try await services.store.community.sharing(cameraID: full.id) != .revoked {
                    let made = try await FootageRequestRoutes.make(
                        FootageRequestInput(cameraID: full.id, caseNumber: caseNumber, reason: reason, from: input.from, until: input.until),
                        services: services, by: identity)
                    sent.append(made)
                    try await services.linkWork(
                        toCaseNumbered: caseNumber, kind: .footageRequest, reference: made.id, by: identity, context: context, purpose: reason)
                    try await services.record(
                        "footage.request", target: FootageRequestRoutes.target(made), detail: "case \(caseNumber), seen from \(input.lat),\(input.lon)",
                        by: identity, context: context, purpose: reason)
                }
            case .notRecorded: continue
            }
        }
        try await services.record(
            "seen.hold", target: "point:\(input.lat),\(input.lon)",
            detail: "\(input.from.ISO8601Format())/\(input.until.ISO8601Format()): \(holds.count) holds, \(requests.count) footage requests drafted, \(sent.count) sent",
            by: identity, context: context, purpose: reason)
        return try Reply.json(SeenHoldResult(seen: report, holds: holds, footageRequests: requests, sentRequests: sent), status: .created)
    }
}
