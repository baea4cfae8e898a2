import Foundation
import RTCCCore
import RTCCEvidence
import RTCCStore

/// The chain of custody of one case: the case, its packages and their releases, and every audited action on them in
/// order, with who, when, from where and why, and each entry's hash in the tamper-evident audit chain.
struct CustodyReport: Sendable {
    var evidenceCase: EvidenceCase
    var packages: [EvidencePackageRecord]
    var shares: [UUID: [ShareLink]]
    var trail: [AuditEntry]
    var chain: AuditVerification
    var generatedAt: Date
    var generatedBy: String

    /// Gathers the report from the store.
    static func gather(_ found: EvidenceCase, services: AppServices, by actor: String) async throws -> CustodyReport {
        let packages = try await services.store.packages.list(caseID: found.id)
        var shares: [UUID: [ShareLink]] = [:]
        for package in packages { shares[package.id] = try await services.store.shareLinks.list(packageID: package.id) }
        // A link added by hand may name a request in words; it is listed with the links but has no audit entries to join.
        let requests = found.links.filter { $0.kind == .footageRequest }.compactMap { UUID(uuidString: $0.reference) }
        return CustodyReport(
            evidenceCase: found, packages: packages, shares: shares,
            trail: try await services.store.custodyTrail(caseID: found.id, footageRequests: requests),
            chain: try await AuditCheckpoints(config: services.config).verify(services.audit), generatedAt: Date(), generatedBy: actor)
    }

    /// The report as sections of label/value rows and tables, shared by the HTML and PDF renderings.
    struct Section {
        var title: String
        var rows: [(String, String)] = []
        var table: [[String]] = []
        var columns: [String] = []
    }

    var title: String { "Chain of custody - case \(evidenceCase.number)" }

    var sections: [Section] {
        let c = evidenceCase
        var summary = Section(title: "Case")
        summary.rows = [
            ("Case number", c.number), ("Type", c.type), ("Location", c.location + (c.point.map { " (\($0.latitude), \($0.longitude))" } ?? "")),
            ("Occurred", Self.time(c.occurredAt) + (c.occurredUntil.map { " - " + Self.time($0) } ?? "")), ("Status", c.status.rawValue),
            ("Opened by", "\(c.createdBy) at \(Self.time(c.createdAt))"),
            ("Report generated", "\(Self.time(generatedAt)) by \(generatedBy)"), ("Audit chain", chainText),
        ]
        var links = Section(title: "Linked records")
        links.columns = ["Kind", "Reference", "Linked by", "When"]
        links.table = c.links.map { [$0.kind.rawValue, $0.reference, $0.addedBy, Self.time($0.addedAt)] }
        var notes = Section(title: "Notes")
        notes.columns = ["When", "Author", "Note"]
        notes.table = c.notes.map { [Self.time($0.at), $0.author, $0.text] }
        var packageSection = Section(title: "Evidence packages")
        packageSection.columns = ["Package", "Exported", "By", "Cameras / frames", "manifest.json SHA-256", "Signing key"]
        packageSection.table = packages.map { p in
            [p.id.uuidString.lowercased(), Self.time(p.createdAt), p.createdBy,
             p.cameras.map { "\($0.name): \($0.frames) frames, \($0.gaps.count) gap(s)" }.joined(separator: "; "), p.manifestSHA256, p.fingerprint]
        }
        var releases = Section(title: "Releases (share links)")
        releases.columns = ["Package", "Recipient", "Reason", "Issued", "Expires", "Downloads", "State"]
        releases.table = packages.flatMap { p in
            (shares[p.id] ?? []).map { s in
                [String(p.id.uuidString.lowercased().prefix(8)), s.recipient, s.reason, "\(Self.time(s.createdAt)) by \(s.createdBy)",
                 Self.time(s.expiresAt), "\(s.downloads) of \(s.maxDownloads)", s.closed(at: generatedAt)?.rawValue ?? "active"]
            }
        }
        var events = Section(title: "Audit trail")
        events.columns = ["#", "When (UTC)", "Who", "Action", "From", "Why", "Detail", "Entry hash"]
        events.table = trail.map {
            [String($0.sequence), Self.time($0.at), $0.actor, $0.action, $0.source, $0.purpose ?? "", $0.detail, $0.hash]
        }
        return [summary, links, notes, packageSection, releases, events]
    }

    private var chainText: String { chain.summary }

    static func time(_ date: Date) -> String { EvidenceManifest.timestamp(date) }

    /// The report as a standalone HTML page.
    var html: String {
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>body{font:13px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em;width:100%}
            th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top;word-break:break-all}th{background:#eee}
            td.label{width:12em;font-weight:600;word-break:normal}</style></head><body>
            <h1>\(Self.escape(title))</h1>

            """
        for section in sections {
            page += "<h2>\(Self.escape(section.title))</h2>\n"
            if !section.rows.isEmpty {
                page += "<table>\n" + section.rows.map { "<tr><td class=\"label\">\(Self.escape($0.0))</td><td>\(Self.escape($0.1))</td></tr>\n" }.joined()
                page += "</table>\n"
            }
            if !section.columns.isEmpty {
                if section.table.isEmpty {
                    page += "<p>None.</p>\n"
                } else {
                    page += "<table>\n<tr>" + section.columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
                    for row in section.table { page += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n" }
                    page += "</table>\n"
                }
            }
        }
        return page + "</body></html>\n"
    }

    /// The report as a PDF document: a title block, the case facts, then each section's table (header row repeated
    /// on every page), with page numbers. Landscape, so the audit trail's eight columns keep each entry hash on one line.
    var pdf: Data {
        var blocks: [ReportPDF.Block] = []
        for section in sections {
            blocks.append(.heading(section.title))
            if !section.rows.isEmpty { blocks.append(.facts(section.rows.map { ReportPDF.Fact($0.0, $0.1) })) }
            if !section.columns.isEmpty {
                let columns = section.columns.map { title in
                    ReportPDF.Column(
                        title, monospaced: Self.monospacedColumns.contains(title), alignment: title == "#" ? .trailing : .leading)
                }
                blocks.append(.table(columns, rows: section.table))
            }
        }
        let c = evidenceCase, generated = "Generated \(Self.time(generatedAt)) by \(generatedBy)"
        return ReportPDF(
            title: title, subtitle: ["Case \(c.number) \u{B7} \(c.type) \u{B7} \(c.location)", generated],
            runningHeader: "OpenRTCC \u{B7} \(title)", footer: generated, orientation: .landscape,
            blocks: blocks, createdAt: generatedAt
        ).rendered()
    }

    /// Columns of digests, keys and identifiers, set in a fixed-width font.
    private static let monospacedColumns: Set<String> = ["manifest.json SHA-256", "Signing key", "Entry hash"]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
