import Foundation

/// A firearm (or other weapon) recovered by the police, for the impact dashboard.
public struct WeaponRecovery: Codable, Sendable, Hashable {
    /// What was recovered.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case handgun, rifle, shotgun, other
    }

    /// When it was recovered.
    public var recoveredAt: Date
    /// Handgun, rifle, shotgun or other.
    public var kind: Kind
    /// The police case number.
    public var caseNumber: String
    /// Whether an RTCC lead or footage helped.
    public var rtccAssisted: Bool
    /// Free notes.
    public var notes: String

    /// Creates a record.
    public init(recoveredAt: Date, kind: Kind, caseNumber: String, rtccAssisted: Bool, notes: String = "") {
        self.recoveredAt = recoveredAt
        self.kind = kind
        self.caseNumber = caseNumber
        self.rtccAssisted = rtccAssisted
        self.notes = notes
    }
}

/// A year's total of one offense from the city's historical statistics (e.g. 86 homicides in 1993), for years before
/// the incident data begins.
public struct AnnualCount: Codable, Sendable, Hashable {
    /// The year.
    public var year: Int
    /// The offense category.
    public var category: Incident.Category
    /// How many were reported that year.
    public var count: Int
    /// Where the figure comes from.
    public var source: String

    /// Creates a figure.
    public init(year: Int, category: Incident.Category, count: Int, source: String = "") {
        self.year = year
        self.category = category
        self.count = count
        self.source = source
    }
}

/// Reading the city's crime data: incident exports, the weapons-recovered log and historical yearly totals, as CSV.
/// Every bad row is reported with its line number, and a file with any bad row yields nothing.
public enum CrimeData {
    /// NIBRS offense codes and the category each is counted under.
    public static let nibrsCategories: [String: Incident.Category] = [
        "09A": .homicide, "09B": .homicide, "13A": .assault, "13B": .assault, "120": .robbery, "220": .burglary, "240": .vehicleTheft,
        "290": .vandalism, "35A": .narcotics, "35B": .narcotics,
    ]

    /// The incident columns: `occurred_at`, `offense` (a NIBRS code such as `09A`, or a category such as `shooting`),
    /// `latitude`, `longitude` and `case_number` are required; `summary` and `weapon_recovered` are optional.
    public static let incidentColumns = ["occurred_at", "offense", "latitude", "longitude", "case_number"]

