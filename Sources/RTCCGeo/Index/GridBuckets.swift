import Foundation

/// A uniform grid over the plane mapping each cell to the items whose boxes overlap it, stored flat (CSR layout).
struct GridBuckets: Sendable {
    let minX: Double
    let minY: Double
    let cellSize: Double
    let columns: Int
    let rows: Int
    /// Items of cell c are `items[starts[c]..<starts[c + 1]]`.
    let starts: [Int32]
    let items: [Int32]

    /// The grid never has more than this many cells; the cell size grows to fit.
    static let maximumCells = 4_000_000

    init(boxes: [PlaneBox], cellSize requested: Double) {
        guard let bounds = boxes.dropFirst().reduce(boxes.first, { $0?.union($1) }) else {
            (minX, minY, cellSize, columns, rows, starts, items) = (0, 0, max(requested, 1), 1, 1, [0, 0], [])
            return
        }
        var size = max(requested, 1e-3)
        while ((bounds.maxX - bounds.minX) / size + 1) * ((bounds.maxY - bounds.minY) / size + 1) > Double(GridBuckets.maximumCells) {
            size *= 2
        }
        let columns = Int((bounds.maxX - bounds.minX) / size) + 1
        let rows = Int((bounds.maxY - bounds.minY) / size) + 1
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        func cells(_ box: PlaneBox) -> (ClosedRange<Int>, ClosedRange<Int>) {
            let c0 = max(0, Int((box.minX - bounds.minX) / size)), c1 = min(columns - 1, Int((box.maxX - bounds.minX) / size))
            let r0 = max(0, Int((box.minY - bounds.minY) / size)), r1 = min(rows - 1, Int((box.maxY - bounds.minY) / size))
            return (c0...c1, r0...r1)
        }
        for box in boxes {
            let (cs, rs) = cells(box)
            for r in rs { for c in cs { counts[r * columns + c + 1] += 1 } }
        }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var fill = counts
        var flat = [Int32](repeating: 0, count: Int(counts[counts.count - 1]))
        for (index, box) in boxes.enumerated() {
            let (cs, rs) = cells(box)
            for r in rs {
                for c in cs {
                    flat[Int(fill[r * columns + c])] = Int32(index)
                    fill[r * columns + c] += 1
                }
            }
        }
        (minX, minY, cellSize, self.columns, self.rows, starts, items) = (bounds.minX, bounds.minY, size, columns, rows, counts, flat)
    }

    /// The items of the cell holding `point` (empty outside the grid).
    @inline(__always)
    func items(at point: PlanePoint) -> ArraySlice<Int32> {
        let c = Int(((point.x - minX) / cellSize).rounded(.down)), r = Int(((point.y - minY) / cellSize).rounded(.down))
        guard c >= 0, c < columns, r >= 0, r < rows else { return [] }
        let cell = r * columns + c
        return items[Int(starts[cell])..<Int(starts[cell + 1])]
    }

    /// Calls `body` for every item listed in the cells `box` overlaps, once per cell: for point items, which sit in one
    /// cell each, that is once per item with no bookkeeping.
    func forEachPoint(in box: PlaneBox, _ body: (Int) -> Void) {
        let c0 = max(0, Int(((box.minX - minX) / cellSize).rounded(.down))), c1 = min(columns - 1, Int(((box.maxX - minX) / cellSize).rounded(.down)))
        let r0 = max(0, Int(((box.minY - minY) / cellSize).rounded(.down))), r1 = min(rows - 1, Int(((box.maxY - minY) / cellSize).rounded(.down)))
        guard c0 <= c1, r0 <= r1 else { return }
        for r in r0...r1 {
            for c in c0...c1 {
                let cell = r * columns + c
                for item in items[Int(starts[cell])..<Int(starts[cell + 1])] { body(Int(item)) }
            }
        }
    }

    /// Calls `body` once for every item in the cells `box` overlaps, until it returns false.
    func forEachItem(intersecting box: PlaneBox, _ body: (Int) -> Bool) {
        let c0 = max(0, Int(((box.minX - minX) / cellSize).rounded(.down))), c1 = min(columns - 1, Int(((box.maxX - minX) / cellSize).rounded(.down)))
        let r0 = max(0, Int(((box.minY - minY) / cellSize).rounded(.down))), r1 = min(rows - 1, Int(((box.maxY - minY) / cellSize).rounded(.down)))
        guard c0 <= c1, r0 <= r1 else { return }
        var seen = Set<Int32>()
        let single = c0 == c1 && r0 == r1
        for r in r0...r1 {
            for c in c0...c1 {
                let cell = r * columns + c
                for item in items[Int(starts[cell])..<Int(starts[cell + 1])] {
                    if !single { guard seen.insert(item).inserted else { continue } }
                    if !body(Int(item)) { return }
                }
            }
        }
    }
}
