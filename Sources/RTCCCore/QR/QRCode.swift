/// A QR code symbol (ISO/IEC 18004, Model 2) that carries text as UTF-8 bytes in byte mode.
///
/// The encoder picks the smallest version (1–40) that holds the text at the requested error
/// correction level, and the data mask (0–7) that scores lowest under the standard penalty rules.
/// The symbol is a square of ``size`` × ``size`` modules; read it with ``isDark(x:y:)`` or render it
/// with ``svg(moduleSize:quietZone:)`` or ``pbm(moduleSize:quietZone:)``.
///
/// ```swift
/// let code = try QRCode(encoding: "otpauth://totp/OpenRTCC:analyst1?secret=JBSWY3DPEHPK3PXP")
/// let markup = code.svg()
/// ```
public struct QRCode: Sendable, Hashable {
    /// How much of the symbol can be damaged or hidden and still be read back.
    ///
    /// Higher levels leave less room for data, so the same text needs a larger symbol.
    public enum Correction: Sendable, Hashable, CaseIterable {
        /// Level L: about 7 % of codewords can be restored.
        case low
        /// Level M: about 15 % of codewords can be restored.
        case medium
        /// Level Q: about 25 % of codewords can be restored.
        case quartile
        /// Level H: about 30 % of codewords can be restored.
        case high

        /// The two-bit indicator written into the format information.
        var formatIndicator: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }

        /// The row of this level in the block tables (L, M, Q, H order).
        var tableRow: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }
    }

    /// Why a text could not be encoded.
    public enum EncodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text is longer than the largest symbol (version 40) holds at this correction level.
        /// Shorten the text to at most `maximumByteCount` UTF-8 bytes, or choose a lower
        /// correction level.
        case textTooLong(byteCount: Int, maximumByteCount: Int, correction: Correction)

        /// A sentence that says what went wrong and what to do about it.
        public var description: String {
            switch self {
            case let .textTooLong(byteCount, maximumByteCount, correction):
                "The text is \(byteCount) bytes of UTF-8, but a QR code at \(correction) error correction holds "
                    + "at most \(maximumByteCount) bytes; shorten the text or choose a lower correction level."
            }
        }
    }

    /// Width and height of the symbol in modules, not counting the quiet zone
    /// (21 for version 1, growing by 4 per version up to 177 for version 40).
    public let size: Int

    /// The symbol version, 1–40.
    public let version: Int

    /// The error correction level the symbol was built with.
    public let correction: Correction

    /// The data mask pattern applied to the symbol, 0–7.
    public let mask: Int

    /// Module colours in row-major order; `true` is dark.
    private let modules: [Bool]

    /// Encodes `text` as its UTF-8 bytes in the smallest symbol that holds it.
    ///
    /// - Parameters:
    ///   - text: The text to carry, for example an `otpauth://` URI.
    ///   - correction: The error correction level; medium (M) unless told otherwise.
    /// - Throws: ``EncodingError/textTooLong(byteCount:maximumByteCount:correction:)`` when the
    ///   text does not fit in a version 40 symbol at `correction`.
    public init(encoding text: String, correction: Correction = .medium) throws(EncodingError) {
        try self.init(bytes: Array(text.utf8), correction: correction)
    }

    /// Encodes raw bytes in byte mode in the smallest symbol that holds them.
    ///
    /// - Parameters:
    ///   - bytes: The bytes to carry. Readers usually interpret them as UTF-8 or ISO 8859-1.
    ///   - correction: The error correction level; medium (M) unless told otherwise.
    /// - Throws: ``EncodingError/textTooLong(byteCount:maximumByteCount:correction:)`` when the
    ///   bytes do not fit in a version 40 symbol at `correction`.
    public init(bytes: [UInt8], correction: Correction = .medium) throws(EncodingError) {
        try self.init(bytes: bytes, correction: correction, forcedMask: nil)
    }

    /// Encodes `bytes`, using `forcedMask` instead of the lowest-penalty mask when it is given.
    init(bytes: [UInt8], correction: Correction, forcedMask: Int?) throws(EncodingError) {
        guard let version = Self.versions.first(where: { Self.byteCapacity(version: $0, correction: correction) >= bytes.count })
        else {
            throw .textTooLong(
                byteCount: bytes.count,
                maximumByteCount: Self.byteCapacity(version: Self.versions.upperBound, correction: correction),
                correction: correction
            )
        }
        let layout = Self.blockLayout(version: version, correction: correction)
        let data = Self.dataCodewords(for: bytes, version: version, layout: layout)
        let codewords = Self.interleavedCodewords(data: data, layout: layout)

        var grid = ModuleGrid(version: version)
        grid.placeCodewords(codewords)

        let candidates = forcedMask.map { [$0] } ?? Array(0..<8)
        let scored = candidates.map { mask in
            let masked = grid.masked(with: mask, correction: correction)
            return (mask: mask, grid: masked, penalty: masked.penalty)
        }
        let best = scored.min { $0.penalty < $1.penalty } ?? scored[0]
        let mask = best.mask
        let final = best.grid

        self.size = final.size
        self.version = version
        self.correction = correction
        self.mask = mask
        self.modules = final.dark
    }

    /// Whether the module in column `x`, row `y` is dark. (0, 0) is the top-left corner.
    ///
    /// Coordinates outside `0..<size` are light, as the quiet zone around the symbol is.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }
}

