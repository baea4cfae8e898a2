import Foundation

/// Chooses site-heading pairs (at most one per site, at most the budget) to cover the most demand weight.
///
/// Covered weight is monotone submodular, so greedy choice is within 1 − 1/e of the optimum and usually far closer.
/// **Lazy greedy** keeps every option's last computed marginal gain in a max-heap; gains only shrink as cameras are
/// added, so a popped gain that is still current beats every other and is chosen without recomputing the rest.
/// **Local search** then takes each chosen camera out in turn and puts in the best option (any free site, any
/// heading) if that covers more, keeping every option's exact gain up to date through a cell-to-options index, until
/// no swap helps.
///
/// **Upper bound.** For any set S and the optimum O (at most `budget` options, one per site), submodularity gives
/// f(O) ≤ f(S) + Σ_{o∈O} Δ(o | S) ≤ f(S) + the sum of the `budget` largest per-site best gains Δ(· | S). The plan
/// reports the smallest such bound over several S met on the way (and never more than the uncovered weight).
public enum PlacementOptimizer {
    /// Solves `problem` with `strategy`.
    public static func solve(_ problem: PlacementProblem, strategy: PlacementStrategy = .lazyGreedyWithSwaps) -> PlacementPlan {
        var state = SearchState(problem.sets)
        let budget = problem.budget
        switch strategy {
        case .plainGreedy: state.plainGreedy(budget: budget)
        case .lazyGreedy: state.lazyGreedy(budget: budget)
        case .lazyGreedyWithSwaps:
            state.lazyGreedy(budget: budget)
            state.localSearch()
        }
        state.tightenBound(budget: budget)
        let sets = problem.sets
        let choices = state.chosen.map { option in
            let site = sets.site(of: option)
            return PlacementPlan.Choice(
                siteIndex: site, site: problem.sites[site], heading: problem.option.headings[option % sets.headingsPerSite],
                uniqueWeight: sets.cells(of: option).reduce(0) { state.count[Int($1)] == 1 ? $0 + sets.weights[Int($1)] : $0 })
        }
        return PlacementPlan(
            choices: choices, value: state.value(), upperBound: max(state.value(), state.bound), totalWeight: problem.totalWeight,
            alreadyCoveredWeight: problem.alreadyCoveredWeight, evaluations: state.evaluations, swaps: state.swaps)
    }
}

/// The chosen options, per-cell cover counts and the bookkeeping of one search.
struct SearchState {
    let sets: CoverageSets
    var chosen: [Int] = []
    var count: [Int32]
    var siteUsed: [Bool]
    var evaluations = 0
    var swaps = 0
    var bound: Double

    init(_ sets: CoverageSets) {
        self.sets = sets
        count = [Int32](repeating: 0, count: sets.weights.count)
        siteUsed = [Bool](repeating: false, count: sets.sitePositions.count)
        bound = sets.weights.reduce(0, +)
    }

    /// Weight covered by the chosen options.
    func value() -> Double {
        var total = 0.0
        for cell in count.indices where count[cell] > 0 { total += sets.weights[cell] }
        return total
    }

    /// Weight `option` would add (counted as an evaluation of the search).
    @inline(__always)
    mutating func gain(_ option: Int) -> Double {
        evaluations += 1
        return uncountedGain(option)
    }

    /// Weight `option` would add, for bounds and bookkeeping outside the search proper.
    @inline(__always)
    func uncountedGain(_ option: Int) -> Double {
        var total = 0.0
        for cell in sets.cells(of: option) where count[Int(cell)] == 0 { total += sets.weights[Int(cell)] }
        return total
    }

    mutating func choose(_ option: Int) {
        chosen.append(option)
        siteUsed[sets.site(of: option)] = true
        for cell in sets.cells(of: option) { count[Int(cell)] += 1 }
    }

    mutating func lazyGreedy(budget: Int) {
        var heap = GainHeap()
        heap.reserve(sets.optionCount)
        for option in 0..<sets.optionCount { heap.push(GainHeap.Entry(gain: gain(option), option: Int32(option), round: 0)) }
        let checkpoints = Set(stride(from: 0, to: budget, by: max(1, budget / 8)))
        while chosen.count < budget, let top = heap.pop() {
            let option = Int(top.option)
            if siteUsed[sets.site(of: option)] { continue }
            if top.round == Int32(chosen.count) {
                if top.gain <= 0 { break }
                if checkpoints.contains(chosen.count) { tightenBound(budget: budget) }
                choose(option)
            } else {
                heap.push(GainHeap.Entry(gain: gain(option), option: top.option, round: Int32(chosen.count)))
            }
        }
    }

