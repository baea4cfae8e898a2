import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RTCCCore
import RTCCGeo
import RTCCStore

/// `/api/v1/coverage`, `/api/v1/buildings` and `/api/v1/map`: how much of an area is seen, the footprints that block
/// sight lines, and the map's settings.
struct CoverageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.coverage, coverage)
        router.add(.buildingsReplace, replaceBuildings)
        router.add(.mapSettings, mapSettings)
    }

    struct MapSettings: Encodable {
        var tileURL: String?
        var centre: GeoPoint
        var cameras: Int
        var buildings: Int
    }

    @Sendable func mapSettings(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let index = try await services.sightingIndexes.index(services.store)
        let origin = index.index.projection.origin
        return try Reply.json(MapSettings(
            tileURL: services.config.mapTileURL, centre: GeoPoint(latitude: origin.latitude, longitude: origin.longitude),
            cameras: index.cameras.count, buildings: index.buildingCount))
    }

    @Sendable func coverage(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let allowed: Set<String> = ["polygon", "venueID", "resolutionM", "at", "level"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Problem.badRequest(field: unknown, "is not a known field (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        guard let area = try await AreaInput.read(object, store: services.store) else { throw ValidationError(field: "polygon", reason: "is required") }
        let (polygon, areaName) = (area.polygon, area.name)
        let resolution = try number(object["resolutionM"], field: "resolutionM") ?? CoverageAnalysis.standardResolution
        let level = try object["level"].map { value in
            guard let name = value as? String, let level = DORILevel(name: name) else {
                throw ValidationError(field: "level", reason: "must be detect, observe, recognise or identify")
            }
            return level
        }
        let at = try object["at"].map { value in
            guard let text = value as? String, let date = ISO8601Time.parse(text) else {
                throw ValidationError(field: "at", reason: "must be an ISO 8601 time such as 2026-11-01T00:00:00Z")
            }
            return date
        } ?? Date()
        let index = try await services.sightingIndexes.index(services.store)
        let result = try await CoverageAnalysis.compute(polygon, resolution: resolution, index: index, at: at, gapsAt: level)
        try await services.record(
            "coverage.compute", target: areaName, detail: "\(resolution) m: \(result.percent[nil] ?? 0)% in view", by: identity, context: context,
            purpose: request.purpose)
        var percent: [String: Double] = ["any": result.percent[nil] ?? 0]
        for level in DORILevel.allCases { percent[level.name] = result.percent[level] ?? 0 }
        let gaps = PlanWriter.gapsGeoJSON(result.gaps, projection: result.projection, properties: ["kind": "gap", "level": level?.name ?? "any"])
        let body: [String: Any] = [
            "area": areaName, "at": at.ISO8601Format(), "resolutionM": resolution, "cells": result.cells, "cameras": result.cameras, "buildings": result.buildings,
            "coveredPercent": percent, "gapLevel": level?.name ?? "any", "gapRectangles": result.gaps.count, "gapsTruncated": result.gapsTruncated,
            "gaps": try JSONSerialization.jsonObject(with: gaps),
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func number(_ value: Any?, field: String) throws -> Double? {
        guard let value else { return nil }
        guard let number = value as? Double else { throw ValidationError(field: field, reason: "must be a number") }
        return number
    }

    @Sendable func replaceBuildings(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let data = try await request.bodyData(context: context)
        let polygons: [GeoPolygon]
        do {
            polygons = try GeoJSONReader.polygons(data)
        } catch {
            throw ValidationError(error.problems.map { FieldError(field: $0.location ?? "body", reason: $0.message) })
        }
        let footprints = polygons.map { polygon in
            BuildingFootprint(rings: polygon.rings.map { $0.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) } })
        }
        try await services.store.buildings.replaceAll(footprints)
        try await services.record("buildings.replace", target: "buildings", detail: "\(footprints.count) footprints", by: identity, context: context)
        return try Reply.json(["buildings": footprints.count])
    }
}
