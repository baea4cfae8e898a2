import Foundation

/// Writes laid-out pages as a PDF 1.4 file: catalog, page tree, the three standard fonts, document information, one
/// uncompressed content stream per page and the cross-reference table.
enum PDFFile {
    static func write(pages: [[PageMark]], size: (width: Double, height: Double), title: String, createdAt: Date?) -> Data {
        var objects: [[UInt8]] = []
        func add(_ text: String) { objects.append(Array(text.utf8)) }
        let fonts = ReportFont.allCases
        let firstPage = 4 + fonts.count
        let pageIDs = pages.indices.map { firstPage + 2 * $0 }
        add("<< /Type /Catalog /Pages 2 0 R >>")
        add("<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>")
        var info = "<< /Title \(utf16String(title)) /Producer (OpenRTCC)"
        if let createdAt { info += " /CreationDate (\(date(createdAt)))" }
        add(info + " >>")
        for font in fonts {
            add("<< /Type /Font /Subtype /Type1 /BaseFont /\(font.baseFont) /Encoding /WinAnsiEncoding >>")
        }
        let fontResources = fonts.enumerated().map { "/\($1.resourceName) \(4 + $0) 0 R" }.joined(separator: " ")
        for (index, marks) in pages.enumerated() {
            add(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(number(size.width)) \(number(size.height))] "
                    + "/Resources << /Font << \(fontResources) >> >> /Contents \(pageIDs[index] + 1) 0 R >>")
            let stream = content(marks)
            objects.append(Array("<< /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("\nendstream".utf8))
        }

        var bytes = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(bytes.count)
            bytes += Array("\(index + 1) 0 obj\n".utf8) + object + Array("\nendobj\n".utf8)
        }
        let start = bytes.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += zeroPadded(offset) + " 00000 n \n" }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 3 0 R >>\nstartxref\n\(start)\n%%EOF\n"
        return Data(bytes + Array(table.utf8))
    }

    /// A page's drawing operators.
    static func content(_ marks: [PageMark]) -> [UInt8] {
        var out: [UInt8] = []
        for mark in marks {
            switch mark {
            case .fill(let x, let y, let width, let height, let gray):
                out += Array("\(number(gray)) g \(number(x)) \(number(y)) \(number(width)) \(number(height)) re f\n".utf8)
            case .line(let x1, let y1, let x2, let y2, let width, let gray):
                out += Array("\(number(width)) w \(number(gray)) G \(number(x1)) \(number(y1)) m \(number(x2)) \(number(y2)) l S\n".utf8)
            case .text(let x, let y, let text, let font, let size, let gray):
                out += Array("BT /\(font.resourceName) \(number(size)) Tf \(number(gray)) g 1 0 0 1 \(number(x)) \(number(y)) Tm (".utf8)
                out += literal(text)
                out += Array(") Tj ET\n".utf8)
            }
        }
        return out
    }

    /// The inside of a string literal: `(`, `)` and `\` escaped, bytes outside printable ASCII written in octal.
    static func literal(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for byte in text {
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0x20...0x7E: out.append(byte)
            default:
                out += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            }
        }
        return out
    }

    /// A number with at most two decimals and no exponent, the same on every machine.
    static func number(_ value: Double) -> String {
        let hundredths = value.isFinite ? Int((value * 100).rounded()) : 0
        let sign = hundredths < 0 ? "-" : "", magnitude = abs(hundredths)
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return sign + String(whole) }
        let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction)
        return sign + String(whole) + "." + digits
    }

    /// A text string in UTF-16BE with its byte-order mark, as a hex string: any character is kept.
    static func utf16String(_ text: String) -> String {
        "<FEFF" + text.utf16.map { unit in String(unit, radix: 16, uppercase: true).leftPadded(to: 4) }.joined() + ">"
    }

    /// A PDF date, `D:YYYYMMDDHHmmSSZ`, in UTC.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let fields = [parts.year ?? 0, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0]
        return "D:" + fields.enumerated().map { String($1).leftPadded(to: $0 == 0 ? 4 : 2) }.joined() + "Z"
    }

    private static func zeroPadded(_ offset: Int) -> String { String(offset).leftPadded(to: 10) }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
