import ArgumentParser
import Foundation
import RTCCServer

/// `rtcc report`: the monthly RTCC report (the dashboard's figures for one month) as HTML or PDF.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the monthly RTCC report for city leaders as PDF (printed with headless Chromium) or HTML.",
        discussion: "The same report as GET /api/v1/reports/monthly. Example: rtcc report --month 2026-10 --out october.pdf")

    @OptionGroup var store: StoreOptions
    @Option(help: "The month, YYYY-MM (UTC).") var month: String
    @Option(help: "Where to write the report; .html writes HTML, anything else PDF. Default rtcc-report-<month>.pdf.") var out: String?

    func validate() throws {
        do {
            _ = try MonthlyReport.range(of: month)
        } catch {
            throw ArgumentParser.ValidationError("--\(error.description)")
        }
    }

    func run() async throws {
        let config = try store.load()
        let path = out ?? "rtcc-report-\(month).pdf"
        let report = try await withServices(config) { services in try await MonthlyReport.make(month: month, services: services) }
        let data: Data
        if path.lowercased().hasSuffix(".html") {
            data = Data(report.html.utf8)
        } else {
            do {
                data = try await MonthlyReport.pdf(report.html)
            } catch let failure as MonthlyReport.Failure {
                throw CLIError(failure.description)
            }
        }
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
        say("wrote the \(month) report to \(path) (\(data.count) bytes)")
    }
}
