import Foundation

/// Seeded synthetic instances for RTCCGeo's three performance targets, each measured against a simpler peer in the
/// same run: the camera grid against a linear scan, the raster against point queries, lazy greedy against plain greedy.
///
/// Library code never prints: each measurement returns its figures and ``Report/lines`` formats them as a Markdown
/// table for the caller to show.
public enum GeoBenchmark {
    /// One row of a report.
    public struct Row: Sendable, Hashable {
        /// What is measured.
        public var measure: String
        /// Our figure.
        public var ours: String
        /// The peer's figure ("" when none).
        public var peer: String
        /// ours / peer, or a note.
        public var ratio: String
    }

    /// A titled table.
    public struct Report: Sendable, Hashable {
        /// What was run.
        public var title: String
        /// The rows.
        public var rows: [Row]

        /// The report as Markdown lines.
        public var lines: [String] {
            ["", "### \(title)", "", "| Measure | RTCCGeo | peer | ratio |", "|---|---|---|---|"]
                + rows.map { "| \($0.measure) | \($0.ours) | \($0.peer) | \($0.ratio) |" }
        }
    }

    static let origin = Coordinate(latitude: 32.5, longitude: -93.75)

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    /// `count` random cameras over a square of `side` metres centred on the origin.
    static func randomCameras(_ count: Int, side: Double, projection: LocalProjection, random: inout SplitMix64) -> [CameraView] {
        (0..<count).compactMap { i in
            let dome = Double.random(in: 0..<1, using: &random) < 0.1
            return try? CameraView(
                id: "cam\(i)",
                position: projection.unproject(
                    PlanePoint(x: .random(in: -side / 2...side / 2, using: &random), y: .random(in: -side / 2...side / 2, using: &random))),
                mountHeight: .random(in: 3...8, using: &random), heading: .random(in: 0..<360, using: &random),
                fieldOfView: dome ? 360 : .random(in: 40...120, using: &random), range: .random(in: 30...150, using: &random),
                horizontalPixels: [1920, 2688, 3840].randomElement(using: &random))
        }
    }

    /// `count` random rectangular buildings of 8–40 m over the square.
    static func randomBuildings(_ count: Int, side: Double, random: inout SplitMix64) -> [PlanePolygon] {
        (0..<count).map { _ in
            let x = Double.random(in: -side / 2...side / 2, using: &random), y = Double.random(in: -side / 2...side / 2, using: &random)
            let w = Double.random(in: 8...40, using: &random), h = Double.random(in: 8...40, using: &random)
            return PlanePolygon(rings: [[.init(x: x, y: y), .init(x: x + w, y: y), .init(x: x + w, y: y + h), .init(x: x, y: y + h)]])
        }
    }

    /// Who-could-see queries over `cameras` cameras and `buildings` buildings in a `side`-metre square.
    public static func whoCouldSee(cameras: Int = 100_000, buildings: Int = 20_000, side: Double = 20_000, queries: Int = 20_000, seed: UInt64 = 1)
        -> Report
    {
        var random = SplitMix64(seed: seed)
        let projection = LocalProjection(origin: origin)
        let views = randomCameras(cameras, side: side, projection: projection, random: &random)
        let footprints = BuildingIndex(footprints: randomBuildings(buildings, side: side, random: &random))
        let clock = ContinuousClock()
        let built = clock.measure { _ = CameraIndex(views: views, projection: projection, buildings: footprints) }
        let index = CameraIndex(views: views, projection: projection, buildings: footprints)
        let points = (0..<queries).map { _ in
            PlanePoint(x: .random(in: -side / 2...side / 2, using: &random), y: .random(in: -side / 2...side / 2, using: &random))
        }
        var ours: [Double] = [], hits = 0
        for p in points {
            var found: [Sighting] = []
            let t = clock.measure { found = index.sightings(of: p) }
            ours.append(seconds(t) * 1000)
            hits += found.count
        }
        var scan: [Double] = [], mismatches = 0
        let scanned = min(queries, 1000)
        for p in points.prefix(scanned) {
            var found: [Sighting] = []
            let t = clock.measure { found = index.sightingsByLinearScan(of: p) }
            scan.append(seconds(t) * 1000)
            if found != index.sightings(of: p) { mismatches += 1 }
        }
        ours.sort()
        scan.sort()
        let rows = [
            Row(measure: "index build (s)", ours: format(seconds(built)), peer: "", ratio: ""),
            Row(measure: "query p50 (ms)", ours: format(percentile(ours, 0.5), 4), peer: format(percentile(scan, 0.5), 4),
                ratio: format(percentile(ours, 0.5) / max(percentile(scan, 0.5), 1e-9), 4) + "×"),
            Row(measure: "query p99 (ms)", ours: format(percentile(ours, 0.99), 4), peer: format(percentile(scan, 0.99), 4),
                ratio: format(percentile(ours, 0.99) / max(percentile(scan, 0.99), 1e-9), 4) + "×"),
            Row(measure: "cameras per answer (mean)", ours: format(Double(hits) / Double(max(queries, 1)), 2), peer: "", ratio: ""),
            Row(measure: "answers differing from the scan", ours: "\(mismatches) of \(scanned)", peer: "", ratio: ""),
        ]
        return Report(
            title: "Who could have seen it: \(cameras) cameras, \(buildings) buildings, \(Int(side / 1000)) km square, \(queries) queries (peer: linear scan over \(scanned))",
            rows: rows)
    }

