import Foundation

/// A report laid out for print as a PDF 1.4 document on A4 paper: a title block, headed sections of label/value facts,
/// paragraphs and tables, with a running header and a "Page n of N" footer on every page.
///
/// Tables repeat their header row on every page they run onto, take column widths from their content (long cells
/// wrap at spaces, and a word longer than its column, such as a SHA-256 digest, breaks anywhere), and are drawn with
/// thin grid lines and zebra shading. Text is set in the standard fonts every PDF reader has (Helvetica,
/// Helvetica-Bold, Courier), so no font is embedded; characters outside WinAnsiEncoding print as `?`. The same input
/// always gives the same bytes.
public struct ReportPDF: Sendable {
    /// Which way up the pages are.
    public enum Orientation: Sendable, Hashable {
        /// 595 x 842 points.
        case portrait
        /// 842 x 595 points, for wide tables.
        case landscape
    }

    /// One label/value pair of a facts block.
    public struct Fact: Sendable, Hashable {
        /// The label, printed bold in the left column.
        public var label: String
        /// The value; long values wrap.
        public var value: String

        /// Creates a fact.
        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    /// A table column.
    public struct Column: Sendable, Hashable {
        /// Where the text of a cell sits.
        public enum Alignment: Sendable, Hashable {
            case leading, trailing
        }

        /// The column's heading, repeated on every page.
        public var title: String
        /// Whether cells are set in Courier (hashes, keys, identifiers).
        public var monospaced: Bool
        /// Where the text of a cell sits.
        public var alignment: Alignment

        /// Creates a column.
        public init(_ title: String, monospaced: Bool = false, alignment: Alignment = .leading) {
            self.title = title
            self.monospaced = monospaced
            self.alignment = alignment
        }
    }

    /// One part of the report's body, in reading order.
    public enum Block: Sendable, Hashable {
        /// A section heading, kept on the same page as the start of what follows it.
        case heading(String)
        /// Label/value pairs in two columns.
        case facts([Fact])
        /// Running text.
        case paragraph(String)
        /// A table; a row with fewer cells than columns is padded with empty cells, extra cells are not printed.
        case table([Column], rows: [[String]])
    }

    /// The report's title, printed large at the top of the first page and stored as the document's title.
    public var title: String
    /// Lines printed under the title (what the report is about, when and by whom it was made).
    public var subtitle: [String]
    /// Printed at the top left of every page.
    public var runningHeader: String
    /// Printed at the bottom left of every page, beside the page number.
    public var footer: String
    /// Which way up the pages are.
    public var orientation: Orientation
    /// The body.
    public var blocks: [Block]
    /// Stored as the document's creation date when set; left out otherwise.
    public var createdAt: Date?

    /// Creates a report; the running header defaults to the title.
    public init(
        title: String, subtitle: [String] = [], runningHeader: String? = nil, footer: String = "", orientation: Orientation = .portrait,
        blocks: [Block], createdAt: Date? = nil
    ) {
        self.title = title
        self.subtitle = subtitle
        self.runningHeader = runningHeader ?? title
        self.footer = footer
        self.orientation = orientation
        self.blocks = blocks
        self.createdAt = createdAt
    }

    /// The size of the pages in points.
    public var pageSize: (width: Double, height: Double) {
        orientation == .portrait ? (595, 842) : (842, 595)
    }

