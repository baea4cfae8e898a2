import Foundation

/// Reads address points (CSV or GeoJSON Points) and street centrelines (GeoJSON LineStrings), all or nothing: every
/// bad row or feature is reported with its line or feature number and field.
public enum AddressFile {
    /// Longest accepted house number, street name, unit, city and ZIP code.
    static let limits: [String: Int] = ["number": 20, "street": 100, "unit": 20, "city": 60, "zip": 10]

    /// Address points from CSV (`number,street,lat,lon[,unit,city,zip]`, header names case-insensitive; `latitude`,
    /// `longitude`, `house_number`, `zipcode` also accepted) or, when the text starts with `{`, GeoJSON Point features
    /// with those properties.
    public static func addresses(_ data: Data) throws(InterchangeError) -> [AddressPoint] {
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: \.isWhitespace).first == "{" { return try geoJSONAddresses(data) }
        let table = try CSVTable(text: text)
        let columns: [String: Int?] = [
            "number": table.column("number", "house_number", "housenumber", "addnum"), "street": table.column("street", "street_name", "fullname"),
            "lat": table.column("lat", "latitude"), "lon": table.column("lon", "lng", "longitude"), "unit": table.column("unit"),
            "city": table.column("city"), "zip": table.column("zip", "zipcode", "postcode"),
        ]
        let missing = ["number", "street", "lat", "lon"].filter { columns[$0] == .some(nil) }
        guard missing.isEmpty else {
            throw InterchangeError("the header lacks \(missing.joined(separator: ", ")): it needs number,street,lat,lon (unit, city, zip optional)")
        }
        var points: [AddressPoint] = [], problems: [InterchangeError.Problem] = []
        for record in table.records {
            func field(_ name: String) -> String? {
                guard let column = columns[name] ?? nil, column < record.fields.count else { return nil }
                let value = record.fields[column]
                return value.isEmpty ? nil : value
            }
            let row = point(
                number: field("number"), street: field("street"), lat: field("lat").map { $0 as Any }, lon: field("lon").map { $0 as Any },
                unit: field("unit"), city: field("city"), zip: field("zip"), location: { "line \(record.line): \($0)" })
            switch row {
            case .success(let point): points.append(point)
            case .failure(let error): problems.append(contentsOf: error.problems)
            }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        return points
    }

    static func geoJSONAddresses(_ data: Data) throws(InterchangeError) -> [AddressPoint] {
        var points: [AddressPoint] = [], problems: [InterchangeError.Problem] = []
        for (index, feature) in try GeoJSONReader.features(data).enumerated() {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            func text(_ names: String...) -> String? {
                for name in names {
                    if let value = properties[name] as? String, !value.trimmingCharacters(in: .whitespaces).isEmpty { return value.trimmingCharacters(in: .whitespaces) }
                    if let value = properties[name] as? Int { return String(value) }
                }
                return nil
            }
            guard let geometry = feature["geometry"] as? [String: Any], geometry["type"] as? String == "Point",
                let pair = geometry["coordinates"] as? [Any], pair.count >= 2
            else {
                problems.append(.init(location: "feature \(index): geometry", message: "must be a Point with [longitude, latitude]"))
                continue
            }
            let row = point(
                number: text("number", "house_number", "addr:housenumber"), street: text("street", "addr:street"), lat: pair[1], lon: pair[0],
                unit: text("unit", "addr:unit"), city: text("city", "addr:city"), zip: text("zip", "addr:postcode"),
                location: { "feature \(index): \($0 == "lat" || $0 == "lon" ? "geometry" : "properties.\($0)")" })
            switch row {
            case .success(let point): points.append(point)
            case .failure(let error): problems.append(contentsOf: error.problems)
            }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        return points
    }

    /// One checked address point, or every problem with it.
    static func point(
        number: String?, street: String?, lat: Any?, lon: Any?, unit: String?, city: String?, zip: String?, location: (String) -> String
    ) -> Result<AddressPoint, InterchangeError> {
        var problems: [InterchangeError.Problem] = []
        func check(_ name: String, _ value: String?, required: Bool) {
            if let value {
                if value.count > limits[name] ?? 100 { problems.append(.init(location: location(name), message: "is longer than \(limits[name] ?? 100) characters")) }
            } else if required {
                problems.append(.init(location: location(name), message: "is required"))
            }
        }
        check("number", number, required: true)
        check("street", street, required: true)
        check("unit", unit, required: false)
        check("city", city, required: false)
        check("zip", zip, required: false)
        if let number, number.first?.isNumber != true {
            problems.append(.init(location: location("number"), message: "must start with a digit (such as 401 or 401A), not '\(number)'"))
        }
        if let street, AddressNormalizer.tokens(street).isEmpty {
            problems.append(.init(location: location("street"), message: "has no letters or digits"))
        }
        let latitude = lat.flatMap(GeoJSONReader.double), longitude = lon.flatMap(GeoJSONReader.double)
        if latitude.map({ !(-90...90).contains($0) }) ?? true {
            problems.append(.init(location: location("lat"), message: "must be a latitude in decimal degrees from -90 to 90"))
        }
        if longitude.map({ !(-180...180).contains($0) }) ?? true {
            problems.append(.init(location: location("lon"), message: "must be a longitude in decimal degrees from -180 to 180"))
        }
        guard problems.isEmpty, let number, let street, let latitude, let longitude else { return .failure(InterchangeError(problems)) }
        return .success(AddressPoint(
            number: number, street: street, unit: unit, city: city, zip: zip, coordinate: Coordinate(latitude: latitude, longitude: longitude)))
    }

    /// Street centrelines from a GeoJSON FeatureCollection of LineString or MultiLineString features named by a
    /// `name` property (TIGER/Line's `FULLNAME`, and `NAME`, are accepted too).
    public static func streets(_ data: Data) throws(InterchangeError) -> [StreetLine] {
        var lines: [StreetLine] = [], problems: [InterchangeError.Problem] = []
        for (index, feature) in try GeoJSONReader.features(data).enumerated() {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let name = ["name", "FULLNAME", "fullname", "NAME"].lazy.compactMap { properties[$0] as? String }
                .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
            if name == nil {
                problems.append(.init(location: "feature \(index): properties.name", message: "is required (a street name such as \"Texas St\"; FULLNAME is accepted)"))
            } else if let name, name.count > 100 || AddressNormalizer.tokens(name).isEmpty {
                problems.append(.init(location: "feature \(index): properties.name", message: "must be 1-100 characters with letters or digits"))
            }
            let geometry = feature["geometry"] as? [String: Any]
            let type = geometry?["type"] as? String
            let raw: Any?
            switch type {
            case "LineString": raw = geometry?["coordinates"].map { [$0] }
            case "MultiLineString": raw = geometry?["coordinates"]
            default:
                problems.append(.init(location: "feature \(index): geometry", message: "must be a LineString or MultiLineString, not \(type ?? "missing")"))
                continue
            }
            guard let parts = raw.flatMap(GeoJSONReader.ring), !parts.isEmpty, parts.allSatisfy({ $0.count >= 2 }),
                parts.allSatisfy({ $0.allSatisfy { (-90...90).contains($0.latitude) && (-180...180).contains($0.longitude) } })
            else {
                problems.append(.init(
                    location: "feature \(index): geometry.coordinates", message: "must be lines of at least two [longitude, latitude] positions in range"))
                continue
            }
            if let name { lines.append(StreetLine(name: name, parts: parts)) }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        return lines
    }
}
