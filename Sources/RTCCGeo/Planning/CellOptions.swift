import Foundation

/// For each demand cell, the options covering it (the transpose of ``CoverageSets``).
struct CellOptions {
    let starts: [Int]
    let options: [Int32]

    init(_ sets: CoverageSets) {
        var counts = [Int](repeating: 0, count: sets.weights.count + 1)
        for cell in sets.cells { counts[Int(cell) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var fill = counts
        var options = [Int32](repeating: 0, count: sets.cells.count)
        for option in 0..<sets.optionCount {
            for cell in sets.cells(of: option) {
                options[fill[Int(cell)]] = Int32(option)
                fill[Int(cell)] += 1
            }
        }
        starts = counts
        self.options = options
    }

    @inline(__always)
    func options(of cell: Int) -> ArraySlice<Int32> { options[starts[cell]..<starts[cell + 1]] }
}
