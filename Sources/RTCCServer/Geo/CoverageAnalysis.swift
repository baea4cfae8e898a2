import Foundation
import RTCCCore
import RTCCGeo

/// How much of an area the registry's cameras see, per DORI level, and where the gaps are.
struct CoverageAnalysis: Sendable {
    /// The most raster cells one request may ask for (area's bounding box ÷ resolution²).
    static let maximumCells = 4_000_000
    /// The finest resolution, metres.
    static let finestResolution = 1.0
    /// The resolution every screen and report uses unless the caller picks another, metres: the map's coverage, the
    /// dashboard and the monthly report measure a venue alike, so their figures agree.
    static let standardResolution = 5.0
    /// The most gap rectangles returned.
    static let maximumGapRectangles = 20_000

    /// The computed coverage.
    struct Result: Sendable {
        var cells: Int
        var cameras: Int
        var buildings: Int
        /// Percent (0…100) of the area in view (`nil` key: any level) and at each DORI level or better.
        var percent: [DORILevel?: Double]
        var gaps: [PlaneBox]
        var gapsTruncated: Bool
        var projection: LocalProjection
    }

    /// Checks a resolution and the cell count it gives over `area`.
    static func check(resolution: Double, area: PlanePolygon) throws(ValidationError) {
        guard resolution.isFinite, resolution >= finestResolution, resolution <= 1000 else {
            throw ValidationError(field: "resolutionM", reason: "must be a number of metres from 1 to 1000")
        }
        let box = area.boundingBox
        let cells = ((box.maxX - box.minX) / resolution).rounded(.up) * ((box.maxY - box.minY) / resolution).rounded(.up)
        guard cells <= Double(maximumCells) else {
            let finest = (((box.maxX - box.minX) * (box.maxY - box.minY)) / Double(maximumCells)).squareRoot().rounded(.up)
            throw ValidationError(
                field: "resolutionM",
                reason: "gives \(Int(cells)) cells, more than the \(maximumCells) allowed: use \(Int(max(finest, 1))) m or coarser, or a smaller area")
        }
    }

    /// Rasterises the index's cameras (those active at `time`, when given) over `polygon`.
    static func compute(_ polygon: GeoPolygon, resolution: Double, index: SightingIndex, at time: Date?, gapsAt level: DORILevel?) async throws -> Result {
        let projection = index.index.projection
        let area = polygon.projected(projection)
        try check(resolution: resolution, area: area)
        let cameras = index.index.cameras.filter { $0.view.isActive(at: time) }
        let raster: CoverageRaster
        do {
            raster = try await CoverageRaster.compute(area: area, resolution: resolution, cameras: cameras, buildings: index.index.buildings)
        } catch {
            throw ValidationError(field: "polygon", reason: error.description)
        }
        var percent: [DORILevel?: Double] = [nil: (raster.coveredFraction() * 1000).rounded() / 10]
        for level in DORILevel.allCases { percent[level] = (raster.coveredFraction(at: level) * 1000).rounded() / 10 }
        let gaps = raster.gaps(at: level, limit: maximumGapRectangles)
        return Result(
            cells: raster.cellsInArea, cameras: cameras.count, buildings: index.buildingCount, percent: percent, gaps: gaps.rectangles,
            gapsTruncated: gaps.truncated, projection: projection)
    }

    /// The one polygon in a GeoJSON value (a Polygon geometry, or a Feature or FeatureCollection holding one).
    static func polygon(geoJSON value: Any, field: String) throws(ValidationError) -> GeoPolygon {
        guard JSONSerialization.isValidJSONObject(value), let data = try? JSONSerialization.data(withJSONObject: value) else {
            throw ValidationError(field: field, reason: "must be a GeoJSON Polygon object")
        }
        let polygons: [GeoPolygon]
        do {
            polygons = try GeoJSONReader.polygons(data)
        } catch {
            throw ValidationError(error.problems.map { FieldError(field: field, reason: $0.message) })
        }
        guard polygons.count == 1, let polygon = polygons.first else {
            throw ValidationError(field: field, reason: "must hold exactly one polygon (found \(polygons.count))")
        }
        return polygon
    }
}
