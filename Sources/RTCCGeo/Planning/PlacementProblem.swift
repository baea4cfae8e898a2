import Foundation

/// A camera placement problem: candidate sites, the camera that could go on them, demand to cover, the cameras already
/// there, and how many new cameras to place.
///
/// Building it validates everything and works out, for every site and heading, which demand cells that camera would
/// cover (in range, in the field of view, not behind a building, and at the required DORI level if one is set). Cells
/// the existing cameras already cover are taken out of the demand: they count as covered and earn a plan nothing.
public struct PlacementProblem: Sendable {
    /// The plane everything is placed in.
    public let projection: LocalProjection
    /// The candidate sites.
    public let sites: [CandidateSite]
    /// The camera for every site.
    public let option: CameraOption
    /// The demand.
    public let demand: DemandGrid
    /// Most new cameras to place.
    public let budget: Int
    /// Total demand weight.
    public let totalWeight: Double
    /// Demand weight the existing cameras already cover.
    public let alreadyCoveredWeight: Double
    /// Covered cells of each (site, heading) pair, flattened.
    let sets: CoverageSets

    /// Validates the inputs and computes what each site-heading pair covers.
    public init(
        projection: LocalProjection, sites: [CandidateSite], option: CameraOption, demand: DemandGrid, budget: Int,
        existing: [CameraView] = [], buildings: BuildingIndex? = nil
    ) throws(PlanningError) {
        guard !sites.isEmpty else { throw .noCandidates }
        guard budget > 0 else { throw .budgetNotPositive(budget) }
        guard budget <= sites.count else { throw .budgetExceedsCandidates(budget: budget, candidates: sites.count) }
        guard !option.headings.isEmpty else { throw .noHeadings }
        guard demand.weights.contains(where: { $0 > 0 }) else { throw .noDemand }
        if let level = option.requiredLevel, option.horizontalPixels == nil { throw .levelNeedsResolution(level) }
        var views: [[PlanarCamera]] = []
        views.reserveCapacity(sites.count)
        for (index, site) in sites.enumerated() {
            var row: [PlanarCamera] = []
            for heading in option.headings {
                do {
                    var view = try CameraView(
                        id: site.name, position: site.position, mountHeight: site.mountHeight, heading: heading, fieldOfView: option.fieldOfView,
                        range: option.range, horizontalPixels: option.horizontalPixels)
                    if let level = option.requiredLevel, let reach = view.doriRange(level) {
                        view = try CameraView(
                            id: site.name, position: site.position, mountHeight: site.mountHeight, heading: heading,
                            fieldOfView: option.fieldOfView, range: max(reach, 1e-6), horizontalPixels: option.horizontalPixels)
                    }
                    row.append(PlanarCamera(view, in: projection))
                } catch {
                    throw .invalidCamera(site: index, error)
                }
            }
            views.append(row)
        }
        self.projection = projection
        self.sites = sites
        self.option = option
        self.demand = demand
        self.budget = budget
        let existingCameras = existing.map { PlanarCamera($0, in: projection) }
        sets = CoverageSets(
            candidates: views, existing: existingCameras, requiredLevel: option.requiredLevel, demand: demand, buildings: buildings)
        totalWeight = demand.weights.reduce(0, +)
        alreadyCoveredWeight = sets.alreadyCoveredWeight
    }

    /// Number of (site, heading) pairs.
    public var optionCount: Int { sets.optionCount }

    /// Demand weight of each cell after existing coverage (0 where an existing camera covers it).
    public var remainingWeights: [Double] { sets.weights }

    /// The demand cells (indices into ``demand``) a camera on site `site` at heading `heading` (an index into the
    /// option's headings) would cover, leaving out those already covered.
    public func coveredCells(site: Int, heading: Int) -> [Int] {
        sets.cells(of: site * sets.headingsPerSite + heading).map { Int($0) }
    }
}

/// For each (site, heading) option, the demand cells it covers (CSR layout), with weights after existing coverage.
struct CoverageSets: Sendable {
    let headingsPerSite: Int
    let optionCount: Int
    /// Cells of option o are `cells[starts[o]..<starts[o + 1]]`.
    let starts: [Int]
    let cells: [Int32]
    /// Demand weight per cell, 0 where an existing camera covers it.
    let weights: [Double]
    let alreadyCoveredWeight: Double
    /// Plane positions of the sites.
    let sitePositions: [PlanePoint]

