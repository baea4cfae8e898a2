import Foundation

/// Which cells of an area are in view of some camera, and at which DORI level, on a square grid.
///
/// Each camera is rasterised only over its sector's bounding box, row by row within its range circle, into bit layers:
/// "in view" and one per DORI level (a cell seen at `identify` is also set in the three lower layers). With buildings,
/// each camera first casts a ``BuildingIndex/horizon(from:range:bins:)`` with bins no wider than a quarter cell at its
/// range, and a cell counts only when nearer than its bin's first wall. A cell is tested at its centre.
public struct CoverageRaster: Sendable {
    /// The cell layout.
    public let grid: RasterGrid
    let inside: BitLayer
    let inView: BitLayer
    let levels: [BitLayer]

    /// The most cells a raster may have (about 1 GB of bit layers).
    public static let maximumCells = 1_000_000_000

    /// Rasterises `cameras` over `area` at `resolution` metres, splitting the cameras over `parallelism` tasks.
    public static func compute(
        area: PlanePolygon, resolution: Double, cameras: [PlanarCamera], buildings: BuildingIndex? = nil, parallelism: Int = 2
    ) async throws(CoverageError) -> CoverageRaster {
        let grid = try layout(area: area, resolution: resolution)
        let parts = max(1, min(parallelism, cameras.count))
        let chunk = (cameras.count + parts - 1) / max(parts, 1)
        let layers = await withTaskGroup(of: Layers.self) { group in
            for part in 0..<parts {
                let slice = Array(cameras[min(cameras.count, part * chunk)..<min(cameras.count, (part + 1) * chunk)])
                group.addTask { Layers.rasterise(slice, grid: grid, buildings: buildings) }
            }
            var total = Layers(grid: grid)
            for await partial in group { total.formUnion(partial) }
            return total
        }
        return CoverageRaster(grid: grid, inside: insideMask(area, grid), inView: layers.inView, levels: layers.levels)
    }

    /// The same raster on the calling thread.
    public init(area: PlanePolygon, resolution: Double, cameras: [PlanarCamera], buildings: BuildingIndex? = nil) throws(CoverageError) {
        let grid = try CoverageRaster.layout(area: area, resolution: resolution)
        let layers = Layers.rasterise(cameras, grid: grid, buildings: buildings)
        self.init(grid: grid, inside: CoverageRaster.insideMask(area, grid), inView: layers.inView, levels: layers.levels)
    }

    init(grid: RasterGrid, inside: BitLayer, inView: BitLayer, levels: [BitLayer]) {
        self.grid = grid
        self.inside = inside
        self.inView = inView
        self.levels = levels
    }

    /// Cells whose centre lies inside the area.
    public var cellsInArea: Int { inside.words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The share (0…1) of the area's cells in view of any camera (`level` nil) or seen at `level` or better.
    public func coveredFraction(at level: DORILevel? = nil) -> Double {
        let layer = level.map { levels[$0.rawValue] } ?? inView
        var covered = 0
        for i in inside.words.indices { covered += (inside.words[i] & layer.words[i]).nonzeroBitCount }
        let total = cellsInArea
        return total == 0 ? 0 : Double(covered) / Double(total)
    }

    /// Whether the cell holding plane point `point` is covered (in view with `level` nil, else at `level` or better).
    public func isCovered(_ point: PlanePoint, at level: DORILevel? = nil) -> Bool {
        let column = Int(((point.x - grid.minX) / grid.resolution).rounded(.down))
        let row = Int(((point.y - grid.minY) / grid.resolution).rounded(.down))
        guard column >= 0, column < grid.columns, row >= 0, row < grid.rows else { return false }
        let layer = level.map { levels[$0.rawValue] } ?? inView
        return layer.words[row * grid.wordsPerRow + column >> 6] >> UInt64(column & 63) & 1 == 1
    }

    /// The area's uncovered cells (not in view, or below `level`) merged into rectangles: runs along each row, then runs
    /// with the same columns in consecutive rows joined. Stops after `limit` rectangles (`truncated` says so).
    public func gaps(at level: DORILevel? = nil, limit: Int = 200_000) -> (rectangles: [PlaneBox], truncated: Bool) {
        let layer = level.map { levels[$0.rawValue] } ?? inView
        return GapRectangles.merge(grid: grid, limit: limit) { row, word in
            let i = row * grid.wordsPerRow + word
            return inside.words[i] & ~layer.words[i]
        }
    }

    static func layout(area: PlanePolygon, resolution: Double) throws(CoverageError) -> RasterGrid {
        guard resolution.isFinite, resolution > 0 else { throw .resolutionNotPositive(resolution) }
        let box = area.boundingBox
        let cells = ((box.maxX - box.minX) / resolution).rounded(.up) * ((box.maxY - box.minY) / resolution).rounded(.up)
        guard cells <= Double(maximumCells) else { throw .tooManyCells(cells: cells.isFinite ? Int(cells) : .max, limit: maximumCells) }
        return RasterGrid(box: box, resolution: resolution)
    }

    /// Scan-line fill of the area: a cell is inside when its centre is.
    static func insideMask(_ area: PlanePolygon, _ grid: RasterGrid) -> BitLayer {
        var layer = BitLayer(wordCount: grid.wordCount)
        for row in 0..<grid.rows {
            let y = grid.minY + (Double(row) + 0.5) * grid.resolution
            let xs = area.crossings(atY: y)
            var k = 0
            while k + 1 < xs.count {
                let from = max(0, Int(((xs[k] - grid.minX) / grid.resolution - 0.5).rounded(.up)))
                let to = min(grid.columns, Int(((xs[k + 1] - grid.minX) / grid.resolution - 0.5).rounded(.down)) + 1)
                layer.setRange(base: row * grid.wordsPerRow, from: from, to: to)
                k += 2
            }
        }
        return layer
    }
}

/// The "in view" layer and the four DORI layers being filled.
struct Layers: Sendable {
    var inView: BitLayer
    var levels: [BitLayer]

