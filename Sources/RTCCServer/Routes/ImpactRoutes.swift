import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RTCCCore
import RTCCGeo
import RTCCStore

/// The impact dashboard (`/api/v1/dashboard`), its tables as CSV, the monthly report (HTML or PDF), and the crime data
/// they count: incidents (CSV with NIBRS codes), the weapons-recovered log, historical yearly totals and case outcomes.
struct ImpactRoutes {
    let services: AppServices

    /// The dashboard's tables that export as CSV.
    enum Table: String, CaseIterable {
        case alerts, cameras, coverage, evidence, weapons, homicides, trend, requests
    }

    /// The longest range the dashboard counts.
    static let longestRange: TimeInterval = 400 * 86_400

    func register(on router: Router<AppRequestContext>) {
        router.add(.dashboard, dashboard)
        router.add(.dashboardTable, table)
        router.add(.reportMonthly, monthly)
        router.add(.incidentsImport, importIncidents)
        router.add(.weaponsImport, importWeapons)
        router.add(.annualCountsImport, importAnnualCounts)
        router.add(.caseOutcome, setOutcome)
        router.add(.venuesCreate, createVenue)
    }

    /// `from`/`until` from the query: this year so far by default; never reversed, empty, in the future or over 400 days.
    func range(_ request: Request, now: Date = Date()) throws -> (Date, Date) {
        let until = try request.queryDate("until") ?? now
        let calendar = Dashboard.calendar
        let from = try request.queryDate("from") ?? calendar.date(from: DateComponents(year: calendar.component(.year, from: until.addingTimeInterval(-0.001)), month: 1, day: 1))!
        var problems: [FieldError] = []
        if until > now.addingTimeInterval(86_400) { problems.append(FieldError(field: "until", reason: "is in the future: count up to today at the latest")) }
        if from >= until { problems.append(FieldError(field: "until", reason: "must be after from (the range is empty)")) }
        if until.timeIntervalSince(from) > Self.longestRange { problems.append(FieldError(field: "from", reason: "the range is longer than 400 days: ask for a year at a time")) }
        try ValidationError.check(problems)
        return (from, min(until, now))
    }

    @Sendable func dashboard(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let (from, until) = try range(request)
        let figures = try await Dashboard.compute(from: from, until: until, services: services)
        return try Reply.json(figures)
    }

