import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// The custody PDF is laid out as a report: title block, case facts, each section as a table whose header row repeats
/// on every page, and "Page n of N".
@Suite struct CustodyReportPDFTests {
    @Test func busyCaseCustodyPDFIsAPaginatedReportListingEveryAuditEntryOnce() async throws {
        let app = try await TestApp.make()
        let fixture = try #require(app.evidence)
        let caseID = fixture.evidenceCase.id
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-custody-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("custody.pdf")
        try await app.test { client async throws in
            for number in 1...45 {
                let noted = try await client.execute(
                    uri: "/api/v1/cases/\(caseID)/notes", method: .post, headers: app.headers(.analyst, jsonHeaders),
                    body: jsonBody(["text": "Canvass \(number): door (north side) checked, back\\slash café ✓ - owner to send footage"]))
                #expect(noted.status == .created)
            }
            let pdf = try await client.execute(uri: "/api/v1/cases/\(caseID)/custody.pdf", method: .get, headers: app.headers(.auditor), body: nil)
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            try Data(pdf.body.readableBytesView).write(to: file)
        }
        let trail = try await app.services.store.custodyTrail(caseID: caseID)
        #expect(trail.count > 45)

        let info = try await RecordedFootage.run("pdfinfo", [file.path], in: directory)
        #expect(info.status == 0 && !info.output.lowercased().contains("error"), "\(info.output)")
        let field = { (name: String) in
            info.output.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        #expect(field("Page size") == "842 x 595 pts (A4)")
        let pages = Int(field("Pages") ?? "") ?? 0
        #expect(pages > 1, "\(info.output)")

        let text = try await RecordedFootage.run("pdftotext", ["-layout", file.path, "-"], in: directory).output
        for expected in [
            "Chain of custody - case 26-000042", "Case number", "Audit chain", "Evidence packages", "Releases (share links)", "Audit trail",
            "door (north side) checked, back\\slash café ? - owner",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        for page in 1...max(pages, 1) { #expect(text.components(separatedBy: "Page \(page) of \(pages)").count == 2) }
        let last = try await RecordedFootage.run("pdftotext", ["-layout", "-f", "\(pages)", "-l", "\(pages)", file.path, "-"], in: directory).output
        #expect(last.contains("(continued)"), "\(last.prefix(400))")
        #expect(last.split(separator: "\n").contains { $0.contains("When (UTC)") && $0.contains("Action") && $0.contains("Entry hash") },
                "the audit trail's header row is repeated on the last page")

        // Landscape leaves room for each entry hash on one line: the hashes printed are exactly the trail's.
        let words = try await RecordedFootage.run("pdftotext", ["-raw", file.path, "-"], in: directory).output
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }.map(String.init)
        let hashes = Set(trail.map(\.hash))
        #expect(words.filter { hashes.contains($0) }.sorted() == trail.map(\.hash).sorted(), "every audit entry once")

        // Kept for people to look at, beside the browser tests' screenshots.
        let kept = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/screenshots/custody")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: kept.appendingPathComponent("report.pdf"))
        try FileManager.default.copyItem(at: file, to: kept.appendingPathComponent("report.pdf"))
    }
}
