import Foundation
import RTCCGeo
import Testing

@Suite struct PlacementOptimizerTests {
    func randomProblem(seed: UInt64, sites: Int, headings: Int, budget: Int, existing: [CameraView] = []) throws -> PlacementProblem {
        var random = SeededRandom(seed: seed)
        let candidates = (0..<sites).map { i in
            CandidateSite(
                name: "s\(i)", position: testProjection.unproject(PlanePoint(x: .random(in: 0...200, using: &random), y: .random(in: 0...200, using: &random))))
        }
        let hotspots = (0..<40).map { _ in PlanePoint(x: .random(in: 0...200, using: &random), y: .random(in: 0...200, using: &random)) }
        let demand = try DemandGrid.kernelDensity(incidents: hotspots, cellSize: 10, bandwidth: 15, area: rectangle(0, 0, 200, 200))
        return try PlacementProblem(
            projection: testProjection, sites: candidates,
            option: CameraOption(fieldOfView: 90, range: 45, headings: CameraOption.evenHeadings(headings)), demand: demand, budget: budget,
            existing: existing)
    }

    /// The best value over every choice of `budget` sites and a heading for each (small instances only).
    func bruteForceOptimum(_ problem: PlacementProblem) throws -> Double {
        let h = problem.option.headings.count
        var best = 0.0
        func recurse(_ start: Int, _ picked: [(Int, Int)]) throws {
            if picked.count == problem.budget {
                best = max(best, try evaluate(problem, picked))
                return
            }
            guard start < problem.sites.count else { return }
            for site in start..<problem.sites.count { for heading in 0..<h { try recurse(site + 1, picked + [(site, heading)]) } }
        }
        try recurse(0, [])
        return best
    }