    /// Incidents from CSV text; none later than `now`.
    public static func incidents(csv text: String, now: Date = Date()) throws(ValidationError) -> [Incident] {
        let rows = try table(text, required: incidentColumns, optional: ["summary", "weapon_recovered", "address"])
        var incidents: [Incident] = []
        var problems: [FieldError] = []
        var seen: Set<String> = []
        for (line, row) in rows {
            var rowProblems: [FieldError] = []
            func problem(_ column: String, _ reason: String) { rowProblems.append(FieldError(field: "line \(line): \(column)", reason: reason)) }
            let time = date(row["occurred_at"] ?? "")
            if time == nil { problem("occurred_at", "must be an ISO 8601 time such as 2026-10-31T21:15:00Z") }
            if let time, time > now.addingTimeInterval(300) { problem("occurred_at", "is in the future") }
            let offense = (row["offense"] ?? "").trimmingCharacters(in: .whitespaces)
            let code = offense.uppercased()
            let category = nibrsCategories[code] ?? Incident.Category(rawValue: offense.lowercased())
            if category == nil {
                problem("offense", "\"\(offense)\" is neither a NIBRS code we count (\(nibrsCategories.keys.sorted().joined(separator: ", "))) nor a category (\(Incident.Category.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let latitude = Double(row["latitude"] ?? "")
            let longitude = Double(row["longitude"] ?? "")
            if latitude.map({ !(-90...90).contains($0) }) ?? true { problem("latitude", "must be a number from -90 to 90") }
            if longitude.map({ !(-180...180).contains($0) }) ?? true { problem("longitude", "must be a number from -180 to 180") }
            let caseNumber = (row["case_number"] ?? "").trimmingCharacters(in: .whitespaces)
            if caseNumber.isEmpty || caseNumber.count > 50 { problem("case_number", "must be 1-50 characters") }
            let weapon = row["weapon_recovered"].map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if !["", "true", "false", "yes", "no", "1", "0"].contains(weapon) { problem("weapon_recovered", "must be true or false") }
            let key = "\(caseNumber)|\(code)"
            if rowProblems.isEmpty, !seen.insert(key).inserted { problem("case_number", "\(caseNumber) with offense \(offense) is listed twice") }
            guard rowProblems.isEmpty, let time, let category, let latitude, let longitude else {
                problems += rowProblems
                continue
            }
            let summary = row["summary"].flatMap { $0.isEmpty ? nil : $0 } ?? row["address"].flatMap { $0.isEmpty ? nil : $0 } ?? offense
            incidents.append(Incident(
                id: UUID(), occurredAt: time, category: category, location: GeoPoint(latitude: latitude, longitude: longitude),
                summary: String(summary.prefix(500)), weaponRecovered: ["true", "yes", "1"].contains(weapon), caseNumber: caseNumber,
                offenseCode: nibrsCategories[code] == nil ? nil : code))
        }
        try ValidationError.check(problems)
        guard !incidents.isEmpty else { throw ValidationError(field: "body", reason: "has no incident rows under the header") }
        return incidents
    }

    /// The weapons-recovered log: `recovered_at`, `weapon_type` (handgun, rifle, shotgun, other), `case_number`,
    /// `rtcc_assisted` (true/false) and an optional `notes`.
    public static func weapons(csv text: String, now: Date = Date()) throws(ValidationError) -> [WeaponRecovery] {
        let rows = try table(text, required: ["recovered_at", "weapon_type", "case_number", "rtcc_assisted"], optional: ["notes"])
        var records: [WeaponRecovery] = []
        var problems: [FieldError] = []
        for (line, row) in rows {
            var rowProblems: [FieldError] = []
            func problem(_ column: String, _ reason: String) { rowProblems.append(FieldError(field: "line \(line): \(column)", reason: reason)) }
            let time = date(row["recovered_at"] ?? "")
            if time == nil { problem("recovered_at", "must be an ISO 8601 time") }
            if let time, time > now.addingTimeInterval(300) { problem("recovered_at", "is in the future") }
            let kind = WeaponRecovery.Kind(rawValue: (row["weapon_type"] ?? "").trimmingCharacters(in: .whitespaces).lowercased())
            if kind == nil { problem("weapon_type", "must be handgun, rifle, shotgun or other") }
            let caseNumber = (row["case_number"] ?? "").trimmingCharacters(in: .whitespaces)
            if caseNumber.isEmpty || caseNumber.count > 50 { problem("case_number", "must be 1-50 characters") }
            let assisted = (row["rtcc_assisted"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            if !["true", "false", "yes", "no", "1", "0"].contains(assisted) { problem("rtcc_assisted", "must be true or false") }
            guard rowProblems.isEmpty, let time, let kind else {
                problems += rowProblems
                continue
            }
            records.append(WeaponRecovery(
                recoveredAt: time, kind: kind, caseNumber: caseNumber, rtccAssisted: ["true", "yes", "1"].contains(assisted),
                notes: String((row["notes"] ?? "").prefix(1000))))
        }
        try ValidationError.check(problems)
        guard !records.isEmpty else { throw ValidationError(field: "body", reason: "has no rows under the header") }
        return records
    }

    /// Historical yearly totals: `year`, `category` (or a NIBRS code), `count` and an optional `source`.
    public static func annualCounts(csv text: String, now: Date = Date()) throws(ValidationError) -> [AnnualCount] {
        let rows = try table(text, required: ["year", "category", "count"], optional: ["source"])
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: now)
        var counts: [AnnualCount] = []
        var problems: [FieldError] = []
        var seen: Set<String> = []
        for (line, row) in rows {
            var rowProblems: [FieldError] = []
            func problem(_ column: String, _ reason: String) { rowProblems.append(FieldError(field: "line \(line): \(column)", reason: reason)) }
            let year = Int(row["year"] ?? "")
            if year.map({ !(1900...thisYear).contains($0) }) ?? true { problem("year", "must be a year from 1900 to \(thisYear)") }
            let name = (row["category"] ?? "").trimmingCharacters(in: .whitespaces)
            let category = nibrsCategories[name.uppercased()] ?? Incident.Category(rawValue: name.lowercased())
            if category == nil { problem("category", "\"\(name)\" is not a category or NIBRS code we count") }
            let count = Int(row["count"] ?? "")
            if count.map({ $0 < 0 || $0 > 10_000_000 }) ?? true { problem("count", "must be a whole number of at least 0") }
            if let year, let category, rowProblems.isEmpty, !seen.insert("\(year)|\(category.rawValue)").inserted {
                problem("year", "\(year) \(category.rawValue) is listed twice")
            }
            guard rowProblems.isEmpty, let year, let category, let count else {
                problems += rowProblems
                continue
            }
            counts.append(AnnualCount(year: year, category: category, count: count, source: String((row["source"] ?? "").prefix(200))))
        }
        try ValidationError.check(problems)
        guard !counts.isEmpty else { throw ValidationError(field: "body", reason: "has no rows under the header") }
        return counts
    }

    /// The data rows of `text` as column → value, with their line numbers; the header must hold `required`.
    static func table(_ text: String, required: [String], optional: [String]) throws(ValidationError) -> [(Int, [String: String])] {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch { throw ValidationError(field: "line \(error.line)", reason: error.reason) }
        guard let header = table.records.first else {
            throw ValidationError(field: "body", reason: "is empty: send a CSV header (\(required.joined(separator: ","))) and rows")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = required.filter { !names.contains($0) }
        let unknown = names.filter { !required.contains($0) && !optional.contains($0) }
        var problems = missing.map { FieldError(field: "line 1", reason: "the header lacks the column \($0)") }
        problems += unknown.map { FieldError(field: "line 1", reason: "\($0) is not a known column (known: \((required + optional).joined(separator: ", ")))") }
        try ValidationError.check(problems)
        var rows: [(Int, [String: String])] = []
        for record in table.records.dropFirst() {
            guard record.fields.count == names.count else {
                problems.append(FieldError(field: "line \(record.line)", reason: "has \(record.fields.count) fields, the header has \(names.count)"))
                continue
            }
            rows.append((record.line, Dictionary(zip(names, record.fields.map { $0.trimmingCharacters(in: .whitespaces) }), uniquingKeysWith: { a, _ in a })))
        }
        try ValidationError.check(problems)
        return rows
    }

    static func date(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        return ISO8601Time.parse(text)
    }
}
