import Foundation

/// A plain-text PDF document (PDF 1.4): A4 pages of Courier lines with a running header and page numbers.
/// Enough for reports that must print and archive well, with no browser or font files needed.
public struct TextPDF: Sendable {
    /// One line of the document.
    public struct Line: Sendable, Hashable {
        /// The text; longer lines are wrapped.
        public var text: String
        /// Whether it is a heading (printed larger, with space above).
        public var heading: Bool

        /// Creates a line.
        public init(_ text: String, heading: Bool = false) {
            self.text = text
            self.heading = heading
        }
    }

    /// Printed at the top of every page.
    public var title: String
    /// The body.
    public var lines: [Line]

    /// Creates a document.
    public init(title: String, lines: [Line]) {
        self.title = title
        self.lines = lines
    }

    static let pageWidth = 595, pageHeight = 842, margin = 40
    static let fontSize = 9.0, lineHeight = 11.0
    /// Courier advances 0.6 em per character.
    static var columns: Int { Int(Double(pageWidth - 2 * margin) / (fontSize * 0.6)) }

    /// The document's bytes.
    public func rendered() -> Data {
        let pages = paginate()
        var writer = PDFObjectWriter()
        let pageIDs = pages.indices.map { 4 + 2 * $0 }
        writer.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        writer.add(2, "<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>")
        writer.add(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
        for (index, page) in pages.enumerated() {
            let stream = content(page, number: index + 1, of: pages.count)
            writer.add(
                pageIDs[index],
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.pageWidth) \(Self.pageHeight)] "
                    + "/Resources << /Font << /F1 3 0 R >> >> /Contents \(pageIDs[index] + 1) 0 R >>")
            writer.add(pageIDs[index] + 1, stream: stream)
        }
        return writer.finish(root: 1)
    }

    /// Wrapped lines, split into pages.
    func paginate() -> [[Line]] {
        let perPage = Int((Double(Self.pageHeight - 2 * Self.margin) - 2 * Self.lineHeight) / Self.lineHeight)
        var pages: [[Line]] = [[]]
        var used = 0
        for line in lines {
            for (position, piece) in Self.wrap(line.text, width: line.heading ? Self.columns * 9 / 11 : Self.columns).enumerated() {
                let heading = line.heading && position == 0
                let cost = 1 + (heading && used > 0 ? 1 : 0)
                if used + cost > perPage {
                    pages.append([])
                    used = 0
                }
                pages[pages.count - 1].append(Line(piece, heading: heading))
                used += heading && used > 0 ? 2 : 1
            }
        }
        return pages
    }

    private func content(_ lines: [Line], number: Int, of total: Int) -> [UInt8] {
        var text = "BT\n/F1 \(Self.fontSize) Tf\n"
        var y = Double(Self.pageHeight - Self.margin)
        text += "1 0 0 1 \(Self.margin) \(y) Tm (\(Self.escape(title + "  -  page \(number) of \(total)"))) Tj\n"
        y -= 2 * Self.lineHeight
        for (index, line) in lines.enumerated() {
            if line.heading, index > 0 { y -= Self.lineHeight }
            text += "/F1 \(line.heading ? 11.0 : Self.fontSize) Tf\n"
            text += "1 0 0 1 \(Self.margin) \(y) Tm (\(Self.escape(line.text))) Tj\n"
            y -= Self.lineHeight
        }
        return Array((text + "ET\n").utf8)
    }

    /// Splits text into lines of at most `width` characters, at spaces where possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        var result: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var rest = Substring(paragraph)
            if rest.isEmpty { result.append("") }
            while !rest.isEmpty {
                if rest.count <= width {
                    result.append(String(rest))
                    break
                }
                let window = rest.prefix(width)
                let cut = window.lastIndex(of: " ").map { rest.distance(from: rest.startIndex, to: $0) } ?? width
                let length = cut > width / 3 ? cut : width
                result.append(String(rest.prefix(length)))
                rest = rest.dropFirst(length).drop { $0 == " " }
            }
        }
        return result
    }

    /// A PDF string literal's contents: WinAnsi (Latin-1) characters, others replaced, `\`, `(` and `)` escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "(", ")": out += "\\" + String(scalar)
            case "—", "–": out += "-"
            case "…": out += "..."
            case "→": out += "->"
            case "×": out += "x"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value >= 0xA0 && scalar.value <= 0xFF {
                    out += String(format: "\\%03o", scalar.value)
                } else {
                    out += "?"
                }
            }
        }
        return out
    }
}

/// Writes numbered objects and the cross-reference table.
struct PDFObjectWriter {
    private var bytes: [UInt8] = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
    private var offsets: [Int: Int] = [:]

    mutating func add(_ id: Int, _ dictionary: String) {
        offsets[id] = bytes.count
        bytes += Array("\(id) 0 obj\n\(dictionary)\nendobj\n".utf8)
    }

    mutating func add(_ id: Int, stream: [UInt8]) {
        offsets[id] = bytes.count
        bytes += Array("\(id) 0 obj\n<< /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("\nendstream\nendobj\n".utf8)
    }

    mutating func finish(root: Int) -> Data {
        let count = (offsets.keys.max() ?? 0) + 1
        let start = bytes.count
        var table = "xref\n0 \(count)\n0000000000 65535 f \n"
        for id in 1..<count {
            table += offsets[id].map { String(format: "%010d 00000 n \n", $0) } ?? "0000000000 65535 f \n"
        }
        table += "trailer\n<< /Size \(count) /Root \(root) 0 R >>\nstartxref\n\(start)\n%%EOF\n"
        return Data(bytes + Array(table.utf8))
    }
}
