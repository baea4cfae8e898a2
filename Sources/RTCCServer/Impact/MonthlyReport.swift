import Foundation
import RTCCCore

/// The monthly RTCC report for city leaders: the dashboard's figures for one calendar month (UTC) as a printable HTML
/// page with SVG charts, and as PDF through headless Chromium's print-to-PDF.
public struct MonthlyReport: Sendable {
    /// Why a report could not be made.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// The month is not `YYYY-MM`, or is in the future.
        case badMonth(String)
        /// No Chromium to print the PDF with.
        case noPrinter(String)
        /// Chromium ran but gave no PDF.
        case printFailed(String)

        public var description: String {
            switch self {
            case .badMonth(let reason): "month \(reason)"
            case .noPrinter(let path): "PDF reports need Chromium at \(path) (install the chromium package, or set RTCC_CHROMIUM)"
            case .printFailed(let reason): "Chromium did not print the report: \(reason)"
            }
        }
    }

    /// The month, `YYYY-MM`.
    public let month: String
    /// The report as a complete HTML document.
    public let html: String

    /// The first instant of `month` and of the month after, checking it is a real month not after `now`'s.
    public static func range(of month: String, now: Date = Date()) throws(Failure) -> (Date, Date) {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let number = Int(parts[1]), (1...12).contains(number), year >= 1900 else {
            throw .badMonth("must be YYYY-MM, such as 2026-10 (got \"\(month)\")")
        }
        let calendar = Dashboard.calendar
        let start = calendar.date(from: DateComponents(year: year, month: number, day: 1))!
        guard start <= now else { throw .badMonth("\(month) has not begun") }
        return (start, calendar.date(byAdding: .month, value: 1, to: start)!)
    }

    /// Builds the report for `month` from `services`' records.
    public static func make(month: String, services: AppServices, now: Date = Date()) async throws -> MonthlyReport {
        let (start, end) = try range(of: month, now: now)
        let figures = try await Dashboard.compute(from: start, until: min(end, now), services: services, now: now)
        return MonthlyReport(month: month, html: render(figures, month: month))
    }

    /// Prints `html` to PDF with headless Chromium.
    public static func pdf(_ html: String, chromium: String = ProcessInfo.processInfo.environment["RTCC_CHROMIUM"] ?? "/usr/bin/chromium") async throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: chromium) else { throw Failure.noPrinter(chromium) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html")
        let output = folder.appendingPathComponent("report.pdf")
        try Data(html.utf8).write(to: page)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            "--print-to-pdf=\(output.path)", page.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard let data = FileManager.default.contents(atPath: output.path), data.starts(with: Data("%PDF".utf8)) else {
            throw Failure.printFailed("exit status \(status), no PDF written")
        }
        return data
    }

    static func render(_ d: Dashboard, month: String) -> String {
        let e = SVGChart.escape
        func row(_ label: String, _ value: String) -> String { "<tr><th>\(e(label))</th><td>\(e(value))</td></tr>" }
        func seconds(_ value: Double?) -> String {
            guard let value else { return "–" }
            return value < 120 ? "\(SVGChart.number(value)) s" : String(format: "%.1f min", value / 60)
        }
        let monthName = Dashboard.calendar.date(from: DateComponents(year: Int(month.prefix(4)), month: Int(month.suffix(2)), day: 1))
            .map { $0.formatted(Date.FormatStyle(date: .omitted, time: .omitted).month(.wide).year().locale(Locale(identifier: "en_US"))) } ?? month
        let alertDays = SVGChart.bars(d.alerts.perDay.map { SVGChart.Bar(label: String($0.day.suffix(2)), value: Double($0.total)) }, title: "Alerts per day")
        let years = d.homicides.fullYears.suffix(12)
        var homicideBars = years.map { SVGChart.Bar(label: String($0.year), value: Double($0.count), highlight: $0.year == d.homicides.record?.year) }
        homicideBars.append(SVGChart.Bar(label: "\(d.homicides.year) YTD", value: Double(d.homicides.yearToDate)))
        let homicideChart = SVGChart.bars(homicideBars, title: "Homicides by year (record in red)")
        let trend = SVGChart.pairs(
            d.trend.map { String($0.month.suffix(2)) }, d.trend.map { Double($0.violent) }, d.trend.map { Double($0.yearBefore) }, title: "Violent crime per month",
            legend: ("this period", "a year before"))
        let kinds = d.alerts.byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let requests = d.footageRequests.byStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let coverage = d.coverage.map { row($0.name, "\(SVGChart.number($0.percent)) % in view, \(SVGChart.number($0.identifyPercent)) % at identify") }.joined()
        let record = d.homicides.record.map { "the record year is \($0.year) with \($0.count)" } ?? "no full years stored"
        let previous = d.homicides.previousYearsToDate.last.map { "; \($0.year) had \($0.count) by the same date" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>RTCC monthly report \(e(month))</title>
            <style>
            body { font-family: "DejaVu Sans", sans-serif; color: #111827; margin: 24px; font-size: 12px; }
            h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 18px 0 6px; border-bottom: 1px solid #d1d5db; }
            table { border-collapse: collapse; } th { text-align: left; padding: 2px 12px 2px 0; font-weight: normal; color: #374151; }
            td { padding: 2px 0; font-weight: bold; } .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 24px; }
            .muted { color: #6b7280; } svg { display: block; margin: 8px 0; } section { break-inside: avoid; }
            </style></head><body>
            <h1>Real-Time Crime Center — \(e(monthName))</h1>
            <p class="muted">From \(e(d.from.formatted(.iso8601))) until \(e(d.until.formatted(.iso8601))); generated \(e(d.generatedAt.formatted(.iso8601))).</p>
            <section><h2>Network</h2><div class="grid"><table>
            \(row("Cameras", "\(d.network.cameras) (\(d.network.online) online now)"))
            \(d.network.byKind.sorted { $0.key < $1.key }.map { row("\($0.key.capitalized) cameras", "\($0.value.total) (\($0.value.online) online)") }.joined())
            \(row("Partners", "\(d.network.partners) (\(d.network.activePartners) active)"))
            </table><table>\(coverage)</table></div></section>
            <section><h2>Leads</h2><table>
            \(row("Alerts", "\(d.alerts.total)\(kinds.isEmpty ? "" : " (\(kinds))")"))
            \(row("Acknowledged", "\(d.alerts.acknowledged); median \(seconds(d.alerts.medianSecondsToAcknowledge)), 90th percentile \(seconds(d.alerts.p90SecondsToAcknowledge))"))
            \(row("Footage requests to owners", "\(d.footageRequests.made)\(requests.isEmpty ? "" : " (\(requests))")"))
            </table>\(alertDays)</section>
            <section><h2>Evidence and cases</h2><table>
            \(row("Evidence packages", "\(d.evidence.packages)"))
            \(row("Released (share links)", "\(d.evidence.releases)"))
            \(row("Cases opened", "\(d.evidence.casesOpened); assisted \(d.evidence.casesAssisted)"))
            \(row("Outcomes", "\(d.evidence.leadsProvided) leads, \(d.evidence.footageDelivered) footage delivered, \(d.evidence.arrests) arrests"))
            \(row("Weapons recovered", "\(d.weapons.recovered) (\(d.weapons.rtccAssisted) with RTCC help)"))
            </table></section>
            <section><h2>Crime</h2>
            <p>Homicides in \(d.homicides.year) to date: <strong>\(d.homicides.yearToDate)</strong>; \(e(record))\(e(previous)).</p>
            \(homicideChart)\(trend)</section>
            </body></html>
            """
    }
}
