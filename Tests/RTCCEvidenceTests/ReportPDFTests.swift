import Foundation
import RTCCEvidence
import Testing

/// The report PDF writer, checked with poppler (pdfinfo, pdftotext) and qpdf, which read the file as any reader would.
@Suite(.timeLimit(.minutes(2))) struct ReportPDFTests {
    static let title = "Chain of custody - case 26-004512"
    static let escaped = "( ) \\ é ü ✓"

    /// A custody-like report: case facts, a short table, and an audit trail of `rows` entries with 64-character hashes.
    static func report(rows: Int) -> ReportPDF {
        let columns = ["#", "When (UTC)", "Who", "Action", "From", "Why", "Detail", "Entry hash"].map {
            ReportPDF.Column($0, monospaced: $0 == "Entry hash", alignment: $0 == "#" ? .trailing : .leading)
        }
        let trail = (1...rows).map { sequence -> [String] in
            let hash = (0..<8).map { String(format: "%08x", UInt32(truncatingIfNeeded: sequence &* 2_654_435_761 &+ $0 &* 40_503)) }.joined()
            let detail = sequence == 7 ? escaped : sequence == 17 ? "(open) back\\slash café über ✓ done" : sequence % 10 == 0
                ? "package 3f2a9c1e exported with 3 cameras, 5400 frames, 0 gaps; manifest signed by key ed25519:7c1f0a9e; notes: "
                    + String(repeating: "long ", count: 12)
                : "case 26-004512"
            return [String(sequence), "2026-11-30T21:\(String(format: "%02d", sequence % 60)):00.000Z", sequence % 3 == 0 ? "auditor" : "analyst",
                    sequence % 2 == 0 ? "evidence.release" : "cases.note", "10.20.30.\(sequence % 250)", sequence % 4 == 0 ? "court discovery" : "",
                    detail, hash]
        }
        return ReportPDF(
            title: title, subtitle: ["Case 26-004512 · shooting · 401 Texas St", "Generated 2026-12-01T09:00:00.000Z by auditor"],
            runningHeader: "OpenRTCC · \(title)", footer: "Generated 2026-12-01T09:00:00.000Z by auditor", orientation: .landscape,
            blocks: [
                .heading("Case"),
                .facts([.init("Case number", "26-004512"), .init("Type", "shooting"), .init("Location", "401 Texas St (32.5125, -93.7502)"),
                        .init("Audit chain", "intact: \(rows) entries, 3 signed checkpoints")]),
                .heading("Linked records"),
                .table([.init("Kind"), .init("Reference"), .init("Linked by"), .init("When")],
                       rows: [["package", "3f2a9c1e-0000-4000-8000-000000000001", "analyst", "2026-11-30T21:20:00.000Z"]]),
                .heading("Notes"), .table([.init("When"), .init("Author"), .init("Note")], rows: []),
                .heading("Audit trail"), .table(columns, rows: trail),
            ], createdAt: Date(timeIntervalSince1970: 1_764_579_600))
    }

    /// A word pdftotext found, with its box in points from the page's top left.
    struct Word {
        var page: Int, text: String, xMin: Double, yMin: Double, xMax: Double, yMax: Double
    }

    /// The words of every page, and the pages' sizes, from `pdftotext -bbox`.
    static func words(_ file: URL, in directory: URL) async throws -> (words: [Word], pages: [(width: Double, height: Double)]) {
        let out = directory.appendingPathComponent("words.html")
        let run = try await EvidenceTestSupport.run("pdftotext", ["-bbox", file.path, out.path], in: directory)
        #expect(run.status == 0, "\(run.output)")
        func attribute(_ name: String, _ line: Substring) -> Double {
            guard let start = line.range(of: "\(name)=\"") else { return .nan }
            return Double(line[start.upperBound...].prefix { $0 != "\"" }) ?? .nan
        }
        var words: [Word] = [], pages: [(Double, Double)] = []
        for line in try String(contentsOf: out, encoding: .utf8).split(separator: "\n") {
            if line.contains("<page ") { pages.append((attribute("width", line), attribute("height", line))) }
            guard line.contains("<word "), let open = line.firstIndex(of: ">"), let close = line.range(of: "</word>") else { continue }
            let text = String(line[line.index(after: open)..<close.lowerBound])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            words.append(Word(page: pages.count, text: text, xMin: attribute("xMin", line), yMin: attribute("yMin", line),
                              xMax: attribute("xMax", line), yMax: attribute("yMax", line)))
        }
        return (words, pages)
    }

    /// A field of pdfinfo's output.
    static func field(_ name: String, _ info: String) -> String? {
        info.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    static func pageCount(_ info: String) -> Int {
        info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { Int($0.split(separator: " ").last ?? "") ?? 0 } ?? 0
    }

    @Test func longAuditTrailSpansPagesWithTheHeaderRowRepeatedPageNumbersAndEveryEntryOnce() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        try Self.report(rows: 200).rendered().write(to: file)

        let info = try await EvidenceTestSupport.run("pdfinfo", [file.path], in: directory)
        #expect(info.status == 0 && !info.output.lowercased().contains("error"), "\(info.output)")
        #expect(Self.field("Title", info.output) == Self.title, "\(info.output)")
        #expect(Self.field("Page size", info.output) == "842 x 595 pts (A4)", "\(info.output)")
        let pages = Self.pageCount(info.output)
        #expect((6...12).contains(pages), "200 entries at about 25 a landscape page: \(info.output)")

        let text = try await EvidenceTestSupport.run("pdftotext", ["-layout", file.path, "-"], in: directory).output
        #expect(text.contains(Self.title))
        // pdftotext reads evenly spaced single characters as one letter-spaced word, so compare row 7 without spaces.
        let row7 = text.split(separator: "\n").first { $0.contains(" 10.20.30.7 ") }.map { $0.filter { $0 != " " } }
        #expect(row7?.contains("()\\éü?") == true, "escaped and WinAnsi characters survive, ✓ has no WinAnsi code: \(row7 ?? "")")
        #expect(text.contains("(open) back\\slash café über ? done"))
        for page in 1...max(pages, 1) {
            #expect(text.components(separatedBy: "Page \(page) of \(pages)").count == 2, "one \"Page \(page) of \(pages)\"")
        }
        for page in 2...max(pages, 2) {
            let onPage = try await EvidenceTestSupport.run(
                "pdftotext", ["-layout", "-f", "\(page)", "-l", "\(page)", file.path, "-"], in: directory
            ).output
            #expect(onPage.contains("Audit trail (continued)"), "page \(page)")
            let header = onPage.split(separator: "\n").first { $0.contains("When (UTC)") }
            let titles = ["#", "Who", "Action", "From", "Why", "Detail", "Entry hash"]
            #expect(titles.allSatisfy { header?.contains($0) == true }, "header row on page \(page)")
        }

        // The sequence numbers are the digit-only words of the narrow first column.
        let (words, _) = try await Self.words(file, in: directory)
        let firstColumn = words.filter { $0.xMax < 62 && !$0.text.isEmpty && $0.text.allSatisfy(\.isNumber) }.map { Int($0.text) ?? 0 }
        #expect(firstColumn.sorted() == Array(1...200), "every entry printed once, none lost or repeated at page breaks")
        let hashes = words.filter { $0.text.count == 64 && $0.text.allSatisfy(\.isHexDigit) }
        #expect(hashes.count == 200, "each entry hash is printed whole on one line")
    }

    @Test func everyWordStaysInsideThePageMarginsAndNoTwoWordsOverlap() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        var report = Self.report(rows: 60)
        // A narrow portrait page squeezes the columns, so hashes and long words must break inside their cells.
        report.orientation = .portrait
        report.blocks.append(.heading("Wrapping"))
        report.blocks.append(.paragraph(String(repeating: "x", count: 500) + " " + String(repeating: "word ", count: 200)))
        report.blocks.append(.table([.init("Key"), .init("Value")], rows: [["k", String(repeating: "WWWWWWWWWW", count: 40)]]))
        try report.rendered().write(to: file)

        let (words, pages) = try await Self.words(file, in: directory)
        #expect(pages.count > 3 && pages.allSatisfy { $0.width == 595 && $0.height == 842 }, "\(pages)")
        #expect(words.count > 1000)
        let margin = 36.0, tolerance = 0.75
        let outside = words.filter { $0.xMin < margin - tolerance || $0.xMax > 595 - margin + tolerance || $0.yMin < 0 || $0.yMax > 842 }
        #expect(outside.isEmpty, "words past the margins: \(outside.prefix(5))")
        var overlaps: [String] = []
        for (_, onPage) in Dictionary(grouping: words, by: \.page) {
            let sorted = onPage.sorted { ($0.yMin, $0.xMin) < ($1.yMin, $1.xMin) }
            for (left, right) in zip(sorted, sorted.dropFirst()) where abs(left.yMin - right.yMin) < 1 && right.xMin < left.xMax - tolerance {
                overlaps.append("\(left.text) | \(right.text) on page \(left.page)")
            }
        }
        #expect(overlaps.isEmpty, "\(overlaps.prefix(5))")
    }

    @Test func trailingColumnsEndAtTheSameEdgeAsPopplerMeasuresThem() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        // Right alignment uses our Helvetica widths; poppler measures with its own copy of the font's metrics.
        let amounts = ["1", "22", "333", "4444", "WWW", "iiiiii", "@%&", "Ünïcödé", "jAvA{}|~"]
        let report = ReportPDF(
            title: "Widths", blocks: [.table([.init("Name"), .init("Amount", alignment: .trailing)], rows: amounts.map { ["row", $0] })])
        try report.rendered().write(to: file)
        let (words, _) = try await Self.words(file, in: directory)
        let edges = words.filter { amounts.contains($0.text) && $0.yMax < 800 }.map(\.xMax)
        #expect(edges.count == amounts.count)
        #expect((edges.max() ?? 0) - (edges.min() ?? 0) < 0.2, "right edges \(edges)")
    }

    @Test func qpdfFindsNoStructuralErrors() async throws {
        guard (try? EvidenceTestSupport.tool("qpdf")) != nil else {
            Issue.record("qpdf is not installed; run scripts/setup-test-tools.sh")
            return
        }
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        try Self.report(rows: 120).rendered().write(to: file)
        let check = try await EvidenceTestSupport.run("qpdf", ["--check", file.path], in: directory)
        #expect(check.status == 0 && check.output.contains("No syntax or stream encoding errors found"), "\(check.output)")
        #expect(!check.output.contains("WARNING"), "\(check.output)")
    }

    @Test func hostileInputStillGivesAReadableDocument() async throws {
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let strange = "nul\u{0} bell\u{7} tab\there\r\nline ) ( \\ %EOF endstream 😀 e\u{301} \u{FEFF} € “quotes” – end"
        let report = ReportPDF(
            title: strange, subtitle: ["", strange], runningHeader: String(repeating: "header ", count: 100), footer: strange,
            blocks: [
                .facts([]), .table([], rows: [["orphan"]]), .heading(""), .paragraph(""),
                .table(
                    [.init("Only")],
                    rows: [[], ["a", "b", "c"], [String(repeating: "ŵ", count: 20_000)], [String(repeating: "line\n", count: 300)]]),
                .facts([.init(String(repeating: "label ", count: 60), strange)]),
                .table((1...40).map { .init("c\($0)") }, rows: [(1...40).map { String(repeating: "\($0)", count: 30) }]),
                .heading("Last heading"),
            ])
        let pdf = report.rendered()
        #expect(pdf == report.rendered(), "the same input gives the same bytes")
        let file = directory.appendingPathComponent("strange.pdf")
        try pdf.write(to: file)
        let info = try await EvidenceTestSupport.run("pdfinfo", [file.path], in: directory)
        #expect(info.status == 0 && !info.output.lowercased().contains("error"), "\(info.output)")
        #expect(Self.pageCount(info.output) > 2, "the 20 000-character cell and 300-line cell run over several pages")
        let text = try await EvidenceTestSupport.run("pdftotext", ["-layout", file.path, "-"], in: directory).output
        #expect(text.contains("line ) ( \\ %EOF endstream ? é ? € “quotes” – end"), "\(text.prefix(600))")
        if (try? EvidenceTestSupport.tool("qpdf")) != nil {
            let check = try await EvidenceTestSupport.run("qpdf", ["--check", file.path], in: directory)
            #expect(check.status == 0 && !check.output.contains("WARNING"), "\(check.output)")
        }
    }
}
