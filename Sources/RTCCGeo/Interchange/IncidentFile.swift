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

    /// An ISO 8601 date-time, with or without fractional seconds.
    static func parseTime(_ raw: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: raw) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: raw)
    }
}
