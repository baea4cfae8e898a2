import Foundation

/// Reads existing cameras from CSV with header `latitude,longitude,heading_deg,fov_deg,range_m` and optional
/// `mount_height_m`, `horizontal_pixels`, `name`, `active_from`, `active_until` (ISO 8601).
public enum CameraFile {
    /// Parses `text`; any bad row makes the whole file fail with every problem listed.
    public static func parseCSV(_ text: String) throws(InterchangeError) -> [CameraView] {
        let table = try CSVTable(text: text)
        guard let lat = table.column("latitude", "lat"), let lon = table.column("longitude", "lon", "lng"), let heading = table.column("heading_deg", "heading"),
            let fov = table.column("fov_deg", "fov"), let range = table.column("range_m", "range")
        else {
            throw InterchangeError([.init(location: "line 1", message: "the header needs latitude, longitude, heading_deg, fov_deg and range_m columns")])
        }
        let height = table.column("mount_height_m"), pixels = table.column("horizontal_pixels", "pixels"), name = table.column("name")
        let from = table.column("active_from"), until = table.column("active_until")
        var cameras: [CameraView] = [], problems: [InterchangeError.Problem] = []
        for record in table.records {
            var reader = RecordReader(line: record.line, fields: record.fields)
            let values = (
                reader.number(lat, "latitude", range: -90...90), reader.number(lon, "longitude", range: -180...180),
                reader.number(heading, "heading_deg", range: -3600...3600), reader.number(fov, "fov_deg", range: 0...360),
                reader.number(range, "range_m", range: 0...100_000)
            )
            let mount = reader.number(height, "mount_height_m", range: 0...500, required: false) ?? 0
            let px = reader.number(pixels, "horizontal_pixels", range: 1...100_000, required: false).map { Int($0) }
            let start = reader.text(from).flatMap { $0.isEmpty ? nil : IncidentFile.parseTime($0) }
            let end = reader.text(until).flatMap { $0.isEmpty ? nil : IncidentFile.parseTime($0) }
            let id = reader.text(name) ?? "camera\(record.line - 1)"
            problems += reader.problems
            guard reader.problems.isEmpty, let la = values.0, let lo = values.1, let h = values.2, let f = values.3, let r = values.4 else { continue }
            let interval: DateInterval? = (start != nil || end != nil)
                ? DateInterval(start: start ?? .distantPast, end: max(end ?? .distantFuture, start ?? .distantPast)) : nil
            do {
                cameras.append(
                    try CameraView(id: id, position: Coordinate(latitude: la, longitude: lo), mountHeight: mount, heading: h, fieldOfView: f, range: r,
                                   horizontalPixels: px, activeInterval: interval))
            } catch {
                problems.append(.init(location: "line \(record.line)", message: error.description))
            }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        return cameras
    }
}
