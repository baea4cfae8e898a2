extension QRCode {
    /// How the codewords of one version at one correction level are split into blocks.
    ///
    /// Every block carries the same number of error correction codewords. Data codewords are shared
    /// out as evenly as possible: the first blocks ("short" blocks) hold one data codeword fewer
    /// than the remaining "long" blocks.
    struct BlockLayout: Sendable, Equatable {
        /// Total codewords (data and error correction) in the symbol.
        let totalCodewords: Int
        /// Number of error correction blocks.
        let blockCount: Int
        /// Error correction codewords in each block.
        let correctionCodewordsPerBlock: Int

        /// Data codewords in the whole symbol.
        var dataCodewords: Int {
            totalCodewords - blockCount * correctionCodewordsPerBlock
        }

        /// Number of blocks that hold one data codeword more than the others.
        var longBlockCount: Int {
            dataCodewords % blockCount
        }

        /// Data codewords in the block at `index` (blocks are numbered from 0, short ones first).
        func dataCodewords(inBlock index: Int) -> Int {
            let shortLength = dataCodewords / blockCount
            return index < blockCount - longBlockCount ? shortLength : shortLength + 1
        }
    }

    /// The lowest and highest symbol versions.
    static let versions = 1...40

    /// The block layout of `version` (1–40) at `correction`.
    static func blockLayout(version: Int, correction: Correction) -> BlockLayout {
        let row = correction.tableRow
        return BlockLayout(
            totalCodewords: totalCodewords[version - 1],
            blockCount: blockCounts[row][version - 1],
            correctionCodewordsPerBlock: correctionCodewordsPerBlock[row][version - 1]
        )
    }

    /// Bits in the character count indicator of a byte mode segment.
    static func characterCountBits(version: Int) -> Int {
        version <= 9 ? 8 : 16
    }

    /// The most bytes a single byte mode segment can carry in `version` at `correction`.
    static func byteCapacity(version: Int, correction: Correction) -> Int {
        let dataBits = blockLayout(version: version, correction: correction).dataCodewords * 8
        return (dataBits - 4 - characterCountBits(version: version)) / 8
    }

    /// Side length in modules of a symbol of `version`.
    static func size(version: Int) -> Int {
        17 + 4 * version
    }

    /// Row and column coordinates of alignment pattern centres, indexed by version − 1.
    /// Patterns sit at every pairing of these coordinates except the three that overlap finders.
    static let alignmentCentres: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],
        [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50], [6, 30, 54], [6, 32, 58], [6, 34, 62],
        [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74], [6, 30, 54, 78], [6, 30, 56, 82], [6, 30, 58, 86],
        [6, 34, 62, 90],
        [6, 28, 50, 72, 94], [6, 26, 50, 74, 98], [6, 30, 54, 78, 102], [6, 28, 54, 80, 106],
        [6, 32, 58, 84, 110], [6, 30, 58, 86, 114], [6, 34, 62, 90, 118],
        [6, 26, 50, 74, 98, 122], [6, 30, 54, 78, 102, 126], [6, 26, 52, 78, 104, 130],
        [6, 30, 56, 82, 108, 134], [6, 34, 60, 86, 112, 138], [6, 30, 58, 86, 114, 142],
        [6, 34, 62, 90, 118, 146],
        [6, 30, 54, 78, 102, 126, 150], [6, 24, 50, 76, 102, 128, 154], [6, 28, 54, 80, 106, 132, 158],
        [6, 32, 58, 84, 110, 136, 162], [6, 26, 54, 82, 110, 138, 166], [6, 30, 58, 86, 114, 142, 170],
    ]

    /// Total codewords per symbol, indexed by version − 1 (the data modules left once every
    /// function pattern is placed, divided by 8; remainder bits are not counted).
    static let totalCodewords: [Int] = [
        26, 44, 70, 100, 134, 172, 196, 242, 292, 346,
        404, 466, 532, 581, 655, 733, 815, 901, 991, 1085,
        1156, 1258, 1364, 1474, 1588, 1706, 1828, 1921, 2051, 2185,
        2323, 2465, 2611, 2761, 2876, 3034, 3196, 3362, 3532, 3706,
    ]

    /// Error correction codewords per block; rows L, M, Q, H, columns indexed by version − 1.
    static let correctionCodewordsPerBlock: [[Int]] = [
        [
            7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
            28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
            26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        ],
        [
            13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
            28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
            30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
    ]

    /// Number of error correction blocks; rows L, M, Q, H, columns indexed by version − 1.
    static let blockCounts: [[Int]] = [
        [
            1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
            8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
        ],
        [
            1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
            17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
        ],
        [
            1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
            23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
        ],
        [
            1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
            25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
        ],
    ]
}
