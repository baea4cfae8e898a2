import Foundation

/// One plate on a hot list: a read of it raises a `plate_hit` alert until the entry expires.
public struct HotListEntry: Codable, Sendable, Hashable {
    /// Why the plate is wanted; sets the alert's severity.
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case stolenVehicle = "stolen_vehicle", wantedPerson = "wanted_person", amberAlert = "amber_alert", silverAlert = "silver_alert"
        case stolenPlate = "stolen_plate", other

        /// The severity of a hit.
        public var severity: Alert.Severity {
            switch self {
            case .amberAlert, .wantedPerson: return .critical
            case .stolenVehicle, .silverAlert: return .high
            case .stolenPlate, .other: return .medium
            }
        }

        /// For people: "stolen vehicle".
        public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }
    }

    /// The plate, normalised.
    public var plate: PlateNumber
    /// Two-letter state code.
    public var state: String
    /// Why it is wanted.
    public var reason: Reason
    /// Free text from the list (case number, vehicle description).
    public var note: String
    /// After this the entry no longer matches.
    public var expiresAt: Date?

    /// Creates an entry.
    public init(plate: PlateNumber, state: String, reason: Reason, note: String = "", expiresAt: Date? = nil) {
        self.plate = plate
        self.state = state
        self.reason = reason
        self.note = note
        self.expiresAt = expiresAt
    }

    /// Whether the entry still matches at `now`.
    public func isActive(at now: Date) -> Bool { expiresAt.map { $0 > now } ?? true }
}

/// Reads a hot list CSV: a header naming `plate`, `state`, `reason` and optionally `expires` and `note` (in any order),
/// then one plate a line. Every bad line is reported at once, as `line N: field`.
public enum HotListCSV {
    /// The columns a file may have.
    public static let columns: Set<String> = ["plate", "state", "reason", "expires", "note"]

    /// Parses `text`; throws every problem found.
    public static func parse(_ text: String) throws(ValidationError) -> [HotListEntry] {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch { throw ValidationError(field: "line \(error.line)", reason: error.reason) }
        guard let header = table.records.first else { throw ValidationError(field: "body", reason: "is empty; send a CSV with a header line plate,state,reason[,expires,note]") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var errors: [FieldError] = []
        for name in names where !columns.contains(name) {
            errors.append(FieldError(field: "line 1: \(name)", reason: "is not a known column (known: \(columns.sorted().joined(separator: ", ")))"))
        }
        for required in ["plate", "state", "reason"] where !names.contains(required) {
            errors.append(FieldError(field: "line 1: \(required)", reason: "the header must name this column"))
        }
        try ValidationError.check(errors)
        var entries: [HotListEntry] = []
        for record in table.records.dropFirst() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var value: [String: String] = [:]
            for (index, name) in names.enumerated() where index < record.fields.count {
                value[name] = record.fields[index].trimmingCharacters(in: .whitespaces)
            }
            let line = "line \(record.line)"
            let plate = PlateNumber(value["plate"] ?? "")
            if plate == nil { errors.append(FieldError(field: "\(line): plate", reason: "must be 1-10 letters and digits (spaces and dashes are ignored)")) }
            let state = PlateNumber.state(value["state"] ?? "")
            if state == nil { errors.append(FieldError(field: "\(line): state", reason: "must be a two-letter state code such as LA")) }
            let reasonText = (value["reason"] ?? "").lowercased().replacingOccurrences(of: " ", with: "_")
            let reason = HotListEntry.Reason(rawValue: reasonText)
            if reason == nil {
                errors.append(FieldError(
                    field: "\(line): reason", reason: "must be one of \(HotListEntry.Reason.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            var expiry: Date?
            if let text = value["expires"], !text.isEmpty {
                expiry = ISO8601Time.parse(text) ?? ISO8601Time.parse(text + "T23:59:59Z")
                if expiry == nil { errors.append(FieldError(field: "\(line): expires", reason: "must be an ISO 8601 date or time such as 2026-12-31")) }
            }
            let note = value["note"] ?? ""
            if note.count > 200 { errors.append(FieldError(field: "\(line): note", reason: "must be at most 200 characters")) }
            if let plate, let state, let reason {
                entries.append(HotListEntry(plate: plate, state: state, reason: reason, note: note, expiresAt: expiry))
            }
        }
        try ValidationError.check(errors)
        return entries
    }
}
