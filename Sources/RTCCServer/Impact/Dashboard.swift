import Foundation
import RTCCCore
import RTCCGeo
import RTCCMedia
import RTCCStore

/// Every figure of the impact dashboard for one date range, computed from the stored records: the camera network,
/// coverage of the venues and districts, alerts and time to acknowledge, footage requests, evidence, cases and their
/// outcomes, weapons recovered, homicides year to date against previous years and the record year, and the monthly
/// trend of violent crime against the year before.
struct Dashboard: Encodable, Sendable {
    /// Categories counted as violent crime in the trend.
    static let violent: [RTCCCore.Incident.Category] = [.homicide, .shooting, .shotsFired, .assault, .robbery, .carjacking]

    struct KindCount: Encodable, Sendable {
        var total: Int
        var online: Int
    }

    struct Network: Encodable, Sendable {
        var cameras: Int
        var online: Int
        var byKind: [String: KindCount]
        var byTier: [String: Int]
        var partners: Int
        var activePartners: Int
    }

    struct AreaCoverage: Encodable, Sendable {
        var name: String
        var percent: Double
        var identifyPercent: Double
    }

    struct DayCount: Encodable, Sendable {
        var day: String
        var total: Int
        var byKind: [String: Int]
    }

    struct Alerts: Encodable, Sendable {
        var total: Int
        var byKind: [String: Int]
        var perDay: [DayCount]
        var acknowledged: Int
        var medianSecondsToAcknowledge: Double?
        var p90SecondsToAcknowledge: Double?
        var medianSecondsToAcknowledgeByKind: [String: Double]
    }

    struct Requests: Encodable, Sendable {
        var made: Int
        var byStatus: [String: Int]
    }

    struct Evidence: Encodable, Sendable {
        var packages: Int
        var releases: Int
        var casesOpened: Int
        var casesAssisted: Int
        var leadsProvided: Int
        var footageDelivered: Int
        var arrests: Int
        var casesWithWeaponRecovered: Int
    }

    struct Weapons: Encodable, Sendable {
        var recovered: Int
        var rtccAssisted: Int
        var byKind: [String: Int]
        var incidentsWithWeaponRecovered: Int
    }

    struct YearCount: Encodable, Sendable {
        var year: Int
        var count: Int
        var source: String
    }

    struct Homicides: Encodable, Sendable {
        var year: Int
        var through: String
        var yearToDate: Int
        var previousYearsToDate: [YearCount]
        var fullYears: [YearCount]
        var record: YearCount?
    }

    struct MonthCount: Encodable, Sendable {
        var month: String
        var violent: Int
        var yearBefore: Int
    }

    var from: Date
    var until: Date
    var generatedAt: Date
    var network: Network
    var coverage: [AreaCoverage]
    var alerts: Alerts
    var footageRequests: Requests
    var evidence: Evidence
    var weapons: Weapons
    var homicides: Homicides
    var trend: [MonthCount]

