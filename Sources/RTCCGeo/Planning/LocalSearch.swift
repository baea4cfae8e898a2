import Foundation

/// Improves a set of chosen options by local search, keeping every option's exact marginal gain Δ(o | S) current
/// through the cell-to-options index (a cell's weight moves in or out of its options' gains only when its cover count
/// passes between 0 and 1).
///
/// Moves, each kept only when it raises the covered weight:
/// - **single swap**: take one chosen camera out and put in the best option on any free site, any heading;
/// - **pair swap**: take two out and put in the best pair, found exactly (free options sorted by gain, pairs pruned
///   by the sum of their gains, overlaps counted on the cells still uncovered);
/// - **perturbation restarts**: drop one to three cameras picked by a seeded generator, refill (the first pick at
///   random among the best few, then greedily, never the dropped options), descend with single swaps, keep the result
///   if it is no worse than the best so far and go back to the best otherwise.
///
/// All of it runs within a work budget counted in cell and option visits, not in time, so one problem gives one plan
/// on every machine. The search stops early once the plan meets the upper bound.
struct LocalSearch {
    private(set) var state: SearchState
    private let inverse: CellOptions
    /// Δ(o | S) for every option (0 for the chosen ones).
    private var gains: [Double]
    /// f(S), kept incrementally.
    private var current: Double
    private(set) var work = 0
    private let workLimit: Int
    private let budget: Int
    private let epsilon: Double
    private var stamp: [Int32]
    private var stampValue: Int32 = 0
    private var random: SplitMix64

    /// Starts from `state` (the greedy result) with at most `workLimit` units of work.
    init(_ state: SearchState, budget: Int, workLimit: Int, seed: UInt64 = 0x5EED_CA3E) {
        self.state = state
        self.budget = budget
        self.workLimit = workLimit
        let sets = state.sets
        inverse = CellOptions(sets)
        gains = (0..<sets.optionCount).map { state.uncountedGain($0) }
        current = state.value()
        epsilon = 1e-9 * max(1, sets.weights.reduce(0, +))
        stamp = [Int32](repeating: 0, count: sets.weights.count)
        random = SplitMix64(seed: seed)
        work = sets.cells.count * 2
    }

    /// Single swaps to a local optimum, pair swaps, then perturbation restarts while the work budget lasts.
    mutating func run() {
        guard !state.chosen.isEmpty else { return }
        descend()
        pairSwaps(until: workLimit / 3)
        restarts()
        state.tightenBound(budget: budget)
    }

    private var sets: CoverageSets { state.sets }
    private var optimal: Bool { current >= state.bound - epsilon }

    // MARK: Moves

    /// Fills free slots with positive-gain options, then single swaps until a full pass changes nothing.
    mutating func descend(maxPasses: Int = 50) {
        fill()
        for _ in 0..<maxPasses {
            var improved = false
            for slot in state.chosen.indices {
                let out = state.chosen[slot]
                release(out)
                var best = out, bestGain = gains[out] + epsilon
                for option in gains.indices where gains[option] > bestGain && !state.siteUsed[sets.site(of: option)] {
                    best = option
                    bestGain = gains[option]
                }
                work += gains.count
                if best != out {
                    state.swaps += 1
                    improved = true
                }
                state.chosen[slot] = best
                occupy(best)
            }
            if !improved { break }
        }
    }

    /// Takes every pair of chosen cameras out in turn and puts in the best pair if it covers more, descending after
    /// each improvement, until no pair helps or the work reaches `limit`.
    mutating func pairSwaps(until limit: Int) {
        var improved = true
        while improved, !optimal {
            improved = false
            for i in state.chosen.indices {
                for j in state.chosen.indices where j > i {
                    guard work < limit else { return }
                    let a = state.chosen[i], b = state.chosen[j], before = current
                    release(a)
                    release(b)
                    if let (x, y) = bestPair(above: before - current + epsilon) {
                        state.chosen[i] = x
                        state.chosen[j] = y
                        occupy(x)
                        occupy(y)
                        state.swaps += 1
                        improved = true
                        descend()
                    } else {
                        occupy(a)
                        occupy(b)
                    }
                }
            }
        }
    }