    init(candidates: [[PlanarCamera]], existing: [PlanarCamera], requiredLevel: DORILevel?, demand: DemandGrid, buildings: BuildingIndex?) {
        headingsPerSite = candidates.first?.count ?? 0
        optionCount = candidates.count * headingsPerSite
        sitePositions = candidates.map { $0.first?.position ?? PlanePoint(x: 0, y: 0) }
        let reach = max(candidates.flatMap { $0 }.map(\.view.range).max() ?? 1, existing.map(\.view.range).max() ?? 1)
        let cellSize = max(reach, 1)
        let buckets = GridBuckets(boxes: demand.points.map { PlaneBox(minX: $0.x, minY: $0.y, maxX: $0.x, maxY: $0.y) }, cellSize: cellSize)
        let spacing = CoverageSets.typicalSpacing(demand)
        var weights = demand.weights
        var covered = 0.0
        for camera in existing {
            CoverageSets.visit([camera], demand: demand, buckets: buckets, buildings: buildings, spacing: spacing) { _, cell, squared in
                if weights[cell] > 0, requiredLevel.map({ camera.doriRangeSquared[$0.rawValue] >= squared }) ?? true {
                    covered += weights[cell]
                    weights[cell] = 0
                }
            }
        }
        var starts = [0]
        starts.reserveCapacity(optionCount + 1)
        var cells: [Int32] = []
        var perHeading = [[Int32]](repeating: [], count: headingsPerSite)
        for site in candidates {
            for h in perHeading.indices { perHeading[h].removeAll(keepingCapacity: true) }
            CoverageSets.visit(site, demand: demand, buckets: buckets, buildings: buildings, spacing: spacing) { heading, cell, _ in
                if weights[cell] > 0 { perHeading[heading].append(Int32(cell)) }
            }
            for list in perHeading {
                cells.append(contentsOf: list)
                starts.append(cells.count)
            }
        }
        self.starts = starts
        self.cells = cells
        self.weights = weights
        alreadyCoveredWeight = covered
    }

    /// Calls `body(camera, cell, squaredDistance)` for each demand cell each of `cameras` (all at one position) covers
    /// and sees past the buildings.
    static func visit(
        _ cameras: [PlanarCamera], demand: DemandGrid, buckets: GridBuckets, buildings: BuildingIndex?, spacing: Double,
        _ body: (Int, Int, Double) -> Void
    ) {
        guard let first = cameras.first else { return }
        let p = first.position, range = cameras.map(\.view.range).max() ?? 0
        let bins = max(64, Int((2 * Double.pi * range / (spacing / 4)).rounded(.up)))
        let horizon = buildings?.horizon(from: p, range: range, bins: bins)
        let binScale = Double(bins) / (2 * Double.pi)
        buckets.forEachPoint(in: PlaneBox(minX: p.x - range, minY: p.y - range, maxX: p.x + range, maxY: p.y + range)) { cell in
            let q = demand.points[cell]
            let dx = q.x - p.x, dy = q.y - p.y, squared = dx * dx + dy * dy
            guard squared <= range * range * (1 + 1e-12) else { return }
            if let horizon {
                var angle = atan2(dx, dy)
                if angle < 0 { angle += 2 * .pi }
                let depth = horizon[min(bins - 1, Int(angle * binScale))]
                guard squared <= depth * depth else { return }
            }
            for (index, camera) in cameras.enumerated() where camera.covers(dx: dx, dy: dy, squared: squared) { body(index, cell, squared) }
        }
    }

    /// The demand points' typical spacing (their box's area per point), for sizing horizon bins.
    static func typicalSpacing(_ demand: DemandGrid) -> Double {
        guard let box = PlaneBox(enclosing: demand.points), demand.points.count > 1 else { return 1 }
        return max(0.5, ((box.maxX - box.minX) * (box.maxY - box.minY) / Double(demand.points.count)).squareRoot())
    }

    func site(of option: Int) -> Int { option / headingsPerSite }

    @inline(__always)
    func cells(of option: Int) -> ArraySlice<Int32> { cells[starts[option]..<starts[option + 1]] }
}
