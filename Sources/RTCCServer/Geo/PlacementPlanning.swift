import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// Turns a ``PlanRequest`` into an RTCCGeo ``PlacementProblem`` in the registry's plane (so the cameras already there,
/// and the building footprints, count), solves it, and keeps what the reply and the exports need.
struct PlacementPlanning: Sendable {
    /// The most demand cells one plan may use.
    static let maximumCells = 250_000
    /// The most stored incidents one plan may weigh.
    static let maximumIncidents = 100_000

    /// The solved plan and its context.
    var plan: PlacementPlan
    var option: CameraOption
    var projection: LocalProjection
    var candidates: Int
    var demandCells: Int
    var incidents: Int?
    var existingCameras: Int

    /// Builds and solves the problem `request` describes.
    static func solve(_ request: PlanRequest, index: SightingIndex, store: Store) async throws -> PlacementPlanning {
        let projection = index.index.projection
        let area = request.area.map { $0.polygon.projected(projection) }
        let sites: [CandidateSite]
        switch request.candidates {
        case .sites(let given): sites = given
        case .grid(let spacing, let mountHeight): sites = try grid(area, spacing: spacing, mountHeight: mountHeight, projection: projection)
        }
        guard sites.count * request.option.headings.count <= PlanRequest.maximumOptions else {
            throw ValidationError(
                field: "camera.headings",
                reason: "\(sites.count) sites × \(request.option.headings.count) headings is more than the \(PlanRequest.maximumOptions) options allowed: use fewer sites or headings")
        }
        if request.budget > sites.count {
            throw ValidationError(field: "budget", reason: PlanningError.budgetExceedsCandidates(budget: request.budget, candidates: sites.count).description)
        }
        var incidentCount: Int?
        let demand: DemandGrid
        do {
            switch request.demand {
            case .uniform:
                guard let area else { throw ValidationError(field: "polygon", reason: "uniform demand needs an area") }
                try checkCells(area.boundingBox, request.cellSize)
                demand = try DemandGrid.uniform(over: area, cellSize: request.cellSize)
            case .incidents(let from, let until, let bandwidth):
                let points = try await incidents(store, from: from, until: until).map { projection.project(Coordinate(latitude: $0.location.latitude, longitude: $0.location.longitude)) }
                incidentCount = points.count
                guard let box = PlaneBox(enclosing: points) else {
                    throw ValidationError(field: "demand.from", reason: "no incidents are stored between from and until: widen the range or use uniform demand")
                }
                let reach = 3 * bandwidth
                try checkCells(area?.boundingBox ?? PlaneBox(minX: box.minX - reach, minY: box.minY - reach, maxX: box.maxX + reach, maxY: box.maxY + reach), request.cellSize)
                demand = try DemandGrid.kernelDensity(incidents: points, cellSize: request.cellSize, bandwidth: bandwidth, area: area)
            }
        } catch let error as PlanningError {
            throw ValidationError(field: "demand", reason: error.description)
        }
        let existing = request.countExisting
            ? index.index.cameras.enumerated().filter { offset, _ in
                request.existingActiveDuring.map { index.cameras[offset].isActive(from: $0.start, until: $0.end) } ?? true
            }.map(\.element.view)
            : []
        let problem: PlacementProblem
        do {
            problem = try PlacementProblem(
                projection: projection, sites: sites, option: request.option, demand: demand, budget: request.budget, existing: existing,
                buildings: index.index.buildings)
        } catch {
            throw ValidationError(field: field(for: error), reason: error.description)
        }
        return PlacementPlanning(
            plan: PlacementOptimizer.solve(problem), option: request.option, projection: projection, candidates: sites.count,
            demandCells: demand.points.count, incidents: incidentCount, existingCameras: existing.count)
    }

    /// The request field a planning error is about.
    static func field(for error: PlanningError) -> String {
        switch error {
        case .noCandidates: "candidates"
        case .budgetNotPositive, .budgetExceedsCandidates: "budget"
        case .noHeadings: "camera.headings"
        case .invalidCamera: "camera"
        case .levelNeedsResolution: "camera.pixels"
        case .noDemand, .invalidWeight, .weightCountMismatch, .lengthNotPositive, .tooManyCells: "demand"
        }
    }

    static func checkCells(_ box: PlaneBox, _ cellSize: Double) throws(ValidationError) {
        let cells = ((box.maxX - box.minX) / cellSize).rounded(.up) * ((box.maxY - box.minY) / cellSize).rounded(.up)
        guard cells <= Double(maximumCells) else {
            let coarsest = (((box.maxX - box.minX) * (box.maxY - box.minY)) / Double(maximumCells)).squareRoot().rounded(.up)
            throw ValidationError(
                field: "cellM",
                reason: "gives \(Int(min(cells, 1e15))) demand cells, more than the \(maximumCells) allowed: use \(Int(max(coarsest, 1))) m cells or more, or a smaller area")
        }
    }

    /// Stored incidents in `[from, until)`, refused when there are more than ``maximumIncidents``.
    static func incidents(_ store: Store, from: Date, until: Date) async throws -> [RTCCCore.Incident] {
        let page = try await store.incidents.list(from: from, until: until, category: nil, limit: maximumIncidents, offset: 0)
        guard page.total <= maximumIncidents else {
            throw ValidationError(field: "demand.from", reason: "\(page.total) incidents fall in the range, more than the \(maximumIncidents) allowed: narrow it")
        }
        return page.items
    }

    /// Sites every `spacing` metres inside `area`, named `grid-<row>-<column>`.
    static func grid(_ area: PlanePolygon?, spacing: Double, mountHeight: Double, projection: LocalProjection) throws(ValidationError) -> [CandidateSite] {
        guard let area else { throw ValidationError(field: "candidateGrid", reason: "a grid of sites needs an area") }
        let box = area.boundingBox
        let columns = Int(((box.maxX - box.minX) / spacing).rounded(.down)) + 1, rows = Int(((box.maxY - box.minY) / spacing).rounded(.down)) + 1
        guard Double(columns) * Double(rows) <= Double(PlanRequest.maximumCandidates) * 4 else {
            throw ValidationError(field: "candidateGrid.spacingM", reason: "gives too many sites for this area: use a wider spacing")
        }
        let x0 = box.minX + ((box.maxX - box.minX) - Double(columns - 1) * spacing) / 2
        let y0 = box.minY + ((box.maxY - box.minY) - Double(rows - 1) * spacing) / 2
        var sites: [CandidateSite] = []
        for row in 0..<rows {
            for column in 0..<columns {
                let point = PlanePoint(x: x0 + Double(column) * spacing, y: y0 + Double(row) * spacing)
                guard area.contains(point) else { continue }
                sites.append(CandidateSite(name: "grid-\(row + 1)-\(column + 1)", position: projection.unproject(point), mountHeight: mountHeight))
            }
        }
        guard !sites.isEmpty else { throw ValidationError(field: "candidateGrid.spacingM", reason: "leaves no site inside the area: use a smaller spacing") }
        guard sites.count <= PlanRequest.maximumCandidates else {
            throw ValidationError(
                field: "candidateGrid.spacingM", reason: "gives \(sites.count) sites, more than the \(PlanRequest.maximumCandidates) allowed: use a wider spacing")
        }
        return sites
    }
}