    /// A coverage raster of a `side`-metre square at `resolution` with `cameras` cameras.
    public static func coverage(cameras: Int = 1000, side: Double = 10_000, resolution: Double = 2, parallelism: Int = 2, seed: UInt64 = 2) async -> Report {
        var random = SplitMix64(seed: seed)
        let projection = LocalProjection(origin: origin)
        let views = randomCameras(cameras, side: side, projection: projection, random: &random)
        let placed = views.map { PlanarCamera($0, in: projection) }
        let h = side / 2
        let area = PlanePolygon(rings: [[.init(x: -h, y: -h), .init(x: h, y: -h), .init(x: h, y: h), .init(x: -h, y: h)]])
        let clock = ContinuousClock()
        var raster: CoverageRaster?
        let took = await clock.measure { raster = try? await CoverageRaster.compute(area: area, resolution: resolution, cameras: placed, parallelism: parallelism) }
        guard let raster else { return Report(title: "coverage raster failed", rows: []) }
        var gapCount = 0
        let gapTime = clock.measure { gapCount = raster.gaps(at: .detect, limit: 10_000_000).rectangles.count }
        // Peer: one who-could-see query per sampled cell centre, timed and scaled to every cell.
        let index = CameraIndex(views: views, projection: projection)
        let samples = 200_000
        var disagree = 0
        var sampleCells: [PlanePoint] = []
        for _ in 0..<samples {
            sampleCells.append(raster.grid.centre(column: .random(in: 0..<raster.grid.columns, using: &random), row: .random(in: 0..<raster.grid.rows, using: &random)))
        }
        var seen: [Bool] = []
        seen.reserveCapacity(samples)
        let sampled = clock.measure { for p in sampleCells { seen.append(!index.sightings(of: p).isEmpty) } }
        for (p, covered) in zip(sampleCells, seen) where covered != raster.isCovered(p) { disagree += 1 }
        let cells = raster.cellsInArea
        // The peer gets the same cores as the raster: its extrapolated time is divided by `parallelism` (perfect scaling,
        // which favours the peer), since independent point queries split across tasks without coordination.
        let peerSeconds = seconds(sampled) * Double(cells) / Double(samples) / Double(max(parallelism, 1))
        let rows = [
            Row(measure: "raster, all layers (s)", ours: format(seconds(took)), peer: format(peerSeconds, 1) + " (extrapolated, \(parallelism) cores, ideal scaling)",
                ratio: format(seconds(took) / max(peerSeconds, 1e-9), 4) + "×"),
            Row(measure: "cells", ours: "\(cells)", peer: "", ratio: ""),
            Row(measure: "in view / detect / observe / recognise / identify (%)",
                ours: ([raster.coveredFraction()] + DORILevel.allCases.map { raster.coveredFraction(at: $0) }).map { format($0 * 100, 2) }.joined(separator: " / "),
                peer: "", ratio: ""),
            Row(measure: "detect-gap rectangles (merged)", ours: "\(gapCount) in \(format(seconds(gapTime))) s", peer: "", ratio: ""),
            Row(measure: "sampled cells disagreeing with point queries", ours: "\(disagree) of \(samples)", peer: "", ratio: ""),
        ]
        return Report(
            title: "Coverage raster: \(Int(side / 1000)) km × \(Int(side / 1000)) km at \(format(resolution, 1)) m, \(cameras) cameras, \(parallelism) tasks (peer: a who-could-see query per cell)",
            rows: rows)
    }