    /// The UTC calendar every day, month and year is counted in.
    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// Computes the dashboard for `[from, until)`.
    static func compute(from: Date, until: Date, services: AppServices, now: Date = Date()) async throws -> Dashboard {
        let store = services.store
        let calendar = Self.calendar

        // The network now.
        let cameras = try await store.cameras.all()
        let health = await services.recorders.allHealth()
        var byKind: [String: KindCount] = [:]
        var byTier: [String: Int] = [:]
        var online = 0
        for camera in cameras {
            let up = health[camera.id]?.state == .streaming
            if up { online += 1 }
            byKind[camera.kind.rawValue, default: KindCount(total: 0, online: 0)].total += 1
            if up { byKind[camera.kind.rawValue]?.online += 1 }
            byTier[camera.sharing.rawValue, default: 0] += 1
        }
        let partners = try await store.partners.list(limit: 1, offset: 0).total
        let activePartners = try await store.partners.list(status: .active, limit: 1, offset: 0).total
        let network = Network(cameras: cameras.count, online: online, byKind: byKind, byTier: byTier, partners: partners, activePartners: activePartners)

        // Coverage of each venue or district by the cameras active now, measured exactly as the map's coverage measures it.
        let index = try await services.sightingIndexes.index(store)
        var coverage: [AreaCoverage] = []
        for venue in try await store.incidents.venues() {
            // A venue whose coverage cannot be computed fails the dashboard: it is not left out as if it did not exist.
            let polygon = try SightingIndex.polygon([venue.polygon])
            let result = try await CoverageAnalysis.compute(
                polygon, resolution: CoverageAnalysis.standardResolution, index: index, at: now, gapsAt: nil)
            coverage.append(AreaCoverage(name: venue.name, percent: result.percent[nil] ?? 0, identifyPercent: result.percent[.identify] ?? 0))
        }

        // Alerts per day and time to acknowledge.
        let timings = try await store.impact.alertTimings(from: from, until: until)
        var perDay: [String: DayCount] = [:]
        var kinds: [String: Int] = [:]
        var waits: [String: [Double]] = [:]
        for timing in timings {
            let day = dayKey(timing.raisedAt, calendar)
            perDay[day, default: DayCount(day: day, total: 0, byKind: [:])].total += 1
            perDay[day]?.byKind[timing.kind, default: 0] += 1
            kinds[timing.kind, default: 0] += 1
            if let acknowledged = timing.acknowledgedAt { waits[timing.kind, default: []].append(acknowledged.timeIntervalSince(timing.raisedAt)) }
        }
        let allWaits = waits.values.flatMap { $0 }
        let alerts = Alerts(
            total: timings.count, byKind: kinds, perDay: days(from: from, until: until, calendar).map { perDay[$0] ?? DayCount(day: $0, total: 0, byKind: [:]) },
            acknowledged: allWaits.count, medianSecondsToAcknowledge: quantile(allWaits, 0.5), p90SecondsToAcknowledge: quantile(allWaits, 0.9),
            medianSecondsToAcknowledgeByKind: waits.compactMapValues { quantile($0, 0.5) })

        // Footage requests to owners.
        var requestStatus: [String: Int] = [:]
        for request in try await store.impact.footageRequests(from: from, until: until) { requestStatus[request.status, default: 0] += 1 }
        let requests = Requests(made: requestStatus.values.reduce(0, +), byStatus: requestStatus)

        // Evidence, cases and their outcomes.
        let evidenceCounts = try await store.impact.evidenceCounts(from: from, until: until)
        let opened = try await store.impact.casesOpened(from: from, until: until)
        let outcomes = try await store.impact.outcomes().filter { opened.contains($0.caseID) }
        let assisted = Set(outcomes.filter { $0.leadProvided || $0.footageDelivered }.map(\.caseID))
        let evidence = Evidence(
            packages: evidenceCounts.packages, releases: evidenceCounts.releases, casesOpened: opened.count, casesAssisted: assisted.count,
            leadsProvided: outcomes.filter(\.leadProvided).count, footageDelivered: outcomes.filter(\.footageDelivered).count,
            arrests: outcomes.filter(\.arrest).count, casesWithWeaponRecovered: outcomes.filter(\.weaponRecovered).count)

        // Weapons recovered.
        let recovered = try await store.impact.weapons(from: from, until: until)
        var weaponKinds: [String: Int] = [:]
        for weapon in recovered { weaponKinds[weapon.kind.rawValue, default: 0] += 1 }
        let weapons = Weapons(
            recovered: recovered.count, rtccAssisted: recovered.filter(\.rtccAssisted).count, byKind: weaponKinds,
            incidentsWithWeaponRecovered: try await store.impact.incidentsWithWeapons(from: from, until: until))

        // Homicides this year to date against the same days of earlier years, full years and the record year.
        let homicides = try await homicideFigures(until: until, store: store, calendar: calendar)

        // Violent crime per month over the range, against the same month a year before.
        let trend = try await monthlyTrend(from: from, until: until, store: store, calendar: calendar)

        return Dashboard(
            from: from, until: until, generatedAt: now, network: network, coverage: coverage, alerts: alerts, footageRequests: requests,
            evidence: evidence, weapons: weapons, homicides: homicides, trend: trend)
    }

