import Foundation
import Testing

@testable import RTCCCore

@Suite("Symbol structure")
struct QRCodeStructureTests {
    /// Reads the 15 format bits of the copy around the top-left finder (bit 0 least significant).
    private func topLeftFormatBits(_ code: QRCode) -> Int {
        var positions: [(x: Int, y: Int)] = (0...5).map { (8, $0) } + [(8, 7), (8, 8), (7, 8)]
        positions += (9..<15).map { (14 - $0, 8) }
        return bits(code, at: positions)
    }

    /// Reads the 15 format bits of the copy split between the other two finders.
    private func splitFormatBits(_ code: QRCode) -> Int {
        let positions: [(x: Int, y: Int)] =
            (0..<8).map { (code.size - 1 - $0, 8) } + (8..<15).map { (8, code.size - 15 + $0) }
        return bits(code, at: positions)
    }

    private func bits(_ code: QRCode, at positions: [(x: Int, y: Int)]) -> Int {
        positions.enumerated().reduce(0) { value, entry in
            value | (code.isDark(x: entry.element.x, y: entry.element.y) ? 1 << entry.offset : 0)
        }
    }

    @Test func versionOneMediumCarriesMatchingFormatBitsInBothCopies() throws {
        let code = try QRCode(encoding: "OpenRTCC TOTP.", correction: .medium)
        #expect(code.version == 1)
        #expect(code.size == 21)

        let format = topLeftFormatBits(code)
        #expect(format == splitFormatBits(code))
        #expect(format == QRCode.formatInformation(correction: .medium, mask: code.mask))

        let unmasked = format ^ 0x5412
        #expect(unmasked >> 13 == 0b00, "level indicator for M")
        #expect((unmasked >> 10) & 0b111 == code.mask)
    }

    @Test func formatInformationMatchesPublishedCodes() {
        #expect(QRCode.formatInformation(correction: .medium, mask: 0) == 0b101010000010010)
        #expect(QRCode.formatInformation(correction: .medium, mask: 5) == 0b100000011001110)
        #expect(QRCode.formatInformation(correction: .low, mask: 0) == 0b111011111000100)
        #expect(QRCode.formatInformation(correction: .low, mask: 7) == 0b110100101110110)
        #expect(QRCode.formatInformation(correction: .quartile, mask: 0) == 0b011010101011111)
        #expect(QRCode.formatInformation(correction: .high, mask: 0) == 0b001011010001001)
    }

    @Test func versionInformationMatchesPublishedCodes() {
        #expect(QRCode.versionInformation(version: 7) == 0x07C94)
        #expect(QRCode.versionInformation(version: 8) == 0x085BC)
        #expect(QRCode.versionInformation(version: 40) == 0x28C69)
    }

    @Test(arguments: [7, 21, 40])
    func versionInformationIsWrittenBesideBothFinders(version: Int) throws {
        let text = Sample.filler(length: QRCode.byteCapacity(version: version, correction: .low))
        let code = try QRCode(encoding: text, correction: .low)
        #expect(code.version == version)
        var bottomLeft = 0
        var topRight = 0
        for index in 0..<18 {
            let near = index / 3
            let far = code.size - 11 + index % 3
            bottomLeft |= code.isDark(x: near, y: far) ? 1 << index : 0
            topRight |= code.isDark(x: far, y: near) ? 1 << index : 0
        }
        #expect(bottomLeft == QRCode.versionInformation(version: version))
        #expect(topRight == bottomLeft)
    }

