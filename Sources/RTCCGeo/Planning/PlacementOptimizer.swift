import Foundation

/// Chooses site-heading pairs (at most one per site, at most the budget) to cover the most demand weight.
///
/// Covered weight is monotone submodular, so greedy choice is within 1 − 1/e of the optimum and usually far closer.
/// **Lazy greedy** keeps every option's last computed marginal gain in a max-heap; gains only shrink as cameras are
/// added, so a popped gain that is still current beats every other and is chosen without recomputing the rest.
/// **Local search** (``LocalSearch``) then swaps one chosen camera for the best option on any free site (any heading),
/// swaps pairs for the best pair, and restarts from seeded perturbations of the best plan, keeping every option's exact
/// gain up to date through a cell-to-options index. It runs within a fixed amount of work (not time), so the plan is the
/// same on every machine, and stops early once the plan meets the upper bound.
///
/// **Upper bound.** For any set S and the optimum O (at most `budget` options, one per site), submodularity gives
/// f(O) ≤ f(S) + Σ_{o∈O} Δ(o | S) ≤ f(S) + the sum of the `budget` largest per-site best gains Δ(· | S). The plan
/// reports the smallest such bound over several S met on the way (and never more than the uncovered weight).
public enum PlacementOptimizer {
    /// Work the local search may do by default, in cell and option visits (about 0.1 s of a release build).
    public static let defaultSearchWork = 20_000_000

    /// Solves `problem` with `strategy`; `searchWork` caps the local search of ``PlacementStrategy/lazyGreedyWithSwaps``
    /// (in cell and option visits, so the result does not depend on the machine).
    public static func solve(
        _ problem: PlacementProblem, strategy: PlacementStrategy = .lazyGreedyWithSwaps, searchWork: Int = defaultSearchWork
    ) -> PlacementPlan {
        var state = SearchState(problem.sets)
        let budget = problem.budget
        switch strategy {
        case .plainGreedy: state.plainGreedy(budget: budget)
        case .lazyGreedy: state.lazyGreedy(budget: budget)
        case .lazyGreedyWithSwaps:
            state.lazyGreedy(budget: budget)
            state.tightenBound(budget: budget)
            var search = LocalSearch(state, budget: budget, workLimit: searchWork)
            search.run()
            state = search.state
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
