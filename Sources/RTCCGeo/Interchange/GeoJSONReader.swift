import Foundation

/// Reads GeoJSON (RFC 7946) with Foundation's `JSONSerialization`: features, and polygons validated as ``GeoPolygon``.
public enum GeoJSONReader {
    /// The features of a FeatureCollection, a single Feature, or a bare geometry (wrapped as one feature).
    static func features(_ data: Data) throws(InterchangeError) -> [[String: Any]] {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch { throw InterchangeError("the file is not valid JSON") }
        guard let dictionary = object as? [String: Any], let type = dictionary["type"] as? String else {
            throw InterchangeError("the file is not a GeoJSON object (it needs a \"type\")")
        }
        switch type {
        case "FeatureCollection":
            guard let list = dictionary["features"] as? [[String: Any]] else { throw InterchangeError("the FeatureCollection has no \"features\" list") }
            return list
        case "Feature": return [dictionary]
        default: return [["type": "Feature", "geometry": dictionary]]
        }
    }

    /// Every Polygon and every part of every MultiPolygon in `data`, validated; all problems are listed by feature.
    public static func polygons(_ data: Data) throws(InterchangeError) -> [GeoPolygon] {
        var polygons: [GeoPolygon] = [], problems: [InterchangeError.Problem] = []
        for (index, feature) in try features(data).enumerated() {
            let location = "feature \(index)"
            guard let geometry = feature["geometry"] as? [String: Any], let type = geometry["type"] as? String else {
                problems.append(.init(location: location, message: "has no geometry"))
                continue
            }
            let parts: [Any]
            switch type {
            case "Polygon": parts = [geometry["coordinates"] ?? []]
            case "MultiPolygon": parts = geometry["coordinates"] as? [Any] ?? []
            default:
                problems.append(.init(location: location, message: "is a \(type), not a Polygon or MultiPolygon"))
                continue
            }
            for (partIndex, part) in parts.enumerated() {
                let where_ = type == "MultiPolygon" ? "\(location) polygon \(partIndex)" : location
                guard let rings = ring(part) else {
                    problems.append(.init(location: where_, message: "coordinates are not lists of [longitude, latitude] pairs"))
                    continue
                }
                do { polygons.append(try GeoPolygon(rings: rings)) } catch { problems.append(.init(location: where_, message: error.description)) }
            }
        }
        if !problems.isEmpty { throw InterchangeError(problems) }
        return polygons
    }

    static func ring(_ value: Any) -> [[Coordinate]]? {
        guard let rings = value as? [Any] else { return nil }
        var result: [[Coordinate]] = []
        for ring in rings {
            guard let points = ring as? [Any] else { return nil }
            var coordinates: [Coordinate] = []
            for point in points {
                guard let pair = point as? [Any], pair.count >= 2, let lon = double(pair[0]), let lat = double(pair[1]) else { return nil }
                coordinates.append(Coordinate(latitude: lat, longitude: lon))
            }
            result.append(coordinates)
        }
        return result
    }

    static func double(_ value: Any) -> Double? {
        if let number = value as? Double { return number }
        if let number = value as? Int { return Double(number) }
        if let string = value as? String { return Double(string) }
        return nil
    }
}