    /// Perturbation restarts from the best plan found, until the work budget is spent or `stallRounds` rounds in a row
    /// found nothing better.
    mutating func restarts(maxRounds: Int = 20_000, stallRounds: Int = 1000) {
        let k = state.chosen.count
        guard k > 0 else { return }
        var best = state.chosen, bestValue = current
        var lastImprovement = 0
        for round in 0..<maxRounds {
            guard work < workLimit, !optimal, round - lastImprovement < stallRounds else { break }
            let drops = 1 + Int(random.next() % UInt64(min(3, k)))
            var dropped: [Int] = []
            for _ in 0..<drops {
                let option = state.chosen.remove(at: Int(random.next() % UInt64(state.chosen.count)))
                release(option)
                dropped.append(option)
            }
            if let option = randomTopOption(excluding: dropped, among: 4) {
                state.chosen.append(option)
                occupy(option)
            }
            fill(excluding: dropped)
            descend()
            if current > bestValue + epsilon {
                best = state.chosen
                bestValue = current
                lastImprovement = round
                state.tightenBound(budget: budget)
                work += sets.cells.count
            } else if current < bestValue - epsilon {
                restore(best)
            }
        }
        restore(best)
    }

    // MARK: Pieces

    /// The best pair of free options on different sites whose joint gain exceeds `threshold`, if any.
    private mutating func bestPair(above threshold: Double) -> (Int, Int)? {
        var candidates = gains.indices.filter { gains[$0] > epsilon && !state.siteUsed[sets.site(of: $0)] }
        candidates.sort { gains[$0] > gains[$1] || (gains[$0] == gains[$1] && $0 < $1) }
        work += gains.count + candidates.count * 4
        var best: (Int, Int)?, bestValue = threshold
        for (p, x) in candidates.enumerated() {
            guard p + 1 < candidates.count, gains[x] + gains[candidates[p + 1]] > bestValue, work < workLimit else { break }
            stampValue &+= 1
            for cell in sets.cells(of: x) where state.count[Int(cell)] == 0 { stamp[Int(cell)] = stampValue }
            work += sets.cells(of: x).count
            for y in candidates[(p + 1)...] {
                guard gains[x] + gains[y] > bestValue else { break }
                guard sets.site(of: y) != sets.site(of: x) else { continue }
                var overlap = 0.0
                for cell in sets.cells(of: y) where stamp[Int(cell)] == stampValue { overlap += sets.weights[Int(cell)] }
                work += sets.cells(of: y).count
                let joint = gains[x] + gains[y] - overlap
                if joint > bestValue {
                    best = (x, y)
                    bestValue = joint
                }
            }
        }
        return best
    }

    /// Adds the best free option while there is a free slot and an option that adds weight.
    private mutating func fill(excluding excluded: [Int] = []) {
        while state.chosen.count < budget {
            var best = -1, bestGain = epsilon
            for option in gains.indices where gains[option] > bestGain && !state.siteUsed[sets.site(of: option)] && !excluded.contains(option) {
                best = option
                bestGain = gains[option]
            }
            work += gains.count
            guard best >= 0 else { return }
            state.chosen.append(best)
            occupy(best)
        }
    }

    /// One of the `among` best free options outside `excluded`, picked by the seeded generator.
    private mutating func randomTopOption(excluding excluded: [Int], among: Int) -> Int? {
        var top: [Int] = []
        for option in gains.indices where gains[option] > epsilon && !state.siteUsed[sets.site(of: option)] && !excluded.contains(option) {
            if top.count < among {
                top.append(option)
            } else if let worst = top.indices.min(by: { gains[top[$0]] < gains[top[$1]] }), gains[option] > gains[top[worst]] {
                top[worst] = option
            }
        }
        work += gains.count
        return top.isEmpty ? nil : top.sorted()[Int(random.next() % UInt64(top.count))]
    }

    /// Makes `target` the chosen set again.
    private mutating func restore(_ target: [Int]) {
        let keep = Set(target), have = Set(state.chosen)
        for option in state.chosen where !keep.contains(option) { release(option) }
        for option in target where !have.contains(option) { occupy(option) }
        state.chosen = target
    }

    /// Takes `option`'s cover away (the caller keeps `chosen`); cells only it covered go back into their options' gains.
    private mutating func release(_ option: Int) {
        state.siteUsed[sets.site(of: option)] = false
        let cells = sets.cells(of: option)
        work += cells.count
        for cell in cells {
            let c = Int(cell)
            state.count[c] -= 1
            guard state.count[c] == 0 else { continue }
            let w = sets.weights[c], over = inverse.options(of: c)
            current -= w
            work += over.count
            for o in over { gains[Int(o)] += w }
        }
    }

    /// Puts `option`'s cover in (the caller keeps `chosen`); cells it newly covers leave their options' gains.
    private mutating func occupy(_ option: Int) {
        state.siteUsed[sets.site(of: option)] = true
        let cells = sets.cells(of: option)
        work += cells.count
        for cell in cells {
            let c = Int(cell)
            if state.count[c] == 0 {
                let w = sets.weights[c], over = inverse.options(of: c)
                current += w
                work += over.count
                for o in over { gains[Int(o)] -= w }
            }
            state.count[c] += 1
        }
    }
}
