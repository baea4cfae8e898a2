import Foundation

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
}