    /// The document's bytes.
    public func rendered() -> Data {
        var layout = ReportLayout(width: pageSize.width, height: pageSize.height)
        layout.titleBlock(title: WinAnsi.encode(title), subtitle: subtitle.map(WinAnsi.encode))
        for (index, block) in blocks.enumerated() {
            switch block {
            case .heading(let text):
                layout.heading(WinAnsi.encode(text), keepingWith: index + 1 < blocks.count ? blocks[index + 1] : nil)
            case .facts(let facts): layout.facts(facts)
            case .paragraph(let text): layout.paragraph(WinAnsi.encode(text))
            case .table(let columns, let rows): layout.table(columns, rows: rows)
            }
        }
        let pages = layout.finish(header: WinAnsi.encode(runningHeader), footer: WinAnsi.encode(footer))
        return PDFFile.write(pages: pages, size: pageSize, title: title, createdAt: createdAt)
    }
}

/// Something drawn on a page, in PDF coordinates (points from the bottom left).
enum PageMark: Sendable, Hashable {
    case fill(x: Double, y: Double, width: Double, height: Double, gray: Double)
    case line(x1: Double, y1: Double, x2: Double, y2: Double, width: Double, gray: Double)
    case text(x: Double, y: Double, [UInt8], font: ReportFont, size: Double, gray: Double)
}

/// Places the report's blocks on pages, top to bottom, starting a page when the next piece does not fit.
struct ReportLayout {
    static let margin = 36.0, bodyFontSize = 9.0, tableFontSize = 7.5, monospacedFontSize = 7.0
    static let cellPaddingX = 3.0, cellPaddingY = 2.5, headingFontSize = 12.0, titleFontSize = 17.0
    static let gridGray = 0.72, headerFill = 0.86, zebraFill = 0.955

    let width: Double, height: Double
    /// Where the body starts and ends, in points from the top of the page.
    let bodyTop = 46.0, bodyBottom: Double
    private(set) var pages: [[PageMark]] = [[]]
    /// The next free position, in points from the top of the page.
    private var y: Double
    /// The heading of the section being laid out, for "(continued)" on later pages.
    private var section: [UInt8] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
        bodyBottom = height - 44
        y = bodyTop
    }

    var contentWidth: Double { width - 2 * Self.margin }
    private var remaining: Double { bodyBottom - y }
    private var atTop: Bool { y <= bodyTop + 0.01 }

    private mutating func newPage() {
        pages.append([])
        y = bodyTop
    }

    private mutating func draw(_ mark: PageMark) { pages[pages.count - 1].append(mark) }

    /// Draws one line of text whose line box starts `top` points from the top of the page.
    private mutating func text(_ bytes: [UInt8], x: Double, top: Double, font: ReportFont, size: Double, lineHeight: Double, gray: Double = 0) {
        guard !bytes.isEmpty else { return }
        let baseline = top + (lineHeight - size) / 2 + size * 0.78
        draw(.text(x: x, y: height - baseline, bytes, font: font, size: size, gray: gray))
    }

    private mutating func rule(top: Double, from x1: Double, to x2: Double, width: Double, gray: Double) {
        draw(.line(x1: x1, y1: height - top, x2: x2, y2: height - top, width: width, gray: gray))
    }

    // MARK: Blocks

    mutating func titleBlock(title: [UInt8], subtitle: [[UInt8]]) {
        let titleLine = Self.titleFontSize * 1.2
        for line in TextWrap.lines(title, font: .bold, size: Self.titleFontSize, width: contentWidth) {
            text(line, x: Self.margin, top: y, font: .bold, size: Self.titleFontSize, lineHeight: titleLine)
            y += titleLine
        }
        y += 3
        for subtitleText in subtitle {
            for line in TextWrap.lines(subtitleText, font: .regular, size: 10, width: contentWidth) {
                text(line, x: Self.margin, top: y, font: .regular, size: 10, lineHeight: 13, gray: 0.25)
                y += 13
            }
        }
        y += 6
        rule(top: y, from: Self.margin, to: width - Self.margin, width: 1.2, gray: 0.15)
        y += 8
    }

    mutating func heading(_ title: [UInt8], keepingWith next: ReportPDF.Block?) {
        let lineHeight = Self.headingFontSize * 1.25
        let lines = TextWrap.lines(title, font: .bold, size: Self.headingFontSize, width: contentWidth)
        let space = atTop ? 0 : 12.0
        let needed = space + Double(lines.count) * lineHeight + 4 + firstPieceHeight(of: next)
        if needed > remaining && !atTop { newPage() }
        if !atTop { y += space }
        for line in lines {
            text(line, x: Self.margin, top: y, font: .bold, size: Self.headingFontSize, lineHeight: lineHeight)
            y += lineHeight
        }
        y += 4
        section = title
    }

