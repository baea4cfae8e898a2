import Foundation

/// A chosen set of cameras for a ``PlacementProblem``, its value, and how far from the best it can be.
public struct PlacementPlan: Sendable, Hashable {
    /// One camera of the plan.
    public struct Choice: Sendable, Hashable {
        /// Index of the site in the problem's list.
        public var siteIndex: Int
        /// The site.
        public var site: CandidateSite
        /// Compass heading chosen for it, degrees.
        public var heading: Double
        /// Demand weight this camera alone covers in the final plan (lost if it were dropped).
        public var uniqueWeight: Double

        /// Creates a choice.
        public init(siteIndex: Int, site: CandidateSite, heading: Double, uniqueWeight: Double) {
            self.siteIndex = siteIndex
            self.site = site
            self.heading = heading
            self.uniqueWeight = uniqueWeight
        }
    }

    /// The chosen cameras, in the order they were chosen.
    public var choices: [Choice]
    /// Demand weight the plan newly covers (not counting what existing cameras cover).
    public var value: Double
    /// A proven upper bound on the value of any plan within the budget (value ≤ optimum ≤ upperBound).
    public var upperBound: Double
    /// Total demand weight.
    public var totalWeight: Double
    /// Demand weight the existing cameras already cover.
    public var alreadyCoveredWeight: Double
    /// Marginal-gain evaluations (one pass over one option's cells each), a measure of the work done.
    public var evaluations: Int
    /// Swaps local search made after the greedy phase (counting those in restarts it later went back on).
    public var swaps: Int

    /// Creates a plan (the optimiser makes them; this is for tests and readers of saved plans).
    public init(
        choices: [Choice], value: Double, upperBound: Double, totalWeight: Double, alreadyCoveredWeight: Double, evaluations: Int, swaps: Int
    ) {
        self.choices = choices
        self.value = value
        self.upperBound = upperBound
        self.totalWeight = totalWeight
        self.alreadyCoveredWeight = alreadyCoveredWeight
        self.evaluations = evaluations
        self.swaps = swaps
    }

    /// value / upperBound: the plan is at least this fraction of the optimum.
    public var guaranteedFraction: Double { upperBound > 0 ? min(1, value / upperBound) : 1 }
}

/// How ``PlacementOptimizer`` searches.
public enum PlacementStrategy: String, Sendable, Hashable, CaseIterable {
    /// Lazy greedy (a priority queue of stale marginal gains), then local search: single and pair swaps and seeded
    /// perturbation restarts within a fixed amount of work (see ``PlacementOptimizer``).
    case lazyGreedyWithSwaps = "lazy-greedy+swaps"
    /// Lazy greedy only.
    case lazyGreedy = "lazy-greedy"
    /// Plain greedy: every marginal gain recomputed in every round (the textbook baseline, for comparison).
    case plainGreedy = "plain-greedy"
}