// MARK: - Codewords

extension QRCode {
    /// The data codewords of a byte mode segment carrying `bytes`: mode indicator, character
    /// count, the bytes, a terminator of up to four zero bits, zero bits to the next byte
    /// boundary, then the pad codewords 0xEC and 0x11 in turn until the capacity is filled.
    static func dataCodewords(for bytes: [UInt8], version: Int, layout: BlockLayout) -> [UInt8] {
        let capacityBits = layout.dataCodewords * 8
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: characterCountBits(version: version))
        for byte in bytes {
            bits.append(Int(byte), count: 8)
        }
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)

        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < layout.dataCodewords {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits `data` into blocks, appends each block's error correction codewords, and
    /// interleaves them: the first data codeword of every block, then the second, and so on,
    /// followed by the error correction codewords in the same fashion.
    static func interleavedCodewords(data: [UInt8], layout: BlockLayout) -> [UInt8] {
        var dataBlocks: [[UInt8]] = []
        var correctionBlocks: [[UInt8]] = []
        var start = 0
        for index in 0..<layout.blockCount {
            let end = start + layout.dataCodewords(inBlock: index)
            let block = Array(data[start..<end])
            dataBlocks.append(block)
            correctionBlocks.append(ReedSolomon.errorCorrection(for: block, count: layout.correctionCodewordsPerBlock))
            start = end
        }

        var result: [UInt8] = []
        result.reserveCapacity(layout.totalCodewords)
        let longest = dataBlocks.map(\.count).max() ?? 0
        for position in 0..<longest {
            for block in dataBlocks where position < block.count {
                result.append(block[position])
            }
        }
        for position in 0..<layout.correctionCodewordsPerBlock {
            for block in correctionBlocks {
                result.append(block[position])
            }
        }
        return result
    }

    /// The 15-bit format information for `correction` and `mask`: five data bits, ten BCH(15,5)
    /// check bits, XORed with 0x5412 so that it is never all zero.
    static func formatInformation(correction: Correction, mask: Int) -> Int {
        let data = correction.formatIndicator << 3 | mask
        var remainder = data
        for _ in 0..<10 {
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18-bit version information for `version` (7–40): six data bits followed by twelve
    /// BCH(18,6) check bits.
    static func versionInformation(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 {
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        }
        return version << 12 | remainder
    }

    /// Whether data mask pattern `mask` inverts the module in column `x`, row `y`.
    static func maskInverts(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (y + x) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (y + x) % 3 == 0
        case 4: (y / 2 + x / 3) % 2 == 0
        case 5: (y * x) % 2 + (y * x) % 3 == 0
        case 6: ((y * x) % 2 + (y * x) % 3) % 2 == 0
        default: ((y + x) % 2 + (y * x) % 3) % 2 == 0
        }
    }
}

/// A growable sequence of bits, most significant bit first.
struct BitBuffer {
    /// The bits appended so far.
    private(set) var bits: [Bool] = []

    /// Number of bits appended so far.
    var count: Int { bits.count }

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) {
            bits.append((value >> shift) & 1 == 1)
        }
    }

    /// The bits packed into bytes; a final partial byte is padded with zero bits.
    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            var byte: UInt8 = 0
            for offset in 0..<8 {
                byte <<= 1
                if start + offset < bits.count, bits[start + offset] {
                    byte |= 1
                }
            }
            return byte
        }
    }
}