    /// The height of what must follow a heading on its page: the first fact, line, or header row and first row.
    private func firstPieceHeight(of block: ReportPDF.Block?) -> Double {
        let cap = (bodyBottom - bodyTop) / 3
        switch block {
        case .facts(let facts):
            guard let first = facts.first else { return 0 }
            return min(cap, factRow(first, layout: factColumns(facts)).height)
        case .paragraph: return Self.bodyFontSize * 1.3
        case .table(let columns, let rows):
            let table = TableLayout(columns: columns, rows: Array(rows.prefix(1)), width: contentWidth)
            let first = rows.isEmpty ? Self.bodyFontSize * 1.3 : table.height(of: table.cells(rows[0]))
            return min(cap, table.height(of: table.header) + first)
        case .heading, nil: return 0
        }
    }

    mutating func paragraph(_ bytes: [UInt8], gray: Double = 0) {
        let lineHeight = Self.bodyFontSize * 1.3
        for line in TextWrap.lines(bytes, font: .regular, size: Self.bodyFontSize, width: contentWidth) {
            if lineHeight > remaining { newPage() }
            text(line, x: Self.margin, top: y, font: .regular, size: Self.bodyFontSize, lineHeight: lineHeight, gray: gray)
            y += lineHeight
        }
        y += 4
    }

    private func factColumns(_ facts: [ReportPDF.Fact]) -> (label: Double, value: Double) {
        let widest = facts.map { ReportFont.bold.width(WinAnsi.encode($0.label), size: Self.bodyFontSize) }.max() ?? 0
        let label = min(widest + 2 * Self.cellPaddingX + 10, contentWidth * 0.32)
        return (label, contentWidth - label)
    }

    private func factRow(_ fact: ReportPDF.Fact, layout: (label: Double, value: Double)) -> (label: [[UInt8]], value: [[UInt8]], height: Double) {
        let inner = 2 * Self.cellPaddingX
        let label = TextWrap.lines(WinAnsi.encode(fact.label), font: .bold, size: Self.bodyFontSize, width: layout.label - inner)
        let value = TextWrap.lines(WinAnsi.encode(fact.value), font: .regular, size: Self.bodyFontSize, width: layout.value - inner)
        return (label, value, Double(max(label.count, value.count, 1)) * Self.bodyFontSize * 1.3 + 2 * Self.cellPaddingY + 1)
    }

    mutating func facts(_ facts: [ReportPDF.Fact]) {
        let columns = factColumns(facts)
        let lineHeight = Self.bodyFontSize * 1.3
        let left = Self.margin, valueX = Self.margin + columns.label
        for fact in facts {
            let row = factRow(fact, layout: columns)
            let padding = Self.cellPaddingY + 0.5
            placeRow([row.label, row.value], lineHeight: lineHeight, padding: padding, continuation: { _ in }) { layout, cells, top, height in
                for (index, line) in cells[0].enumerated() {
                    layout.text(line, x: left + Self.cellPaddingX, top: top + Self.cellPaddingY + 0.5 + Double(index) * lineHeight,
                        font: .bold, size: Self.bodyFontSize, lineHeight: lineHeight)
                }
                for (index, line) in cells[1].enumerated() {
                    layout.text(line, x: valueX + Self.cellPaddingX, top: top + Self.cellPaddingY + 0.5 + Double(index) * lineHeight,
                        font: .regular, size: Self.bodyFontSize, lineHeight: lineHeight)
                }
                layout.rule(top: top + height, from: left, to: layout.width - Self.margin, width: 0.4, gray: 0.8)
            }
        }
        y += 4
    }