    @Sendable func table(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let name = context.parameters.get("table"), name.hasSuffix(".csv"), let table = Table(rawValue: String(name.dropLast(4))) else {
            throw Problem(.notFound, "no such table: ask for one of \(Table.allCases.map { "\($0.rawValue).csv" }.joined(separator: ", "))")
        }
        let (from, until) = try range(request)
        let d = try await Dashboard.compute(from: from, until: until, services: services)
        var rows: [[String]]
        switch table {
        case .alerts:
            let kinds = Array(Set(d.alerts.perDay.flatMap { $0.byKind.keys })).sorted()
            rows = [["day", "total"] + kinds]
            for day in d.alerts.perDay {
                let counts: [String] = kinds.map { kind in String(day.byKind[kind] ?? 0) }
                rows.append([day.day, String(day.total)] + counts)
            }
        case .cameras:
            rows = [["kind", "total", "online"]] + d.network.byKind.sorted { $0.key < $1.key }.map { [$0.key, String($0.value.total), String($0.value.online)] }
        case .coverage:
            rows = [["area", "percent_in_view", "percent_identify"]] + d.coverage.map { [$0.name, String($0.percent), String($0.identifyPercent)] }
        case .evidence:
            let e = d.evidence
            rows = [["measure", "count"], ["packages", String(e.packages)], ["releases", String(e.releases)], ["cases_opened", String(e.casesOpened)],
                    ["cases_assisted", String(e.casesAssisted)], ["leads_provided", String(e.leadsProvided)], ["footage_delivered", String(e.footageDelivered)],
                    ["arrests", String(e.arrests)], ["cases_with_weapon_recovered", String(e.casesWithWeaponRecovered)]]
        case .weapons:
            rows = [["kind", "recovered"]] + d.weapons.byKind.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }
                + [["rtcc_assisted", String(d.weapons.rtccAssisted)], ["total", String(d.weapons.recovered)]]
        case .homicides:
            rows = [["year", "full_year", "to_date", "source"]]
            let toDate = Dictionary(d.homicides.previousYearsToDate.map { ($0.year, $0.count) }, uniquingKeysWith: { a, _ in a })
            let full = Dictionary(d.homicides.fullYears.map { ($0.year, $0) }, uniquingKeysWith: { a, _ in a })
            for year in Set(toDate.keys).union(full.keys).sorted() {
                rows.append([String(year), full[year].map { String($0.count) } ?? "", toDate[year].map(String.init) ?? "", full[year]?.source ?? "incident data"])
            }
            rows.append([String(d.homicides.year), "", String(d.homicides.yearToDate), "incident data"])
        case .trend:
            rows = [["month", "violent", "year_before"]] + d.trend.map { [$0.month, String($0.violent), String($0.yearBefore)] }
        case .requests:
            rows = [["status", "count"]] + d.footageRequests.byStatus.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }
        }
        try await services.record("dashboard.export", target: "dashboard:\(table.rawValue)", detail: "\(from.ISO8601Format())/\(until.ISO8601Format())", by: identity, context: context)
        return Reply.text(rows.map(CSVTable.line).joined(), contentType: "text/csv", filename: "\(table.rawValue).csv")
    }

    @Sendable func monthly(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let month = request.uri.queryParameters.get("month").map({ String($0) }) else {
            throw ValidationError(field: "month", reason: "is required: YYYY-MM, such as 2026-10")
        }
        let format = request.uri.queryParameters.get("format").map { String($0) } ?? "html"
        guard ["html", "pdf"].contains(format) else { throw ValidationError(field: "format", reason: "must be html or pdf") }
        let report: MonthlyReport
        do {
            report = try await MonthlyReport.make(month: month, services: services)
        } catch let failure as MonthlyReport.Failure {
            throw ValidationError(field: "month", reason: failure.description.replacingOccurrences(of: "month ", with: ""))
        }
        try await services.record("reports.monthly", target: "report:\(month)", detail: format, by: identity, context: context)
        guard format == "pdf" else { return Reply.text(report.html, contentType: "text/html; charset=utf-8") }
        do {
            let pdf = try await MonthlyReport.pdf(report.html)
            var headers: HTTPFields = [.contentType: "application/pdf"]
            headers[.contentDisposition] = "attachment; filename=\"rtcc-report-\(month).pdf\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
        } catch let failure as MonthlyReport.Failure {
            throw Problem(.serviceUnavailable, failure.description)
        }
    }

    @Sendable func importIncidents(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let incidents = try CrimeData.incidents(csv: try await csvBody(request, context))
        let added = try await services.store.impact.importIncidents(incidents)
        try await services.record("incidents.import", target: "incidents", detail: "\(added) of \(incidents.count) rows added", by: identity, context: context)
        return try Reply.json(ImportResult(rows: incidents.count, added: added, skipped: incidents.count - added), status: added > 0 ? .created : .ok)
    }

    @Sendable func importWeapons(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let weapons = try CrimeData.weapons(csv: try await csvBody(request, context))
        try await services.store.impact.insert(weapons: weapons)
        try await services.record("weapons.import", target: "weapons", detail: "\(weapons.count) recoveries", by: identity, context: context)
        return try Reply.json(ImportResult(rows: weapons.count, added: weapons.count, skipped: 0), status: .created)
    }

    @Sendable func importAnnualCounts(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let counts = try CrimeData.annualCounts(csv: try await csvBody(request, context))
        try await services.store.impact.replace(annualCounts: counts)
        try await services.record("crime-totals.import", target: "crime-totals", detail: "\(counts.count) yearly totals", by: identity, context: context)
        return try Reply.json(ImportResult(rows: counts.count, added: counts.count, skipped: 0), status: .created)
    }

    struct OutcomeInput: Decodable {
        var leadProvided: Bool
        var footageDelivered: Bool
        var arrest: Bool
        var weaponRecovered: Bool
    }

    @Sendable func setOutcome(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await CaseRoutes.find(context, services)
        let input = try await request.decodeStrict(OutcomeInput.self, allowed: ["leadProvided", "footageDelivered", "arrest", "weaponRecovered"], context: context)
        let outcome = CaseOutcome(
            caseID: found.id, leadProvided: input.leadProvided, footageDelivered: input.footageDelivered, arrest: input.arrest,
            weaponRecovered: input.weaponRecovered, updatedBy: identity?.actor ?? "anonymous", updatedAt: Date())
        try await services.store.impact.setOutcome(outcome)
        let parts = [("lead", input.leadProvided), ("footage", input.footageDelivered), ("arrest", input.arrest), ("weapon", input.weaponRecovered)]
        try await services.record(
            "cases.outcome", target: Store.auditTarget(caseID: found.id), detail: parts.filter(\.1).map(\.0).joined(separator: ", "), by: identity, context: context)
        return try Reply.json(outcome)
    }

    /// `POST /api/v1/venues {"name", "polygon"}`: a named area (a venue, a police district, the city limits) that the
    /// dashboard measures coverage of and the map and planning offer.
    @Sendable func createVenue(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let fields = try JSONFields(object, allowed: ["name", "polygon"])
        var problems: [FieldError] = []
        let name = (try? fields.string("name"))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if name.isEmpty || name.count > 200 { problems.append(FieldError(field: "name", reason: "must be 1-200 characters")) }
        var ring: [GeoPoint] = []
        if let value = object["polygon"] {
            do {
                let polygon = try CoverageAnalysis.polygon(geoJSON: value, field: "polygon")
                guard polygon.rings.count == 1 else { throw ValidationError(field: "polygon", reason: "must have no holes") }
                ring = polygon.outer.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) }
            } catch let error as ValidationError {
                problems += error.errors
            }
        } else {
            problems.append(FieldError(field: "polygon", reason: "is required: a GeoJSON Polygon"))
        }
        if try await services.store.incidents.venues().contains(where: { $0.name.lowercased() == name.lowercased() }) {
            problems.append(FieldError(field: "name", reason: "\(name) already exists"))
        }
        try ValidationError.check(problems)
        let venue = Venue(id: UUID(), name: name, polygon: ring)
        try await services.store.incidents.insert(venue: venue)
        try await services.record("venues.create", target: "venue:\(venue.id)", detail: name, by: identity, context: context)
        return try Reply.json(venue, status: .created)
    }

    struct ImportResult: Encodable {
        var rows: Int
        var added: Int
        var skipped: Int
    }

    private func csvBody(_ request: Request, _ context: AppRequestContext) async throws -> String {
        let data = try await request.bodyData(context: context)
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError(field: "body", reason: "must be UTF-8 CSV text") }
        return text
    }
}