    mutating func plainGreedy(budget: Int) {
        while chosen.count < budget {
            let gains = (0..<sets.optionCount).map { gain($0) }
            lowerBound(gains: gains, budget: budget)
            var best = -1
            for option in gains.indices where !siteUsed[sets.site(of: option)] && gains[option] > 0 {
                if best < 0 || gains[option] > gains[best] { best = option }
            }
            guard best >= 0 else { break }
            choose(best)
        }
    }

    /// Recomputes every gain for the current set and lowers the bound with it.
    mutating func tightenBound(budget: Int) {
        let gains = (0..<sets.optionCount).map { uncountedGain($0) }
        lowerBound(gains: gains, budget: budget)
    }

    /// bound = min(bound, f(S) + sum of the `budget` largest per-site best gains).
    mutating func lowerBound(gains: [Double], budget: Int) {
        var perSite = [Double](repeating: 0, count: sets.sitePositions.count)
        for option in gains.indices { perSite[sets.site(of: option)] = max(perSite[sets.site(of: option)], gains[option]) }
        perSite.sort(by: >)
        bound = min(bound, value() + perSite.prefix(budget).reduce(0, +))
    }

    /// Single swaps, best replacement for each chosen option in turn, until a full pass changes nothing.
    mutating func localSearch(maxPasses: Int = 20) {
        guard !chosen.isEmpty else { return }
        let inverse = CellOptions(sets)
        var gains = (0..<sets.optionCount).map { uncountedGain($0) }
        let epsilon = 1e-9 * max(1, sets.weights.reduce(0, +))
        for _ in 0..<maxPasses {
            var improved = false
            for slot in chosen.indices {
                let out = chosen[slot]
                // Take `out` away: cells only it covered become free again for every option over them.
                siteUsed[sets.site(of: out)] = false
                for cell in sets.cells(of: out) {
                    count[Int(cell)] -= 1
                    if count[Int(cell)] == 0 { for o in inverse.options(of: Int(cell)) { gains[Int(o)] += sets.weights[Int(cell)] } }
                }
                var best = out
                for option in gains.indices where gains[option] > gains[best] + epsilon && !siteUsed[sets.site(of: option)] { best = option }
                if best != out {
                    swaps += 1
                    improved = true
                }
                chosen[slot] = best
                siteUsed[sets.site(of: best)] = true
                for cell in sets.cells(of: best) {
                    if count[Int(cell)] == 0 { for o in inverse.options(of: Int(cell)) { gains[Int(o)] -= sets.weights[Int(cell)] } }
                    count[Int(cell)] += 1
                }
            }
            if !improved { break }
        }
    }
}

/// For each demand cell, the options covering it (the transpose of ``CoverageSets``).
struct CellOptions {
    let starts: [Int]
    let options: [Int32]

    init(_ sets: CoverageSets) {
        var counts = [Int](repeating: 0, count: sets.weights.count + 1)
        for cell in sets.cells { counts[Int(cell) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var fill = counts
        var options = [Int32](repeating: 0, count: sets.cells.count)
        for option in 0..<sets.optionCount {
            for cell in sets.cells(of: option) {
                options[fill[Int(cell)]] = Int32(option)
                fill[Int(cell)] += 1
            }
        }
        starts = counts
        self.options = options
    }

    @inline(__always)
    func options(of cell: Int) -> ArraySlice<Int32> { options[starts[cell]..<starts[cell + 1]] }
}

/// A binary max-heap of marginal gains; ties go to the lower option index so results are reproducible.
struct GainHeap {
    struct Entry {
        var gain: Double
        var option: Int32
        var round: Int32
    }

    private var entries: [Entry] = []

    mutating func reserve(_ n: Int) { entries.reserveCapacity(n) }

    private static func above(_ a: Entry, _ b: Entry) -> Bool { a.gain > b.gain || (a.gain == b.gain && a.option < b.option) }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard GainHeap.above(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < entries.count, GainHeap.above(entries[l], entries[m]) { m = l }
                if r < entries.count, GainHeap.above(entries[r], entries[m]) { m = r }
                if m == i { break }
                entries.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