    static func homicideFigures(until: Date, store: Store, calendar: Calendar) async throws -> Homicides {
        let year = calendar.component(.year, from: until.addingTimeInterval(-0.001))
        let yearStart = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!
        let elapsed = until.timeIntervalSince(yearStart)
        let stored = try await store.impact.incidentTimes(from: .distantPast, until: until, categories: [.homicide]).map(\.0)
        // Years the incident data covers from their first week on count from the data; earlier ones only from published totals.
        let earliest = try await store.impact.earliestIncident()
        func covered(_ incidentYear: Int) -> Bool {
            guard let earliest else { return false }
            return earliest <= calendar.date(from: DateComponents(year: incidentYear, month: 1, day: 8))!
        }
        var byYear: [Int: Int] = [:]
        var toDate: [Int: Int] = [:]
        for time in stored {
            let incidentYear = calendar.component(.year, from: time)
            byYear[incidentYear, default: 0] += 1
            let start = calendar.date(from: DateComponents(year: incidentYear, month: 1, day: 1))!
            if time.timeIntervalSince(start) < elapsed { toDate[incidentYear, default: 0] += 1 }
        }
        var full: [Int: YearCount] = [:]
        for count in try await store.impact.annualCounts(category: .homicide) { full[count.year] = YearCount(year: count.year, count: count.count, source: count.source) }
        // A year the incident data covers completely (not this year) counts from the data unless a published figure exists.
        for (incidentYear, count) in byYear where incidentYear < year && full[incidentYear] == nil && covered(incidentYear) {
            full[incidentYear] = YearCount(year: incidentYear, count: count, source: "incident data")
        }
        let fullYears = full.values.sorted { $0.year < $1.year }
        let record = fullYears.max { $0.count != $1.count ? $0.count < $1.count : $0.year > $1.year }
        let previous = toDate.filter { $0.key < year && covered($0.key) }.map { YearCount(year: $0.key, count: $0.value, source: "incident data") }.sorted { $0.year < $1.year }
        return Homicides(
            year: year, through: until.formatted(.iso8601), yearToDate: toDate[year] ?? 0, previousYearsToDate: previous, fullYears: fullYears,
            record: record)
    }

    static func monthlyTrend(from: Date, until: Date, store: Store, calendar: Calendar) async throws -> [MonthCount] {
        let yearBefore = calendar.date(byAdding: .year, value: -1, to: from)!
        let times = try await store.impact.incidentTimes(from: yearBefore, until: until, categories: violent).map(\.0)
        var counts: [String: Int] = [:]
        for time in times { counts[monthKey(time, calendar), default: 0] += 1 }
        var months: [MonthCount] = []
        var cursor = calendar.date(from: calendar.dateComponents([.year, .month], from: from))!
        while cursor < until, months.count < 240 {
            let key = monthKey(cursor, calendar)
            let before = monthKey(calendar.date(byAdding: .year, value: -1, to: cursor)!, calendar)
            months.append(MonthCount(month: key, violent: counts[key] ?? 0, yearBefore: counts[before] ?? 0))
            cursor = calendar.date(byAdding: .month, value: 1, to: cursor)!
        }
        return months
    }

    static func dayKey(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    static func monthKey(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year!, parts.month!)
    }

    /// Every day in `[from, until)` (at most 400).
    static func days(from: Date, until: Date, _ calendar: Calendar) -> [String] {
        var days: [String] = []
        var cursor = calendar.startOfDay(for: from)
        while cursor < until, days.count < 400 {
            days.append(dayKey(cursor, calendar))
            cursor = calendar.date(byAdding: .day, value: 1, to: cursor)!
        }
        return days
    }

    /// The `q` quantile (nearest rank) of `values`, or nil when there are none.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
        return (sorted[min(rank, sorted.count) - 1] * 10).rounded() / 10
    }
}