    mutating func table(_ columns: [ReportPDF.Column], rows: [[String]]) {
        guard !columns.isEmpty else { return }
        if rows.isEmpty {
            paragraph(WinAnsi.encode("None."), gray: 0.35)
            return
        }
        let table = TableLayout(columns: columns, rows: rows, width: contentWidth)
        let section = section
        let header = table.header
        let headerHeight = table.height(of: header)
        let lineHeight = table.lineHeight
        func drawRow(_ layout: inout ReportLayout, _ cells: [[[UInt8]]], top: Double, height: Double, fill: Double?, bold: Bool) {
            if let fill { layout.draw(.fill(x: Self.margin, y: layout.height - top - height, width: table.total, height: height, gray: fill)) }
            var x = Self.margin
            for (index, column) in columns.enumerated() {
                let font: ReportFont = bold ? .bold : column.monospaced ? .monospaced : .regular
                let size = bold ? Self.tableFontSize : column.monospaced ? Self.monospacedFontSize : Self.tableFontSize
                for (number, line) in cells[index].enumerated() {
                    let lineX = column.alignment == .trailing
                        ? x + table.widths[index] - Self.cellPaddingX - font.width(line, size: size) : x + Self.cellPaddingX
                    let lineTop = top + Self.cellPaddingY + Double(number) * lineHeight
                    layout.text(line, x: lineX, top: lineTop, font: font, size: size, lineHeight: lineHeight)
                }
                x += table.widths[index]
            }
            let bottom = top + height
            layout.rule(top: bottom, from: Self.margin, to: Self.margin + table.total, width: 0.3, gray: Self.gridGray)
            var edge = Self.margin
            for columnWidth in [0] + table.widths {
                edge += columnWidth
                layout.draw(.line(x1: edge, y1: layout.height - top, x2: edge, y2: layout.height - bottom, width: 0.3, gray: Self.gridGray))
            }
        }
        func drawHeader(_ layout: inout ReportLayout) {
            layout.rule(top: layout.y, from: Self.margin, to: Self.margin + table.total, width: 0.3, gray: Self.gridGray)
            drawRow(&layout, header, top: layout.y, height: headerHeight, fill: Self.headerFill, bold: true)
            layout.y += headerHeight
        }
        let continuation: (inout ReportLayout) -> Void = { layout in
            if !section.isEmpty {
                let lineHeight = Self.bodyFontSize * 1.3
                var continued = section
                continued += Array(" (continued)".utf8)
                for line in TextWrap.lines(continued, font: .bold, size: Self.bodyFontSize, width: layout.contentWidth) {
                    layout.text(line, x: Self.margin, top: layout.y, font: .bold, size: Self.bodyFontSize, lineHeight: lineHeight, gray: 0.35)
                    layout.y += lineHeight
                }
                layout.y += 3
            }
            drawHeader(&layout)
        }
        let first = table.cells(rows[0])
        if headerHeight + table.height(of: first) > remaining && !atTop { newPage() }
        drawHeader(&self)
        for (index, row) in rows.enumerated() {
            let cells = index == 0 ? first : table.cells(row)
            let fill: Double? = index % 2 == 1 ? Self.zebraFill : nil
            placeRow(cells, lineHeight: lineHeight, padding: Self.cellPaddingY, continuation: continuation) { layout, part, top, height in
                drawRow(&layout, part, top: top, height: height, fill: fill, bold: false)
            }
        }
        y += 10
    }

    /// Places one row of cells (each a list of lines): on this page if it fits, else on the next (after
    /// `continuation`, which repeats a table's header); a row taller than a whole page is split between lines.
    private mutating func placeRow(
        _ cells: [[[UInt8]]], lineHeight: Double, padding: Double, continuation: (inout ReportLayout) -> Void,
        draw: (inout ReportLayout, [[[UInt8]]], Double, Double) -> Void
    ) {
        var rest = cells
        var fresh = false
        while true {
            let count = max(1, rest.map(\.count).max() ?? 0)
            let needed = Double(count) * lineHeight + 2 * padding
            if needed <= remaining + 0.01 {
                draw(&self, rest, y, needed)
                y += needed
                return
            }
            if !fresh {
                newPage()
                continuation(&self)
                fresh = true
                continue
            }
            // Taller than a page: print the lines that fit and carry the others over.
            let fitting = max(1, Int((remaining - 2 * padding) / lineHeight))
            let part = rest.map { Array($0.prefix(fitting)) }
            rest = rest.map { Array($0.dropFirst(fitting)) }
            let partHeight = Double(fitting) * lineHeight + 2 * padding
            draw(&self, part, y, partHeight)
            y += partHeight
            newPage()
            continuation(&self)
        }
    }

