import Foundation

/// Reads candidate sites from CSV (header `latitude,longitude[,mount_height_m,name]`) or from GeoJSON Points (a
/// FeatureCollection; optional properties `mount_height_m` and `name`).
public enum SiteFile {
    /// Mount height used when a row gives none, metres.
    public static let defaultMountHeight = 4.0

    /// Parses `data`, as GeoJSON if it starts with `{`, else as CSV.
    public static func parse(_ data: Data) throws(InterchangeError) -> [CandidateSite] {
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).first == "{" { return try parseGeoJSON(data) }
        return try parseCSV(text)
    }

    /// Parses CSV; any bad row makes the whole file fail with every problem listed.
    public static func parseCSV(_ text: String) throws(InterchangeError) -> [CandidateSite] {
        let table = try CSVTable(text: text)
        guard let lat = table.column("latitude", "lat"), let lon = table.column("longitude", "lon", "lng") else {
            throw InterchangeError([.init(location: "line 1", message: "the header needs latitude and longitude columns")])
        }
        let height = table.column("mount_height_m", "mount_height"), name = table.column("name")
        var sites: [CandidateSite] = [], problems: [InterchangeError.Problem] = []
        for record in table.records {
            var reader = RecordReader(line: record.line, fields: record.fields)
            let latitude = reader.number(lat, "latitude", range: -90...90)
            let longitude = reader.number(lon, "longitude", range: -180...180)
            let mount = reader.number(height, "mount_height_m", range: 0...500, required: false)
            let label = reader.text(name) ?? "site\(sites.count + problems.count + 1)"
            problems += reader.problems
            if reader.problems.isEmpty, let latitude, let longitude {
                sites.append(CandidateSite(name: label, position: Coordinate(latitude: latitude, longitude: longitude), mountHeight: mount ?? defaultMountHeight))
            }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        if sites.isEmpty { throw InterchangeError("the file has a header but no sites") }
        return sites
    }

    /// Parses a GeoJSON FeatureCollection of Points.
    public static func parseGeoJSON(_ data: Data) throws(InterchangeError) -> [CandidateSite] {
        let features = try GeoJSONReader.features(data)
        var sites: [CandidateSite] = [], problems: [InterchangeError.Problem] = []
        for (index, feature) in features.enumerated() {
            let location = "feature \(index)"
            guard let geometry = feature["geometry"] as? [String: Any], geometry["type"] as? String == "Point",
                let pair = geometry["coordinates"] as? [Any], pair.count >= 2, let lon = GeoJSONReader.double(pair[0]), let lat = GeoJSONReader.double(pair[1])
            else {
                problems.append(.init(location: location, message: "is not a Point with [longitude, latitude] coordinates"))
                continue
            }
            guard abs(lat) <= 90, abs(lon) <= 180 else {
                problems.append(.init(location: location, message: "position \(lat), \(lon) is out of range"))
                continue
            }
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let height = properties["mount_height_m"].flatMap(GeoJSONReader.double) ?? defaultMountHeight
            guard height >= 0, height.isFinite else {
                problems.append(.init(location: location, message: "mount_height_m \(height) is invalid"))
                continue
            }
            let name = properties["name"].map { "\($0)" } ?? "site\(index + 1)"
            sites.append(CandidateSite(name: name, position: Coordinate(latitude: lat, longitude: lon), mountHeight: height))
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        if sites.isEmpty { throw InterchangeError("the FeatureCollection has no sites") }
        return sites
    }
}