    /// Placement of `budget` cameras among `candidates` sites × `headings` over about `demandCells` cells.
    public static func placement(
        candidates: Int = 10_000, headings: Int = 4, demandCells: Int = 1_000_000, budget: Int = 90, existing: Int = 200, seed: UInt64 = 3
    ) -> Report {
        var random = SplitMix64(seed: seed)
        let projection = LocalProjection(origin: origin)
        let side = 10_000.0
        let cell = (side * side / Double(demandCells)).squareRoot()
        let h = side / 2
        let area = PlanePolygon(rings: [[.init(x: -h, y: -h), .init(x: h, y: -h), .init(x: h, y: h), .init(x: -h, y: h)]])
        // Demand: a kernel density of clustered incidents plus a floor of 0.05 per cell, so every cell counts.
        let hotspots = (0..<60).map { _ in PlanePoint(x: .random(in: -h...h, using: &random), y: .random(in: -h...h, using: &random)) }
        let incidents = (0..<5000).map { _ in
            let centre = hotspots.randomElement(using: &random) ?? PlanePoint(x: 0, y: 0)
            return PlanePoint(x: centre.x + .random(in: -400...400, using: &random), y: centre.y + .random(in: -400...400, using: &random))
        }
        guard let uniform = try? DemandGrid.uniform(over: area, cellSize: cell),
            let density = try? DemandGrid.kernelDensity(incidents: incidents, cellSize: cell, bandwidth: 120, area: area)
        else { return Report(title: "placement instance failed", rows: []) }
        var weights = [Double](repeating: 0.05, count: uniform.points.count)
        let columns = Int((side / cell).rounded(.up))
        for (p, w) in zip(density.points, density.weights) {
            let c = Int((p.x + h) / cell), r = Int((p.y + h) / cell)
            if r * columns + c < weights.count { weights[r * columns + c] += w }
        }
        let sites = (0..<candidates).map { i in
            CandidateSite(
                name: "site\(i)", position: projection.unproject(PlanePoint(x: .random(in: -h...h, using: &random), y: .random(in: -h...h, using: &random))),
                mountHeight: .random(in: 3...8, using: &random))
        }
        let option = CameraOption(fieldOfView: 90, range: 100, headings: CameraOption.evenHeadings(headings), horizontalPixels: 2688)
        let cameras = randomCameras(existing, side: side, projection: projection, random: &random)
        let clock = ContinuousClock()
        var problem: PlacementProblem?
        let prepared = clock.measure {
            problem = try? PlacementProblem(
                projection: projection, sites: sites, option: option, demand: DemandGrid(points: uniform.points, weights: weights), budget: budget,
                existing: cameras)
        }
        guard let problem else { return Report(title: "placement problem failed", rows: []) }
        var ours: PlacementPlan?, plain: PlacementPlan?
        let solved = clock.measure { ours = PlacementOptimizer.solve(problem, strategy: .lazyGreedyWithSwaps) }
        let baseline = clock.measure { plain = PlacementOptimizer.solve(problem, strategy: .plainGreedy) }
        guard let ours, let plain else { return Report(title: "placement failed", rows: []) }
        let rows = [
            Row(measure: "coverage sets (s)", ours: format(seconds(prepared)), peer: "(shared)", ratio: ""),
            Row(measure: "search (s)", ours: format(seconds(solved)), peer: format(seconds(baseline)),
                ratio: format(seconds(solved) / max(seconds(baseline), 1e-9)) + "×"),
            Row(measure: "total (s)", ours: format(seconds(prepared) + seconds(solved)), peer: format(seconds(prepared) + seconds(baseline)), ratio: ""),
            Row(measure: "gain evaluations", ours: "\(ours.evaluations)", peer: "\(plain.evaluations)",
                ratio: format(Double(ours.evaluations) / Double(max(plain.evaluations, 1))) + "×"),
            Row(measure: "value (covered weight)", ours: format(ours.value, 1), peer: format(plain.value, 1), ratio: format(ours.value / max(plain.value, 1e-9), 4) + "×"),
            Row(measure: "upper bound / value ≥ fraction of optimum", ours: "\(format(ours.upperBound, 1)) / ≥ \(format(ours.guaranteedFraction * 100, 2)) %",
                peer: "\(format(plain.upperBound, 1)) / ≥ \(format(plain.guaranteedFraction * 100, 2)) %", ratio: ""),
            Row(measure: "swaps after greedy", ours: "\(ours.swaps)", peer: "", ratio: ""),
            Row(measure: "demand cells / options / already covered", ours: "\(problem.demand.points.count) / \(problem.optionCount) / \(format(problem.alreadyCoveredWeight / problem.totalWeight * 100, 2)) %", peer: "", ratio: ""),
        ]
        return Report(
            title: "Placement: \(budget) cameras among \(candidates) sites × \(headings) headings, \(problem.demand.points.count) demand cells, \(existing) existing cameras (peer: plain greedy)",
            rows: rows)
    }
}