    func evaluate(_ problem: PlacementProblem, _ picked: [(Int, Int)]) throws -> Double {
        var covered = Set<Int>()
        let cameras = try picked.map { site, heading in
            PlanarCamera(
                try CameraView(id: "", position: problem.sites[site].position, mountHeight: problem.sites[site].mountHeight,
                                heading: problem.option.headings[heading], fieldOfView: problem.option.fieldOfView, range: problem.option.range),
                in: problem.projection)
        }
        for (i, p) in problem.demand.points.enumerated() where cameras.contains(where: { $0.coverage(of: p) != nil }) { covered.insert(i) }
        return covered.reduce(0) { $0 + problem.demand.weights[$1] }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func lazyGreedyWithSwapsReachesNinetyNinePercentOfTheBruteForceOptimum(seed: UInt64) throws {
        let problem = try randomProblem(seed: seed, sites: 9, headings: 4, budget: 3)
        let plan = PlacementOptimizer.solve(problem)
        let optimum = try bruteForceOptimum(problem)
        #expect(plan.value >= 0.99 * optimum - 1e-9)
        #expect(plan.upperBound >= optimum - 1e-9)
        let picked = try plan.choices.map { ($0.siteIndex, try #require(problem.option.headings.firstIndex(of: $0.heading))) }
        #expect(abs(plan.value - (try evaluate(problem, picked))) < 1e-9)
        #expect(Set(plan.choices.map(\.siteIndex)).count == plan.choices.count)
    }

    /// Sites among a few tight clusters of incidents, where greedy choice and single swaps tend to fall short.
    func clusteredProblem(seed: UInt64, sites: Int = 12, budget: Int = 4) throws -> PlacementProblem {
        var random = SeededRandom(seed: seed)
        let point = { (r: inout SeededRandom) in PlanePoint(x: .random(in: 0...200, using: &r), y: .random(in: 0...200, using: &r)) }
        let candidates = (0..<sites).map { i in CandidateSite(name: "s\(i)", position: testProjection.unproject(point(&random))) }
        let centres = (0..<5).map { _ in point(&random) }
        let incidents = (0..<60).map { i in
            PlanePoint(x: centres[i % 5].x + .random(in: -25...25, using: &random), y: centres[i % 5].y + .random(in: -25...25, using: &random))
        }
        let demand = try DemandGrid.kernelDensity(incidents: incidents, cellSize: 10, bandwidth: 12, area: rectangle(0, 0, 200, 200))
        return try PlacementProblem(
            projection: testProjection, sites: candidates,
            option: CameraOption(fieldOfView: 60, range: 60, headings: CameraOption.evenHeadings(4)), demand: demand, budget: budget)
    }

    /// The best value over every choice of `budget` sites and a heading for each, from the problem's coverage sets.
    func exhaustiveOptimum(_ problem: PlacementProblem) -> Double {
        let weights = problem.remainingWeights, h = problem.option.headings.count
        let cells = (0..<problem.sites.count).map { site in (0..<h).map { problem.coveredCells(site: site, heading: $0) } }
        var count = [Int](repeating: 0, count: weights.count)
        var best = 0.0
        func recurse(_ start: Int, _ left: Int, _ value: Double) {
            best = max(best, value)
            guard left > 0 else { return }
            for site in start..<problem.sites.count {
                for list in cells[site] {
                    var added = 0.0
                    for cell in list {
                        if count[cell] == 0 { added += weights[cell] }
                        count[cell] += 1
                    }
                    recurse(site + 1, left - 1, value + added)
                    for cell in list { count[cell] -= 1 }
                }
            }
        }
        recurse(0, problem.budget, 0)
        return best
    }

    /// Seeds 24, 26, 31, 32 and 38 are instances where greedy choice and single swaps stop below 99 % of the optimum.
    @Test(arguments: [1, 3, 7, 24, 26, 31, 32, 38] as [UInt64])
    func localSearchReachesNinetyNinePercentOfTheExhaustiveOptimumOnClusteredDemand(seed: UInt64) throws {
        let problem = try clusteredProblem(seed: seed)
        let plan = PlacementOptimizer.solve(problem)
        let optimum = exhaustiveOptimum(problem)
        #expect(plan.value >= 0.99 * optimum - 1e-9)
        #expect(plan.value <= optimum + 1e-9)
        #expect(plan.upperBound >= optimum - 1e-9)
        #expect(Set(plan.choices.map(\.siteIndex)).count == plan.choices.count && plan.choices.count <= problem.budget)
        let covered = Set(plan.choices.flatMap { choice in
            problem.coveredCells(site: choice.siteIndex, heading: problem.option.headings.firstIndex(of: choice.heading) ?? -1)
        })
        #expect(abs(covered.reduce(0) { $0 + problem.remainingWeights[$1] } - plan.value) < 1e-9)
        let singleSwaps = PlacementOptimizer.solve(problem, searchWork: 0)
        #expect(plan.value >= singleSwaps.value - 1e-9)
    }

    @Test func theSameProblemGivesTheSamePlan() throws {
        let problem = try clusteredProblem(seed: 32, sites: 40, budget: 8)
        let first = PlacementOptimizer.solve(problem), second = PlacementOptimizer.solve(problem)
        #expect(first == second)
        #expect(first.upperBound >= first.value)
    }

    @Test func lazyGreedyChoosesWhatPlainGreedyChooses() throws {
        let problem = try randomProblem(seed: 21, sites: 60, headings: 4, budget: 8)
        let lazy = PlacementOptimizer.solve(problem, strategy: .lazyGreedy)
        let plain = PlacementOptimizer.solve(problem, strategy: .plainGreedy)
        #expect(abs(lazy.value - plain.value) < 1e-9)
        #expect(lazy.evaluations < plain.evaluations)
        let swapped = PlacementOptimizer.solve(problem)
        #expect(swapped.value >= lazy.value - 1e-9)
        #expect(swapped.upperBound >= swapped.value)
    }

    @Test func areaAlreadyCoveredByExistingCamerasEarnsNothing() throws {
        let area = rectangle(0, 0, 40, 40)
        let demand = try DemandGrid.uniform(over: area, cellSize: 2)
        let site = CandidateSite(position: testProjection.unproject(PlanePoint(x: 20, y: 20)), mountHeight: 0)
        let existing = [try planeCamera("e", x: 20, y: 20, heading: 0, fov: 360, range: 100)]
        let problem = try PlacementProblem(
            projection: testProjection, sites: [site], option: CameraOption(fieldOfView: 360, range: 100, headings: [0]), demand: demand,
            budget: 1, existing: existing)
        #expect(problem.alreadyCoveredWeight == problem.totalWeight)
        let plan = PlacementOptimizer.solve(problem)
        #expect(plan.value == 0)
        #expect(plan.choices.isEmpty)
    }

    @Test func badProblemsAreRejectedWithTypedErrors() throws {
        let demand = try DemandGrid(points: [PlanePoint(x: 0, y: 0)], weights: [1])
        let site = CandidateSite(position: testOrigin)
        let option = CameraOption(fieldOfView: 90, range: 50, headings: [0])
        #expect(throws: PlanningError.budgetExceedsCandidates(budget: 2, candidates: 1)) {
            try PlacementProblem(projection: testProjection, sites: [site], option: option, demand: demand, budget: 2)
        }
        #expect(throws: PlanningError.noCandidates) {
            try PlacementProblem(projection: testProjection, sites: [], option: option, demand: demand, budget: 1)
        }
        #expect(throws: PlanningError.noDemand) {
            try PlacementProblem(projection: testProjection, sites: [site], option: option, demand: try DemandGrid(points: [], weights: []), budget: 1)
        }
        #expect(throws: PlanningError.invalidWeight(cell: 1, weight: -1)) { try DemandGrid(points: [.init(x: 0, y: 0), .init(x: 1, y: 1)], weights: [1, -1]) }
        #expect(throws: PlanningError.noHeadings) {
            try PlacementProblem(projection: testProjection, sites: [site], option: CameraOption(fieldOfView: 90, range: 50, headings: []), demand: demand, budget: 1)
        }
        #expect(throws: PlanningError.invalidCamera(site: 0, .fieldOfViewOutOfRange(400))) {
            try PlacementProblem(projection: testProjection, sites: [site], option: CameraOption(fieldOfView: 400, range: 50, headings: [0]), demand: demand, budget: 1)
        }
    }

    @Test func kernelDensitySpreadsAboutOneUnitPerIncident() throws {
        let incidents = [PlanePoint(x: 0, y: 0), PlanePoint(x: 100, y: 100), PlanePoint(x: 100, y: 100)]
        let demand = try DemandGrid.kernelDensity(incidents: incidents, cellSize: 2, bandwidth: 10)
        #expect(abs(demand.weights.reduce(0, +) - 3 * 0.989) < 0.02)  // 3σ disc holds 98.9 %
        let peak = demand.points[try #require(demand.weights.indices.max { demand.weights[$0] < demand.weights[$1] })]
        #expect(peak.distance(to: PlanePoint(x: 100, y: 100)) < 2)
    }
}