    // MARK: Pages

    /// The pages with the running header and "Page n of N" footer added.
    func finish(header: [UInt8], footer: [UInt8]) -> [[PageMark]] {
        let size = 7.5, left = Self.margin, right = width - Self.margin
        return pages.enumerated().map { index, marks in
            var page: [PageMark] = []
            let number = Array("Page \(index + 1) of \(pages.count)".utf8)
            let numberWidth = ReportFont.regular.width(number, size: size)
            let headerLine = TextWrap.lines(header, font: .regular, size: size, width: right - left).first ?? []
            page.append(.text(x: left, y: height - 26, headerLine, font: .regular, size: size, gray: 0.4))
            page.append(.line(x1: left, y1: height - 31, x2: right, y2: height - 31, width: 0.5, gray: 0.6))
            page.append(.line(x1: left, y1: 30, x2: right, y2: 30, width: 0.5, gray: 0.6))
            let footerLine = TextWrap.lines(footer, font: .regular, size: size, width: right - left - numberWidth - 18).first ?? []
            page.append(.text(x: left, y: 19, footerLine, font: .regular, size: size, gray: 0.4))
            page.append(.text(x: right - numberWidth, y: 19, number, font: .regular, size: size, gray: 0.25))
            return page + marks
        }
    }
}

/// Column widths and wrapped cells of one table.
struct TableLayout {
    let columns: [ReportPDF.Column]
    let widths: [Double]
    let lineHeight = ReportLayout.tableFontSize * 1.25
    var total: Double { widths.reduce(0, +) }

    /// The smallest a column may be, padding included.
    static let narrowest = 24.0

    /// Chooses widths that fill `width`: every column as wide as its longest unbroken word (up to 40 % of the table),
    /// and the room left shared in proportion to how much more each column's unwrapped content would take. When the
    /// words alone do not fit, the widest columns give way first.
    init(columns: [ReportPDF.Column], rows: [[String]], width: Double) {
        self.columns = columns
        let padding = 2 * ReportLayout.cellPaddingX
        var natural = [Double](repeating: Self.narrowest, count: columns.count)
        var minimum = natural
        for (index, column) in columns.enumerated() {
            let title = WinAnsi.encode(column.title)
            var longestLine = TextWrap.longestLine(title, font: .bold, size: ReportLayout.tableFontSize)
            var longestWord = TextWrap.longestWord(title, font: .bold, size: ReportLayout.tableFontSize)
            let font: ReportFont = column.monospaced ? .monospaced : .regular
            let size = column.monospaced ? ReportLayout.monospacedFontSize : ReportLayout.tableFontSize
            for row in rows where index < row.count {
                let cell = WinAnsi.encode(row[index])
                longestLine = max(longestLine, TextWrap.longestLine(cell, font: font, size: size))
                longestWord = max(longestWord, TextWrap.longestWord(cell, font: font, size: size))
            }
            natural[index] = max(Self.narrowest, longestLine + padding)
            minimum[index] = min(natural[index], max(Self.narrowest, min(longestWord, width * 0.4) + padding))
        }
        let naturalTotal = natural.reduce(0, +), minimumTotal = minimum.reduce(0, +)
        if naturalTotal <= width {
            widths = natural.map { $0 * width / naturalTotal }
        } else if minimumTotal >= width {
            // Too narrow for every long word: cap the widest columns at one level, so short words (names, actions)
            // stay whole and only the longest (digests, timestamps) break; scale everything only when even that fails.
            let capped = { (level: Double) in minimum.map { max(Self.narrowest, min($0, level)) } }
            if capped(Self.narrowest).reduce(0, +) >= width {
                widths = minimum.map { $0 * width / minimumTotal }
            } else {
                var low = Self.narrowest, high = minimum.max() ?? width
                for _ in 0..<40 {
                    let level = (low + high) / 2
                    if capped(level).reduce(0, +) > width { high = level } else { low = level }
                }
                let chosen = capped(low), chosenTotal = chosen.reduce(0, +)
                widths = chosen.map { $0 * width / chosenTotal }
            }
        } else {
            let slack = zip(natural, minimum).map { $0 - $1 }, slackTotal = slack.reduce(0, +)
            widths = zip(minimum, slack).map { $0 + (width - minimumTotal) * $1 / slackTotal }
        }
    }

