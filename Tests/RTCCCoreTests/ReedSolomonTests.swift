import Testing

@testable import RTCCCore

@Suite("Reed–Solomon")
struct ReedSolomonTests {
    @Test func fieldMultiplicationReducesByThePrimitivePolynomial() {
        #expect(ReedSolomon.multiply(0x80, 2) == 0x1D)
        #expect(ReedSolomon.multiply(0, 0x53) == 0)
        #expect(ReedSolomon.power(8) == 0x1D)
        #expect(ReedSolomon.power(255) == 1)
        for value in 1...255 {
            #expect(ReedSolomon.multiply(UInt8(value), 1) == UInt8(value))
        }
    }

    @Test func generatorHasAlphaPowersAsRoots() {
        for degree in [7, 10, 13, 17, 22, 30] {
            let generator = ReedSolomon.generator(degree: degree)
            #expect(generator.count == degree + 1)
            #expect(generator.first == 1)
            for root in 0..<degree {
                let point = ReedSolomon.power(root)
                let value = generator.reduce(UInt8(0)) { ReedSolomon.multiply($0, point) ^ $1 }
                #expect(value == 0, "α^\(root) of degree \(degree)")
            }
        }
    }

    @Test func versionOneMediumExampleFromTheStandard() {
        // "01234567" in numeric mode at 1-M.
        let data: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.errorCorrection(for: data, count: 10) == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test func codewordsFormAValidCodeword() {
        let data = Array("otpauth://totp/OpenRTCC".utf8)
        let correction = ReedSolomon.errorCorrection(for: data, count: 18)
        let codeword = data + correction
        for root in 0..<18 {
            let point = ReedSolomon.power(root)
            let syndrome = codeword.reduce(UInt8(0)) { ReedSolomon.multiply($0, point) ^ $1 }
            #expect(syndrome == 0)
        }
    }

    @Test func dataCodewordsArePaddedWithAlternatingPadBytes() {
        let layout = QRCode.blockLayout(version: 1, correction: .medium)
        let data = QRCode.dataCodewords(for: Array("AB".utf8), version: 1, layout: layout)
        // 0100 | 00000010 | 01000001 | 01000010 | 0000 → 0x40 0x24 0x14 0x20, then padding.
        #expect(data == [0x40, 0x24, 0x14, 0x20, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
    }

    @Test func interleavingTakesCodewordsFromEachBlockInTurn() {
        // 5-Q: two blocks of 15 and two of 16 data codewords, 18 correction codewords each.
        let layout = QRCode.blockLayout(version: 5, correction: .quartile)
        #expect((0..<4).map { layout.dataCodewords(inBlock: $0) } == [15, 15, 16, 16])
        let data = (0..<62).map { UInt8($0) }
        let result = QRCode.interleavedCodewords(data: data, layout: layout)
        #expect(result.count == 134)
        #expect(Array(result.prefix(8)) == [0, 15, 30, 46, 1, 16, 31, 47])
        #expect(Array(result[60..<62]) == [45, 61])
        let lastBlockCorrection = ReedSolomon.errorCorrection(for: Array(data[46..<62]), count: 18)
        #expect(result[62 + 3] == lastBlockCorrection[0])
        #expect(result.last == lastBlockCorrection.last)
    }
}
