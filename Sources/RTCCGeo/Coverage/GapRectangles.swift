import Foundation

/// Merges set cells of a bit raster into rectangles: runs along each row, then equal runs in consecutive rows.
enum GapRectangles {
    /// `word(row, index)` gives the bits of one row word (bit b of word w is column 64·w + b).
    static func merge(grid: RasterGrid, limit: Int, word: (Int, Int) -> UInt64) -> (rectangles: [PlaneBox], truncated: Bool) {
        var rectangles: [PlaneBox] = []
        var open: [Run: Int] = [:]  // run → first row
        func close(_ run: Run, from first: Int, to last: Int) {
            rectangles.append(
                PlaneBox(
                    minX: grid.minX + Double(run.from) * grid.resolution, minY: grid.minY + Double(first) * grid.resolution,
                    maxX: grid.minX + Double(run.to) * grid.resolution, maxY: grid.minY + Double(last + 1) * grid.resolution))
        }
        for row in 0..<grid.rows {
            let runs = self.runs(row: row, grid: grid, word: word)
            var next: [Run: Int] = [:]
            for run in runs { next[run] = open.removeValue(forKey: run) ?? row }
            for (run, first) in open.sorted(by: { $0.value < $1.value || ($0.value == $1.value && $0.key.from < $1.key.from) }) {
                close(run, from: first, to: row - 1)
                if rectangles.count >= limit { return (rectangles, true) }
            }
            open = next
        }
        for (run, first) in open.sorted(by: { $0.key.from < $1.key.from }) {
            close(run, from: first, to: grid.rows - 1)
            if rectangles.count >= limit { return (rectangles, true) }
        }
        return (rectangles, false)
    }

    struct Run: Hashable {
        var from: Int
        var to: Int
    }

    /// The runs of set bits in one row.
    static func runs(row: Int, grid: RasterGrid, word: (Int, Int) -> UInt64) -> [Run] {
        var runs: [Run] = []
        var start: Int?
        for w in 0..<grid.wordsPerRow {
            var bits = word(row, w)
            if w == grid.wordsPerRow - 1, grid.columns % 64 != 0 { bits &= (1 << UInt64(grid.columns % 64)) - 1 }
            var column = 0
            while column < 64 {
                if start == nil {
                    let rest = bits >> UInt64(column)
                    if rest == 0 { break }
                    column += rest.trailingZeroBitCount
                    start = w * 64 + column
                } else {
                    let rest = ~bits >> UInt64(column)
                    if rest == 0 { break }  // the run continues into the next word
                    column += rest.trailingZeroBitCount
                    runs.append(Run(from: start ?? 0, to: w * 64 + column))
                    start = nil
                }
            }
        }
        if let start { runs.append(Run(from: start, to: grid.wordsPerRow * 64)) }
        return runs.map { Run(from: $0.from, to: min($0.to, grid.columns)) }
    }
}
