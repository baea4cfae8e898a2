import Foundation

/// Where coverage is wanted, as weighted points in a ``LocalProjection``'s plane (usually cell centres).
public struct DemandGrid: Sendable {
    /// Cell centres, plane metres.
    public let points: [PlanePoint]
    /// Weight of each point (finite, not negative).
    public let weights: [Double]

    /// The most cells a grid built here may have.
    public static let maximumCells = 20_000_000

    /// Creates demand from points and their weights.
    public init(points: [PlanePoint], weights: [Double]) throws(PlanningError) {
        guard points.count == weights.count else { throw .weightCountMismatch(points: points.count, weights: weights.count) }
        for (cell, weight) in weights.enumerated() where !weight.isFinite || weight < 0 { throw .invalidWeight(cell: cell, weight: weight) }
        self.points = points
        self.weights = weights
    }

    /// Weight 1 on the centre of every `cellSize`-metre cell inside `area`.
    public static func uniform(over area: PlanePolygon, cellSize: Double) throws(PlanningError) -> DemandGrid {
        let grid = try layout(area.boundingBox, cellSize)
        var points: [PlanePoint] = []
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let p = grid.centre(column: column, row: row)
                if area.contains(p) { points.append(p) }
            }
        }
        return try DemandGrid(points: points, weights: Array(repeating: 1, count: points.count))
    }

    /// A Gaussian kernel density of `incidents` on `cellSize`-metre cells: each incident spreads a weight of 1 with
    /// standard deviation `bandwidth` metres (cut off at 3 bandwidths), so the weights sum to about the number of
    /// incidents. Cells cover the incidents' box widened by 3 bandwidths, or only `area` when given; empty cells are
    /// dropped.
    public static func kernelDensity(
        incidents: [PlanePoint], cellSize: Double, bandwidth: Double, area: PlanePolygon? = nil
    ) throws(PlanningError) -> DemandGrid {
        guard bandwidth.isFinite, bandwidth > 0 else { throw .lengthNotPositive(name: "bandwidth", value: bandwidth) }
        guard let bounds = PlaneBox(enclosing: incidents) else { throw .noDemand }
        let reach = 3 * bandwidth
        let box = area?.boundingBox
            ?? PlaneBox(minX: bounds.minX - reach, minY: bounds.minY - reach, maxX: bounds.maxX + reach, maxY: bounds.maxY + reach)
        let grid = try layout(box, cellSize)
        var density = [Double](repeating: 0, count: grid.columns * grid.rows)
        let norm = 1 / (2 * Double.pi * bandwidth * bandwidth) * cellSize * cellSize
        for incident in incidents {
            let c0 = max(0, Int(((incident.x - reach - grid.minX) / cellSize).rounded(.down)))
            let c1 = min(grid.columns - 1, Int(((incident.x + reach - grid.minX) / cellSize).rounded(.down)))
            let r0 = max(0, Int(((incident.y - reach - grid.minY) / cellSize).rounded(.down)))
            let r1 = min(grid.rows - 1, Int(((incident.y + reach - grid.minY) / cellSize).rounded(.down)))
            guard c0 <= c1, r0 <= r1 else { continue }
            for row in r0...r1 {
                for column in c0...c1 {
                    let p = grid.centre(column: column, row: row)
                    let d2 = (p.x - incident.x) * (p.x - incident.x) + (p.y - incident.y) * (p.y - incident.y)
                    if d2 <= reach * reach { density[row * grid.columns + column] += norm * exp(-d2 / (2 * bandwidth * bandwidth)) }
                }
            }
        }
        var points: [PlanePoint] = [], weights: [Double] = []
        for row in 0..<grid.rows {
            for column in 0..<grid.columns where density[row * grid.columns + column] > 0 {
                let p = grid.centre(column: column, row: row)
                if let area, !area.contains(p) { continue }
                points.append(p)
                weights.append(density[row * grid.columns + column])
            }
        }
        return try DemandGrid(points: points, weights: weights)
    }

    static func layout(_ box: PlaneBox, _ cellSize: Double) throws(PlanningError) -> RasterGrid {
        guard cellSize.isFinite, cellSize > 0 else { throw .lengthNotPositive(name: "cell size", value: cellSize) }
        let cells = ((box.maxX - box.minX) / cellSize).rounded(.up) * ((box.maxY - box.minY) / cellSize).rounded(.up)
        guard cells <= Double(maximumCells) else { throw .tooManyCells(cells: cells.isFinite ? Int(cells) : .max, limit: maximumCells) }
        return RasterGrid(box: box, resolution: cellSize)
    }
}