// MARK: - Module grid

/// The modules of a symbol under construction, with a record of which belong to function
/// patterns (finders, separators, timing, alignment, format and version information) and so are
/// neither used for data nor masked.
struct ModuleGrid {
    /// Side length in modules.
    let size: Int
    /// Module colours in row-major order; `true` is dark.
    private(set) var dark: [Bool]
    /// Whether each module belongs to a function pattern, in row-major order.
    private(set) var isFunction: [Bool]

    /// A grid for `version` with every function pattern drawn and the format areas reserved.
    init(version: Int) {
        size = QRCode.size(version: version)
        dark = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)
        drawFunctionPatterns(version: version)
    }

    /// The colour of the module in column `x`, row `y`.
    subscript(x x: Int, y y: Int) -> Bool {
        dark[y * size + x]
    }

    /// Colours a module and marks it as part of a function pattern.
    private mutating func setFunction(x: Int, y: Int, dark isDark: Bool) {
        dark[y * size + x] = isDark
        isFunction[y * size + x] = true
    }

    /// Draws timing patterns, finders with separators, alignment patterns, version information,
    /// and reserves the format information areas (with the dark module).
    private mutating func drawFunctionPatterns(version: Int) {
        for index in 0..<size {
            setFunction(x: 6, y: index, dark: index % 2 == 0)
            setFunction(x: index, y: 6, dark: index % 2 == 0)
        }

        drawFinder(centreX: 3, centreY: 3)
        drawFinder(centreX: size - 4, centreY: 3)
        drawFinder(centreX: 3, centreY: size - 4)

        let centres = QRCode.alignmentCentres[version - 1]
        let last = centres.count - 1
        for (row, centreY) in centres.enumerated() {
            for (column, centreX) in centres.enumerated() {
                let overlapsFinder =
                    (row == 0 && column == 0) || (row == 0 && column == last) || (row == last && column == 0)
                if !overlapsFinder {
                    drawAlignment(centreX: centreX, centreY: centreY)
                }
            }
        }

        drawFormatInformation(0)
        if version >= 7 {
            drawVersionInformation(QRCode.versionInformation(version: version))
        }
    }

    /// Draws a 7×7 finder pattern centred on the given module, with its one-module light
    /// separator, clipped to the symbol.
    private mutating func drawFinder(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centreX + dx
                let y = centreY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x: x, y: y, dark: ring != 2 && ring != 4)
            }
        }
    }

    /// Draws a 5×5 alignment pattern centred on the given module.
    private mutating func drawAlignment(centreX: Int, centreY: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(x: centreX + dx, y: centreY + dy, dark: max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// Writes both copies of the 15-bit format information, and the dark module beside the
    /// lower-left finder. Bit 0 is the least significant bit.
    mutating func drawFormatInformation(_ bits: Int) {
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }

        // Around the top-left finder: up column 8, then along row 8 to the left.
        for index in 0...5 {
            setFunction(x: 8, y: index, dark: bit(index))
        }
        setFunction(x: 8, y: 7, dark: bit(6))
        setFunction(x: 8, y: 8, dark: bit(7))
        setFunction(x: 7, y: 8, dark: bit(8))
        for index in 9..<15 {
            setFunction(x: 14 - index, y: 8, dark: bit(index))
        }

        // Split between the top-right finder (row 8) and the bottom-left finder (column 8).
        for index in 0..<8 {
            setFunction(x: size - 1 - index, y: 8, dark: bit(index))
        }
        for index in 8..<15 {
            setFunction(x: 8, y: size - 15 + index, dark: bit(index))
        }
        setFunction(x: 8, y: size - 8, dark: true)
    }

    /// Writes both 6×3 copies of the 18-bit version information, beside the bottom-left and
    /// top-right finders. Bit 0 is the least significant bit.
    private mutating func drawVersionInformation(_ bits: Int) {
        for index in 0..<18 {
            let isDark = (bits >> index) & 1 == 1
            let near = index / 3
            let far = size - 11 + index % 3
            setFunction(x: near, y: far, dark: isDark)
            setFunction(x: far, y: near, dark: isDark)
        }
    }

    /// Places codewords, most significant bit first, in the standard zigzag order: two-module
    /// wide columns from the right edge leftwards, alternately upwards and downwards, skipping
    /// function modules and the vertical timing pattern. Modules left over stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        var upwards = true
        while right > 0 {
            if right == 6 {
                right = 5
            }
            for step in 0..<size {
                let y = upwards ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] {
                    if bitIndex < bitCount {
                        dark[y * size + x] = (codewords[bitIndex >> 3] >> (7 - (bitIndex & 7))) & 1 == 1
                    }
                    bitIndex += 1
                }
            }
            right -= 2
            upwards.toggle()
        }
    }

    /// A copy with data mask `mask` applied to every non-function module and the matching
    /// format information written.
    func masked(with mask: Int, correction: QRCode.Correction) -> ModuleGrid {
        var copy = self
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && QRCode.maskInverts(mask, x: x, y: y) {
                copy.dark[y * size + x].toggle()
            }
        }
        copy.drawFormatInformation(QRCode.formatInformation(correction: correction, mask: mask))
        return copy
    }
}

