import Foundation

/// One of the standard Type 1 fonts every PDF reader provides (so nothing is embedded), with the advance widths
/// needed to measure and wrap text before it is placed.
enum ReportFont: Int, CaseIterable, Sendable {
    case regular = 1, bold, monospaced

    /// The font's name in a page's resource dictionary.
    var resourceName: String { "F\(rawValue)" }

    /// The PostScript name of the font.
    var baseFont: String {
        switch self {
        case .regular: "Helvetica"
        case .bold: "Helvetica-Bold"
        case .monospaced: "Courier"
        }
    }

    /// The width of `text` (WinAnsi bytes) at `size` points.
    func width(_ text: some Collection<UInt8>, size: Double) -> Double {
        Double(units(text)) * size / 1000
    }

    /// The width of `text` (WinAnsi bytes) in 1/1000 em.
    func units(_ text: some Collection<UInt8>) -> Int {
        text.reduce(0) { $0 + advance($1) }
    }

    /// The advance width of one WinAnsi byte in 1/1000 em.
    func advance(_ byte: UInt8) -> Int {
        if self == .monospaced { return 600 }
        let table = self == .bold ? Self.helveticaBold : Self.helvetica
        switch byte {
        case 0x20...0x7E: return Int(table[Int(byte) - 0x20])
        case 0xA0: return Int(table[0])
        default:
            // Helvetica's accented letters advance exactly as far as their base letter, except the accented i's, which
            // are built on the dotless i (278 in both weights); anything else is given a full em, as wide as the widest
            // glyphs in the encoding, so measured text is never narrower than printed text.
            if let base = WinAnsi.baseLetter[Int(byte)] { return base == UInt8(ascii: "i") ? 278 : Int(table[Int(base) - 0x20]) }
            return 1000
        }
    }

    /// The standard Helvetica advance widths in 1/1000 em for the printable ASCII characters 0x20 (space) to 0x7E (~),
    /// in code order.
    static let helvetica: [Int16] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  // space ! " # $ % & ' ( ) * + , - . /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  // 0-9 : ; < = > ?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  // @ A-O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  // P-Z [ \ ] ^ _
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  // ` a-o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  // p-z { | } ~
    ]

    /// The standard Helvetica-Bold advance widths in 1/1000 em for the printable ASCII characters, in code order.
    static let helveticaBold: [Int16] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ]
}

/// WinAnsiEncoding (PDF 1.4, appendix D), the single-byte encoding the report's fonts use.
enum WinAnsi {
    /// The characters of codes 0x80 to 0x9F, the range where WinAnsi differs from Latin-1; nil where the code is unused.
    static let upperControls: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    private static let fromUnicode: [UInt32: UInt8] = Dictionary(
        uniqueKeysWithValues: upperControls.enumerated().compactMap { index, scalar in scalar.map { ($0.value, UInt8(0x80 + index)) } })

    /// For each code, the ASCII letter it decomposes to when it is an accented letter (é -> e), else nil.
    static let baseLetter: [UInt8?] = (0..<256).map { code -> UInt8? in
        guard code >= 0x80 else { return nil }
        let scalar: Unicode.Scalar? = code < 0xA0 ? upperControls[code - 0x80] : Unicode.Scalar(UInt32(code))
        guard let scalar, let first = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.first,
            first.value != scalar.value, first.isASCII, first.properties.isAlphabetic
        else { return nil }
        return UInt8(first.value)
    }

    /// `text` as WinAnsi bytes: composed first (e + combining acute becomes é), tabs become spaces, line breaks become
    /// 0x0A, and every character the encoding lacks (and every other control character) becomes `?`.
    static func encode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        let scalars = Array(text.replacingOccurrences(of: "\r\n", with: "\n").precomposedStringWithCanonicalMapping.unicodeScalars)
        bytes.reserveCapacity(scalars.count)
        for scalar in scalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x2028, 0x2029: bytes.append(0x0A)
            case 0x09: bytes.append(0x20)
            case 0xAD: continue  // soft hyphen: an invisible break hint
            case 0x20...0x7E, 0xA0...0xFF: bytes.append(UInt8(scalar.value))
            default: bytes.append(fromUnicode[scalar.value] ?? UInt8(ascii: "?"))
            }
        }
        return bytes
    }
}
