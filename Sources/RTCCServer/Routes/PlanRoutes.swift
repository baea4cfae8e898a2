import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RTCCCore
import RTCCGeo
import RTCCStore

/// `/api/v1/plans` and `/api/v1/coverage/replay`: where to put new cameras (computed at once, not stored), and how
/// past incidents fared against the cameras there and a proposed plan.
struct PlanRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.plansCreate, plan)
        router.add(.coverageReplay, replay)
    }

    /// How a plan is answered: JSON with both exports inside, or one export on its own.
    enum Format: String, CaseIterable {
        case json, geojson, csv
    }

    @Sendable func plan(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let format = try request.queryEnum("format", Format.self) ?? .json
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let planRequest = try await PlanRequest.read(object, store: services.store)
        let index = try await services.sightingIndexes.index(services.store)
        let result = try await PlacementPlanning.solve(planRequest, index: index, store: services.store)
        let plan = result.plan
        try await services.record(
            "plan.compute", target: planRequest.area?.name ?? "candidates",
            detail: "\(plan.choices.count) of \(result.candidates) sites, \(Int((plan.guaranteedFraction * 100).rounded()))% of the bound",
            by: identity, context: context, purpose: request.purpose)
        return try Self.reply(result, for: planRequest, format: format)
    }

    /// A solved plan as JSON (with both exports inside), GeoJSON or CSV.
    static func reply(_ result: PlacementPlanning, for planRequest: PlanRequest, format: Format) throws -> Response {
        let plan = result.plan
        let geoJSON = PlanWriter.geoJSON(plan, option: result.option, projection: result.projection)
        switch format {
        case .geojson: return Reply.text(String(decoding: geoJSON, as: UTF8.self), contentType: "application/geo+json", filename: "plan.geojson")
        case .csv: return Reply.text(PlanWriter.csv(plan), contentType: "text/csv", filename: "plan.csv")
        case .json: break
        }
        let covered = plan.totalWeight > 0 ? (plan.alreadyCoveredWeight + plan.value) / plan.totalWeight : 0
        let body: [String: Any] = [
            "budget": planRequest.budget, "candidates": result.candidates, "demandCells": result.demandCells,
            "incidents": result.incidents.map { $0 as Any } ?? NSNull(), "existingCameras": result.existingCameras,
            "value": plan.value, "upperBound": plan.upperBound, "percentOfBound": (plan.guaranteedFraction * 1000).rounded() / 10,
            "totalWeight": plan.totalWeight, "alreadyCoveredWeight": plan.alreadyCoveredWeight, "coveredPercent": (covered * 1000).rounded() / 10,
            "camera": ["fovDeg": result.option.fieldOfView, "rangeM": result.option.range, "headings": result.option.headings],
            "chosen": plan.choices.enumerated().map { rank, choice -> [String: Any] in
                [
                    "rank": rank + 1, "site": choice.siteIndex, "name": choice.site.name, "latitude": choice.site.position.latitude,
                    "longitude": choice.site.position.longitude, "headingDeg": choice.heading, "fovDeg": result.option.fieldOfView,
                    "rangeM": result.option.range, "mountHeightM": choice.site.mountHeight, "uniqueWeight": choice.uniqueWeight,
                ]
            },
            "geojson": try JSONSerialization.jsonObject(with: geoJSON), "csv": PlanWriter.csv(plan),
        ]
        return Self.json(body)
    }

    @Sendable func replay(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let index = try await services.sightingIndexes.index(services.store)
        let result = try await ReplayAnalysis.run(object, index: index, store: services.store)
        let summary = result.summary
        try await services.record(
            "coverage.replay", target: result.source,
            detail: "\(result.outcomes.count) incidents: \(summary.seen) seen, \(summary.coveredByPlan) by plan, \(summary.gap) gap",
            by: identity, context: context, purpose: request.purpose)
        let body: [String: Any] = [
            "source": result.source, "cameras": index.cameras.count, "proposed": result.proposed,
            "counts": ["total": result.outcomes.count, "seen": summary.seen, "coveredByPlan": summary.coveredByPlan, "gap": summary.gap],
            "incidents": result.outcomes.map { outcome -> [String: Any] in
                [
                    "time": outcome.incident.time.formatted(.iso8601), "type": outcome.incident.type,
                    "latitude": outcome.incident.location.latitude, "longitude": outcome.incident.location.longitude,
                    "verdict": outcome.verdict.rawValue,
                    "seenBy": outcome.seenBy.map { sighting -> [String: Any] in
                        let camera = index.cameras[sighting.cameraIndex]
                        return ["cameraID": camera.id.uuidString, "name": camera.name, "distanceM": (sighting.distance * 10).rounded() / 10]
                    },
                    "proposedSeenBy": outcome.proposedSeenBy.map(\.cameraID),
                ]
            },
        ]
        return Self.json(body)
    }

    static func json(_ body: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