    init(grid: RasterGrid) {
        inView = BitLayer(wordCount: grid.wordCount)
        levels = Array(repeating: BitLayer(wordCount: grid.wordCount), count: DORILevel.allCases.count)
    }

    mutating func formUnion(_ other: Layers) {
        inView.formUnion(other.inView)
        for i in levels.indices { levels[i].formUnion(other.levels[i]) }
    }

    static func rasterise(_ cameras: [PlanarCamera], grid: RasterGrid, buildings: BuildingIndex?) -> Layers {
        var layers = Layers(grid: grid)
        for camera in cameras { layers.add(camera, grid: grid, buildings: buildings) }
        return layers
    }

    /// Sets the cells `camera` sees.
    mutating func add(_ camera: PlanarCamera, grid: RasterGrid, buildings: BuildingIndex?) {
        let box = camera.boundingBox
        let range = camera.view.range
        let r0 = max(0, Int(((box.minY - grid.minY) / grid.resolution - 0.5).rounded(.up)))
        let r1 = min(grid.rows - 1, Int(((box.maxY - grid.minY) / grid.resolution - 0.5).rounded(.down)))
        let c0 = max(0, Int(((box.minX - grid.minX) / grid.resolution - 0.5).rounded(.up)))
        let c1 = min(grid.columns - 1, Int(((box.maxX - grid.minX) / grid.resolution - 0.5).rounded(.down)))
        guard r0 <= r1, c0 <= c1 else { return }
        let bins = max(64, Int((2 * Double.pi * range / (grid.resolution / 4)).rounded(.up)))
        let horizon = buildings?.horizon(from: camera.position, range: range, bins: bins)
        let binScale = Double(bins) / (2 * Double.pi)
        let p = camera.position
        let doriSquared = camera.doriRangeSquared
        let levelCount = doriSquared.count
        for row in r0...r1 {
            let dy = grid.minY + (Double(row) + 0.5) * grid.resolution - p.y
            let reach = range * range - dy * dy
            guard reach >= 0 else { continue }
            let half = reach.squareRoot()
            let from = max(c0, Int(((p.x - half - grid.minX) / grid.resolution - 0.5).rounded(.up)))
            let to = min(c1, Int(((p.x + half - grid.minX) / grid.resolution - 0.5).rounded(.down)))
            guard from <= to else { continue }
            let base = row * grid.wordsPerRow
            for column in from...to {
                let dx = grid.minX + (Double(column) + 0.5) * grid.resolution - p.x
                let squared = dx * dx + dy * dy
                guard camera.covers(dx: dx, dy: dy, squared: squared) else { continue }
                if let horizon {
                    var angle = atan2(dx, dy)
                    if angle < 0 { angle += 2 * .pi }
                    let bin = min(bins - 1, Int(angle * binScale))
                    guard squared <= horizon[bin] * horizon[bin] else { continue }
                }
                let word = base + column >> 6, bit: UInt64 = 1 << UInt64(column & 63)
                inView.words[word] |= bit
                for level in 0..<levelCount where squared <= doriSquared[level] * (1 + 1e-12) { levels[level].words[word] |= bit }
            }
        }
    }
}
