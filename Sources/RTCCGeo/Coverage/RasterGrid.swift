import Foundation

/// The cell layout of a raster: square cells of `resolution` metres from a south-west corner, each row padded to whole
/// 64-bit words so that rows never share a word.
public struct RasterGrid: Sendable, Hashable {
    /// West edge, plane metres.
    public let minX: Double
    /// South edge, plane metres.
    public let minY: Double
    /// Cell side, metres.
    public let resolution: Double
    /// Cells per row.
    public let columns: Int
    /// Rows.
    public let rows: Int
    /// 64-bit words per row.
    public let wordsPerRow: Int

    /// Lays cells over `box`.
    init(box: PlaneBox, resolution: Double) {
        minX = box.minX
        minY = box.minY
        self.resolution = resolution
        columns = max(1, Int(((box.maxX - box.minX) / resolution).rounded(.up)))
        rows = max(1, Int(((box.maxY - box.minY) / resolution).rounded(.up)))
        wordsPerRow = (columns + 63) / 64
    }

    /// The centre of cell (column, row).
    public func centre(column: Int, row: Int) -> PlanePoint {
        PlanePoint(x: minX + (Double(column) + 0.5) * resolution, y: minY + (Double(row) + 0.5) * resolution)
    }

    /// Words in one layer.
    var wordCount: Int { wordsPerRow * rows }
}

/// One bit per raster cell.
struct BitLayer: Sendable, Hashable {
    var words: [UInt64]

    init(wordCount: Int) { words = [UInt64](repeating: 0, count: wordCount) }

    /// Sets bits `from..<to` of the row starting at word `base`.
    mutating func setRange(base: Int, from: Int, to: Int) {
        guard from < to else { return }
        var column = from
        while column < to {
            let word = column >> 6, bit = column & 63
            let span = min(64 - bit, to - column)
            let mask: UInt64 = span == 64 ? ~0 : ((1 << UInt64(span)) - 1) << UInt64(bit)
            words[base + word] |= mask
            column += span
        }
    }

    /// ORs `other` into this layer.
    mutating func formUnion(_ other: BitLayer) {
        for i in words.indices { words[i] |= other.words[i] }
    }
}
