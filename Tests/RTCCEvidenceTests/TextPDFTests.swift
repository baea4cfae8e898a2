import Foundation
import RTCCEvidence
import Testing

@Suite(.timeLimit(.minutes(1))) struct TextPDFTests {
    @Test func longReportRendersOnSeveralPagesThatPopplerCanRasterise() async throws {
        _ = try EvidenceTestSupport.tool("pdftoppm")
        _ = try EvidenceTestSupport.tool("pdfinfo")
        let directory = try EvidenceTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = [TextPDF.Line("Case 26-004512", heading: true)]
        for number in 1...150 {
            lines.append(TextPDF.Line("\(number) 2026-11-30T21:0\(number % 10):00.000Z analyst evidence.export (parens) back\\slash café — Ünïcode ✓"))
        }
        lines.append(TextPDF.Line(String(repeating: "a very long line that must wrap ", count: 20)))
        let pdf = TextPDF(title: "Chain of custody - case 26-004512", lines: lines).rendered()
        let file = directory.appendingPathComponent("report.pdf")
        try pdf.write(to: file)

        let info = try await EvidenceTestSupport.run("pdfinfo", [file.path], in: directory)
        #expect(info.status == 0, "\(info.output)")
        #expect(!info.output.lowercased().contains("error"), "\(info.output)")
        let pages = info.output.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { Int($0.split(separator: " ").last ?? "") ?? 0 } ?? 0
        #expect(pages == 3, "151 body lines at 67 a page, plus the wrapped line: \(info.output)")

        let rendered = try await EvidenceTestSupport.run("pdftoppm", ["-png", "-r", "50", file.path, "page"], in: directory)
        #expect(rendered.status == 0 && !rendered.output.lowercased().contains("error"), "\(rendered.output)")
        let images = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("page") && $0.hasSuffix(".png") }
        #expect(images.count == pages)
        let text = try await EvidenceTestSupport.run("pdftotext", [file.path, "-"], in: directory)
        #expect(text.output.contains("evidence.export (parens) back\\slash caf"), "\(text.output.prefix(400))")
        #expect(text.output.contains("page 3 of 3"))
    }
}
