import Foundation

/// Reads incidents from CSV with header `time,type,latitude,longitude` (time in ISO 8601, with a zone or `Z`).
public enum IncidentFile {
    /// Parses `text`; any bad row makes the whole file fail with every problem listed.
    public static func parseCSV(_ text: String) throws(InterchangeError) -> [Incident] {
        let table = try CSVTable(text: text)
        guard let time = table.column("time", "timestamp"), let type = table.column("type"), let lat = table.column("latitude", "lat"),
            let lon = table.column("longitude", "lon", "lng")
        else { throw InterchangeError([.init(location: "line 1", message: "the header needs time, type, latitude and longitude columns")]) }
        var incidents: [Incident] = [], problems: [InterchangeError.Problem] = []
        for record in table.records {
            var reader = RecordReader(line: record.line, fields: record.fields)
            let stamp = reader.text(time).flatMap { raw -> Date? in
                if let date = parseTime(raw) { return date }
                reader.fail("time '\(raw)' is not an ISO 8601 date-time such as 2026-11-30T22:15:00Z")
                return nil
            }
            let kind = reader.text(type) ?? ""
            let latitude = reader.number(lat, "latitude", range: -90...90)
            let longitude = reader.number(lon, "longitude", range: -180...180)
            problems += reader.problems
            if reader.problems.isEmpty, let stamp, let latitude, let longitude {
                incidents.append(Incident(time: stamp, type: kind, location: Coordinate(latitude: latitude, longitude: longitude)))
            }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        if incidents.isEmpty { throw InterchangeError("the file has a header but no incidents") }
        return incidents
    }

    /// An ISO 8601 date-time, with or without fractional seconds; a field out of range (`12:99:00Z`, 31 April) is refused
    /// rather than rolled over into another time.
    static func parseTime(_ raw: String) -> Date? {
        let digits = Array(raw.utf8.prefix(19))
        guard digits.count == 19 else { return nil }
        func field(_ from: Int, _ count: Int) -> Int? { Int(String(decoding: digits[from..<(from + count)], as: UTF8.self)) }
        guard let year = field(0, 4), let month = field(5, 2), let day = field(8, 2), let hour = field(11, 2), let minute = field(14, 2),
            let second = field(17, 2), (1...12).contains(month), hour < 24, minute < 60, second < 60
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...monthDays).contains(day) else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: raw) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: raw)
    }
}
