import Foundation

/// Why a coverage raster could not be computed.
public enum CoverageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The cell size is not a positive finite number of metres.
    case resolutionNotPositive(Double)
    /// The area at that resolution needs more cells than allowed.
    case tooManyCells(cells: Int, limit: Int)

    /// A message saying what to change.
    public var description: String {
        switch self {
        case .resolutionNotPositive(let r): "cell size \(r) m is invalid: give a positive number of metres"
        case .tooManyCells(let cells, let limit):
            "the area needs \(cells) cells at this cell size, more than the \(limit) allowed: use a larger cell size or a smaller area"
        }
    }
}