    var header: [[[UInt8]]] {
        columns.enumerated().map { index, column in
            let width = widths[index] - 2 * ReportLayout.cellPaddingX
            return TextWrap.lines(WinAnsi.encode(column.title), font: .bold, size: ReportLayout.tableFontSize, width: width)
        }
    }

    /// The row's cells wrapped to their columns.
    func cells(_ row: [String]) -> [[[UInt8]]] {
        columns.enumerated().map { index, column in
            let text = index < row.count ? WinAnsi.encode(row[index]) : []
            let font: ReportFont = column.monospaced ? .monospaced : .regular
            let size = column.monospaced ? ReportLayout.monospacedFontSize : ReportLayout.tableFontSize
            return TextWrap.lines(text, font: font, size: size, width: widths[index] - 2 * ReportLayout.cellPaddingX)
        }
    }

    func height(of cells: [[[UInt8]]]) -> Double {
        Double(max(1, cells.map(\.count).max() ?? 0)) * lineHeight + 2 * ReportLayout.cellPaddingY
    }
}

/// Line breaking by measured width.
enum TextWrap {
    /// Characters after which a word too long for its line is preferably broken.
    static let breakAfter: Set<UInt8> = Set("-/._,;:=&?".utf8)

    /// `text` broken into lines no wider than `width`: at line feeds, between words, and inside a word only when it is
    /// longer than a whole line (into pieces of about equal width, after punctuation where that keeps at least half
    /// the piece, anywhere otherwise).
    /// Every line holds at least one character, so any width makes progress.
    static func lines(_ text: [UInt8], font: ReportFont, size: Double, width: Double) -> [[UInt8]] {
        let limit = Int((max(width, 0) * 1000 / size).rounded(.down))
        var result: [[UInt8]] = []
        for paragraph in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line: [UInt8] = [], lineUnits = 0
            for word in paragraph.split(separator: 0x20) {
                let units = font.units(word)
                if line.isEmpty {
                    // fall through to placing the word on a fresh line
                } else if lineUnits + font.advance(0x20) + units <= limit {
                    line.append(0x20)
                    line += word
                    lineUnits += font.advance(0x20) + units
                    continue
                } else {
                    result.append(line)
                }
                var rest = Array(word), restUnits = units
                while restUnits > limit && rest.count > 1 {
                    // Pieces of even length (a digest breaks 32 + 32, not 53 + 11), as long as the rest still fits
                    // in the lines left.
                    let pieces = (restUnits + max(limit, 1) - 1) / max(limit, 1), target = (restUnits + pieces - 1) / pieces
                    var fits = 0, used = 0
                    while fits < rest.count, used + font.advance(rest[fits]) <= limit,
                        used + font.advance(rest[fits]) <= target || restUnits - used > (pieces - 1) * limit
                    {
                        used += font.advance(rest[fits])
                        fits += 1
                    }
                    fits = max(fits, 1)
                    if let punctuation = rest[..<fits].lastIndex(where: { breakAfter.contains($0) }),
                        punctuation + 1 >= fits / 2, punctuation + 1 < fits
                    {
                        fits = punctuation + 1
                    }
                    result.append(Array(rest[..<fits]))
                    rest.removeFirst(fits)
                    restUnits = font.units(rest)
                }
                line = rest
                lineUnits = restUnits
            }
            result.append(line)
        }
        return result
    }

    /// The width of the widest line when nothing wraps.
    static func longestLine(_ text: [UInt8], font: ReportFont, size: Double) -> Double {
        text.split(separator: 0x0A).map { font.width($0, size: size) }.max() ?? 0
    }

    /// The width of the widest word.
    static func longestWord(_ text: [UInt8], font: ReportFont, size: Double) -> Double {
        text.split(whereSeparator: { $0 == 0x0A || $0 == 0x20 }).map { font.width($0, size: size) }.max() ?? 0
    }
}
