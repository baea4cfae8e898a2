import Foundation

/// Why a placement problem was refused; each message says what to change.
public enum PlanningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No candidate sites were given.
    case noCandidates
    /// No demand cells (or none with positive weight) were given.
    case noDemand
    /// The budget is zero or negative.
    case budgetNotPositive(Int)
    /// The budget is larger than the number of candidate sites (at most one camera goes on each site).
    case budgetExceedsCandidates(budget: Int, candidates: Int)
    /// A demand weight is negative, NaN or infinite.
    case invalidWeight(cell: Int, weight: Double)
    /// Demand points and weights differ in number.
    case weightCountMismatch(points: Int, weights: Int)
    /// The camera option has no headings.
    case noHeadings
    /// The camera option or a site is not a valid camera view.
    case invalidCamera(site: Int, CameraViewError)
    /// A DORI level is required but the option has no horizontal resolution.
    case levelNeedsResolution(DORILevel)
    /// A cell size, bandwidth or similar length is not a positive finite number.
    case lengthNotPositive(name: String, value: Double)
    /// The demand grid would have more cells than allowed.
    case tooManyCells(cells: Int, limit: Int)

    /// A message naming the problem.
    public var description: String {
        switch self {
        case .noCandidates: "there are no candidate sites: give at least one"
        case .noDemand: "there is no demand to cover: give incidents or an area with positive weight"
        case .budgetNotPositive(let n): "budget \(n) is invalid: give at least one camera"
        case .budgetExceedsCandidates(let budget, let candidates):
            "budget \(budget) exceeds the \(candidates) candidate site\(candidates == 1 ? "" : "s") (at most one camera per site): lower the budget or add sites"
        case .invalidWeight(let cell, let weight): "demand cell \(cell) has weight \(weight): weights must be finite and not negative"
        case .weightCountMismatch(let points, let weights): "\(points) demand points but \(weights) weights: give one weight per point"
        case .noHeadings: "the camera option has no headings: give at least one heading in degrees"
        case .invalidCamera(let site, let error): "candidate site \(site): \(error)"
        case .levelNeedsResolution(let level):
            "coverage at \(level.name) level needs the camera's horizontal resolution: give the pixels or drop the level"
        case .lengthNotPositive(let name, let value): "\(name) \(value) m is invalid: give a positive number of metres"
        case .tooManyCells(let cells, let limit): "the demand grid needs \(cells) cells, more than the \(limit) allowed: use a larger cell size"
        }
    }
}
