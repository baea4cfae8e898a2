import Foundation
import Hummingbird
import RTCCCore
import RTCCMedia
import RTCCStore

/// `/api/v1/cameras/{id}/analytics`: a camera's motion zones, sensitivity, minimum area, schedule and object rules.
struct AnalyticsRoutes {
    let services: AppServices

    struct View: Encodable {
        var cameraID: UUID
        var settings: AnalyticsSettings?
        var updatedBy: String?
        var updatedAt: Date?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.cameraAnalyticsGet, get)
        router.add(.cameraAnalyticsPut, put)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        let stored = try await services.store.analytics.find(cameraID: camera.id)
        return try Reply.json(View(
            cameraID: camera.id, settings: try stored.map { try AnalyticsSettings.parse(Data($0.settings.utf8)) }, updatedBy: stored?.updatedBy,
            updatedAt: stored?.updatedAt))
    }

    @Sendable func put(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        let settings = try AnalyticsSettings.parse(try await request.bodyData(context: context))
        if let detection = settings.detection { try DetectionClient.checkServiceURL(detection.url, policy: services.config.outboundNetworks) }
        let text = String(decoding: try JSONCoding.encoder.encode(settings), as: UTF8.self)
        let actor = identity?.actor ?? "anonymous"
        try await services.store.analytics.save(cameraID: camera.id, settings: text, by: actor)
        await services.registryChanged()
        try await services.record(
            "analytics.update", target: "camera:\(camera.id)",
            detail: "\(settings.enabled ? "on" : "off"), \(settings.motion.zones.count) zone(s), \(settings.detection?.rules.count ?? 0) rule(s)", by: identity,
            context: context, purpose: request.purpose)
        return try Reply.json(View(cameraID: camera.id, settings: settings, updatedBy: actor, updatedAt: Date()))
    }
}
