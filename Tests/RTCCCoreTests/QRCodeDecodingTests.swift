import Foundation
import Testing

@testable import RTCCCore

/// A text to encode, with the level to encode it at and the version it should need.
struct Sample: Sendable, CustomTestStringConvertible {
    let text: String
    let correction: QRCode.Correction
    let expectedVersion: Int?

    var testDescription: String {
        let start = text.prefix(24)
        let version = expectedVersion.map { " v\($0)" } ?? ""
        return "\(correction)\(version) \(text.utf8.count) bytes \"\(start)\(text.count > 24 ? "…" : "")\""
    }

    /// ASCII filler text of exactly `length` bytes that does not simply repeat.
    static func filler(length: Int) -> String {
        let words = ["otpauth", "totp", "OpenRTCC", "analyst", "secret", "JBSWY3DPEHPK3PXP", "issuer", "period", "digits"]
        var text = ""
        var counter = 0
        while text.utf8.count < length {
            text += "\(words[counter % words.count])\(counter)/"
            counter += 1
        }
        return String(text.utf8.prefix(length))!
    }
}

let enrolmentURI = "otpauth://totp/OpenRTCC:analyst1?secret=JBSWY3DPEHPK3PXP&issuer=OpenRTCC&algorithm=SHA1&digits=6&period=30"

let namedTexts = [
    "A",
    "OpenRTCC analyst1",
    enrolmentURI,
    enrolmentURI + "&image=https%3A%2F%2Frtcc.example.org%2Flogo.png",
    "Café ☕",
    "Überwachung · Kamera 7 · Ζ ω · 監視カメラ",
]

let namedSamples = namedTexts.flatMap { text in
    QRCode.Correction.allCases.map { Sample(text: text, correction: $0, expectedVersion: nil) }
}

/// For every version and level, a text that fills the symbol exactly.
let fullSymbolSamples = QRCode.versions.flatMap { version in
    QRCode.Correction.allCases.map { correction in
        Sample(
            text: Sample.filler(length: QRCode.byteCapacity(version: version, correction: correction)),
            correction: correction,
            expectedVersion: version
        )
    }
}

@Suite("Symbols read back by zbarimg")
struct QRCodeDecodingTests {
    @Test("Texts decode to exactly what was encoded", arguments: namedSamples)
    func namedTextRoundTrips(_ sample: Sample) throws {
        let code = try QRCode(encoding: sample.text, correction: sample.correction)
        #expect(try ZBar.decode(code) == sample.text)
    }

    @Test("A text that fills a symbol picks that version and decodes", arguments: fullSymbolSamples)
    func fullSymbolRoundTrips(_ sample: Sample) throws {
        let code = try QRCode(encoding: sample.text, correction: sample.correction)
        #expect(code.version == sample.expectedVersion)
        #expect(code.size == 17 + 4 * code.version)
        #expect(try ZBar.decode(code, moduleSize: 2) == sample.text)
    }

    @Test("Every data mask yields a readable symbol", arguments: 0..<8)
    func everyMaskDecodes(mask: Int) throws {
        for text in [enrolmentURI, Sample.filler(length: 400)] {
            let code = try QRCode(bytes: Array(text.utf8), correction: .quartile, forcedMask: mask)
            #expect(code.mask == mask)
            #expect(try ZBar.decode(code) == text)
        }
    }

    @Test func enrolmentURIFitsASmallSymbolAtDefaultLevel() throws {
        let code = try QRCode(encoding: enrolmentURI)
        #expect(code.correction == .medium)
        #expect(code.version == 6)
        #expect(try ZBar.decode(code) == enrolmentURI)
    }
}