// MARK: - Mask penalty

extension ModuleGrid {
    /// The penalty score of the grid under the four standard rules; the mask whose grid scores
    /// lowest is the one used.
    ///
    /// - N1: 3 + (length − 5) for each row or column run of five or more modules of one colour.
    /// - N2: 3 for each 2×2 square of one colour (overlapping squares all count).
    /// - N3: 40 for each 1:1:3:1:1 finder-like run with four light modules on one side
    ///   (modules outside the symbol count as light).
    /// - N4: 10 for each full 5 % by which the share of dark modules strays from 50 %.
    var penalty: Int {
        var score = 0
        var line = [Bool](repeating: false, count: size)
        for index in 0..<size {
            for position in 0..<size {
                line[position] = dark[index * size + position]
            }
            score += Self.linePenalty(line)
            for position in 0..<size {
                line[position] = dark[position * size + index]
            }
            score += Self.linePenalty(line)
        }

        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let here = y * size + x
                let colour = dark[here]
                if colour == dark[here + 1], colour == dark[here + size], colour == dark[here + size + 1] {
                    score += 3
                }
            }
        }

        let darkCount = dark.count(where: { $0 })
        let steps = abs(darkCount * 20 - dark.count * 10) / dark.count
        score += steps * 10
        return score
    }

    /// Rules N1 and N3 applied to one row or column.
    static func linePenalty(_ line: [Bool]) -> Int {
        var score = 0

        var runLength = 1
        for position in 1...line.count {
            if position < line.count, line[position] == line[position - 1] {
                runLength += 1
            } else {
                if runLength >= 5 {
                    score += 3 + runLength - 5
                }
                runLength = 1
            }
        }

        // Finder-like runs, with modules outside the line counting as light.
        let count = line.count
        func isLightRun(from start: Int) -> Bool {
            var position = max(start, 0)
            while position < min(start + 4, count) {
                if line[position] {
                    return false
                }
                position += 1
            }
            return true
        }
        var start = 0
        while start + 7 <= count {
            if line[start], !line[start + 1], line[start + 2], line[start + 3], line[start + 4], !line[start + 5],
                line[start + 6]
            {
                if isLightRun(from: start - 4) {
                    score += 40
                }
                if isLightRun(from: start + 7) {
                    score += 40
                }
            }
            start += 1
        }
        return score
    }
}