    @Test(arguments: [1, 7, 40])
    func finderPatternsSitInThreeCornersWithLightSeparators(version: Int) throws {
        let text = Sample.filler(length: QRCode.byteCapacity(version: version, correction: .medium))
        let code = try QRCode(encoding: text)
        let last = code.size - 1
        for (left, top) in [(0, 0), (last - 6, 0), (0, last - 6)] {
            for dy in -1...7 {
                for dx in -1...7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(code.isDark(x: left + dx, y: top + dy) == (ring != 2 && ring != 4), "finder at (\(left), \(top))")
                }
            }
        }
        let bottomRightIsFinder = (0..<7).allSatisfy { code.isDark(x: last - $0, y: last) }
            && (0..<7).allSatisfy { code.isDark(x: last, y: last - $0) }
        #expect(!bottomRightIsFinder)
    }

    @Test(arguments: [1, 10, 40])
    func timingPatternsAlternateBetweenFinders(version: Int) throws {
        let text = Sample.filler(length: QRCode.byteCapacity(version: version, correction: .high))
        let code = try QRCode(encoding: text, correction: .high)
        for index in 8..<(code.size - 8) {
            #expect(code.isDark(x: index, y: 6) == index.isMultiple(of: 2))
            #expect(code.isDark(x: 6, y: index) == index.isMultiple(of: 2))
        }
    }

    @Test(arguments: QRCode.versions)
    func darkModuleSitsAboveTheLowerLeftFormatCopy(version: Int) throws {
        let text = Sample.filler(length: QRCode.byteCapacity(version: version, correction: .quartile))
        let code = try QRCode(encoding: text, correction: .quartile)
        #expect(code.isDark(x: 8, y: code.size - 8))
    }

    @Test(arguments: QRCode.versions)
    func alignmentPatternsHaveADarkCentreAndRing(version: Int) throws {
        let grid = ModuleGrid(version: version)
        let centres = QRCode.alignmentCentres[version - 1]
        if let last = centres.last {
            #expect(last == grid.size - 7)
        }
        for centreY in centres {
            for centreX in centres where !(centreX == 6 && centreY == 6) && !(centreX == 6 && centreY == grid.size - 7)
                && !(centreX == grid.size - 7 && centreY == 6)
            {
                for dy in -2...2 {
                    for dx in -2...2 {
                        #expect(grid[x: centreX + dx, y: centreY + dy] == (max(abs(dx), abs(dy)) != 1))
                    }
                }
            }
        }
    }

    @Test(arguments: QRCode.versions)
    func codewordTableMatchesTheModulesLeftForData(version: Int) {
        let grid = ModuleGrid(version: version)
        let dataModules = grid.isFunction.count(where: { !$0 })
        #expect(dataModules / 8 == QRCode.totalCodewords[version - 1])
        #expect(dataModules % 8 == [0, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3,
                                    4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0][version - 1])
    }

    @Test(arguments: QRCode.versions)
    func blocksAreBalancedAndFitTheSymbol(version: Int) {
        for correction in QRCode.Correction.allCases {
            let layout = QRCode.blockLayout(version: version, correction: correction)
            let lengths = (0..<layout.blockCount).map { layout.dataCodewords(inBlock: $0) }
            #expect(lengths.reduce(0, +) == layout.dataCodewords)
            #expect((lengths.max() ?? 0) - (lengths.min() ?? 0) <= 1)
            #expect(lengths == lengths.sorted())
            #expect((lengths.max() ?? 0) + layout.correctionCodewordsPerBlock <= 255)
        }
    }

    @Test func byteCapacitiesMatchThePublishedFigures() {
        let published: [(Int, QRCode.Correction, Int)] = [
            (1, .low, 17), (1, .medium, 14), (1, .quartile, 11), (1, .high, 7),
            (2, .medium, 26), (5, .quartile, 60), (7, .high, 64), (9, .low, 230), (10, .medium, 213),
                        (40, .low, 2953), (40, .medium, 2331), (40, .quartile, 1663), (40, .high, 1273),
        ]
        for (version, correction, bytes) in published {
            #expect(QRCode.byteCapacity(version: version, correction: correction) == bytes, "\(version)-\(correction)")
        }
    }

    @Test func theSmallestVersionThatFitsIsChosen() throws {
        for correction in QRCode.Correction.allCases {
            for version in 1..<40 {
                let length = QRCode.byteCapacity(version: version, correction: correction) + 1
                let code = try QRCode(bytes: Array(repeating: 0x41, count: length), correction: correction)
                #expect(code.version == version + 1)
            }
        }
    }

    @Test func emptyTextFitsVersionOne() throws {
        let code = try QRCode(encoding: "", correction: .high)
        #expect(code.version == 1)
    }

    @Test(arguments: QRCode.Correction.allCases)
    func textTooLongForVersionFortyIsRejectedWithItsLimit(correction: QRCode.Correction) {
        let maximum = QRCode.byteCapacity(version: 40, correction: correction)
        let text = String(repeating: "x", count: maximum + 1)
        #expect(throws: QRCode.EncodingError.textTooLong(byteCount: maximum + 1, maximumByteCount: maximum, correction: correction)) {
            try QRCode(encoding: text, correction: correction)
        }
        let error = QRCode.EncodingError.textTooLong(byteCount: maximum + 1, maximumByteCount: maximum, correction: correction)
        #expect(error.description.contains("at most \(maximum) bytes"))
        #expect(error.description.contains("lower correction level"))
    }

    @Test func modulesOutsideTheSymbolAreLight() throws {
        let code = try QRCode(encoding: "OpenRTCC")
        #expect(!code.isDark(x: -1, y: 0))
        #expect(!code.isDark(x: 0, y: -1))
        #expect(!code.isDark(x: code.size, y: 0))
        #expect(!code.isDark(x: 0, y: code.size))
        #expect(code.isDark(x: 0, y: 0))
    }

    @Test func encodingIsDeterministic() throws {
        #expect(try QRCode(encoding: enrolmentURI) == QRCode(encoding: enrolmentURI))
    }

    @Test func lowestPenaltyMaskIsChosen() throws {
        let bytes = Array(enrolmentURI.utf8)
        let chosen = try QRCode(bytes: bytes, correction: .medium)
        let layout = QRCode.blockLayout(version: chosen.version, correction: .medium)
        var grid = ModuleGrid(version: chosen.version)
        grid.placeCodewords(
            QRCode.interleavedCodewords(
                data: QRCode.dataCodewords(for: bytes, version: chosen.version, layout: layout), layout: layout))
        let penalties = (0..<8).map { grid.masked(with: $0, correction: .medium).penalty }
        #expect(penalties[chosen.mask] == penalties.min())
        #expect(penalties.firstIndex(of: penalties.min() ?? 0) == chosen.mask)
    }

    @Test func runsOfFiveOrMoreScoreThreePlusTheExcess() {
        #expect(ModuleGrid.linePenalty(Array(repeating: false, count: 21)) == 3 + 16)
        #expect(ModuleGrid.linePenalty([true, true, true, true, false, false, false, false]) == 0)
        #expect(ModuleGrid.linePenalty([true, true, true, true, true, true, false, true, false]) == 4)
    }

    @Test func finderLikeRunsWithLightSpaceScoreFortyPerSide() {
        let finderLike: [Bool] = [true, false, true, true, true, false, true]
        let light = [Bool](repeating: false, count: 4)
        #expect(ModuleGrid.linePenalty(light + finderLike + light) == 80)
        #expect(ModuleGrid.linePenalty([true, true] + light + finderLike + [true, true, false, true, false, true]) == 40)
    }

    @Test func encodingTwoHundredBytesTakesWellUnderFiftyMilliseconds() throws {
        let text = Sample.filler(length: 200)
        let clock = ContinuousClock()
        var fastest = Duration.seconds(1)
        for _ in 0..<5 {
            let elapsed = try clock.measure { _ = try QRCode(encoding: text) }
            fastest = min(fastest, elapsed)
        }
        #expect(fastest < .milliseconds(50), "fastest of five encodings took \(fastest)")
    }
}
