import Foundation

/// Writes a ``PlacementPlan`` as GeoJSON, CSV or a JSON summary, and coverage gaps as GeoJSON.
public enum PlanWriter {
    /// A FeatureCollection with one Point per chosen camera (properties: rank, site, name, heading_deg,
    /// mount_height_m, unique_weight) and, per camera, its view sector as a Polygon.
    public static func geoJSON(_ plan: PlacementPlan, option: CameraOption, projection: LocalProjection) -> Data {
        var features: [[String: Any]] = []
        for (rank, choice) in plan.choices.enumerated() {
            let properties: [String: Any] = [
                "rank": rank + 1, "site": choice.siteIndex, "name": choice.site.name, "heading_deg": choice.heading,
                "mount_height_m": choice.site.mountHeight, "unique_weight": choice.uniqueWeight,
            ]
            features.append([
                "type": "Feature", "properties": properties,
                "geometry": ["type": "Point", "coordinates": [choice.site.position.longitude, choice.site.position.latitude]],
            ])
            var sector = properties
            sector["kind"] = "view"
            features.append(["type": "Feature", "properties": sector, "geometry": ["type": "Polygon", "coordinates": [sectorRing(choice, option, projection)]]])
        }
        return serialise(["type": "FeatureCollection", "features": features])
    }

    /// CSV with header `rank,site,name,latitude,longitude,heading_deg,mount_height_m,unique_weight`.
    public static func csv(_ plan: PlacementPlan) -> String {
        var lines = ["rank,site,name,latitude,longitude,heading_deg,mount_height_m,unique_weight"]
        for (rank, choice) in plan.choices.enumerated() {
            lines.append(
                [String(rank + 1), String(choice.siteIndex), quoted(choice.site.name), String(choice.site.position.latitude),
                 String(choice.site.position.longitude), String(choice.heading), String(choice.site.mountHeight), String(choice.uniqueWeight)]
                    .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON object: value, upper_bound, guaranteed_fraction, total_weight, already_covered_weight, and the chosen
    /// cameras (site index, name, latitude, longitude, heading_deg, unique_weight).
    public static func summary(_ plan: PlacementPlan) -> Data {
        serialise([
            "value": plan.value, "upper_bound": plan.upperBound, "guaranteed_fraction": plan.guaranteedFraction, "total_weight": plan.totalWeight,
            "already_covered_weight": plan.alreadyCoveredWeight, "evaluations": plan.evaluations, "swaps": plan.swaps,
            "chosen": plan.choices.map { choice -> [String: Any] in
                [
                    "site": choice.siteIndex, "name": choice.site.name, "latitude": choice.site.position.latitude,
                    "longitude": choice.site.position.longitude, "heading_deg": choice.heading, "unique_weight": choice.uniqueWeight,
                ]
            },
        ])
    }

    /// Gap rectangles as one MultiPolygon feature in latitude/longitude.
    public static func gapsGeoJSON(_ rectangles: [PlaneBox], projection: LocalProjection, properties: [String: String] = [:]) -> Data {
        let polygons = rectangles.map { box -> [[[Double]]] in
            let corners = [
                PlanePoint(x: box.minX, y: box.minY), PlanePoint(x: box.maxX, y: box.minY), PlanePoint(x: box.maxX, y: box.maxY),
                PlanePoint(x: box.minX, y: box.maxY), PlanePoint(x: box.minX, y: box.minY),
            ]
            return [corners.map { let c = projection.unproject($0); return [c.longitude, c.latitude] }]
        }
        return serialise([
            "type": "FeatureCollection",
            "features": [["type": "Feature", "properties": properties, "geometry": ["type": "MultiPolygon", "coordinates": polygons]]],
        ])
    }

    static func sectorRing(_ choice: PlacementPlan.Choice, _ option: CameraOption, _ projection: LocalProjection) -> [[Double]] {
        let centre = projection.project(choice.site.position)
        let grid = projection.gridHeading(fromTrue: choice.heading, at: choice.site.position)
        let fov = min(option.fieldOfView, 360)
        let steps = max(2, Int(fov / 10))
        var points = fov >= 360 ? [] : [centre]
        for k in 0...steps {
            let bearing = (grid - fov / 2 + fov * Double(k) / Double(steps)) * .pi / 180
            points.append(PlanePoint(x: centre.x + option.range * sin(bearing), y: centre.y + option.range * cos(bearing)))
        }
        points.append(points[0])
        return points.map { let c = projection.unproject($0); return [c.longitude, c.latitude] }
    }

    /// A name as a CSV field: quoted when it must be, and with a leading `'` when it starts with `=`, `+`, `-`, `@`, a
    /// tab or a carriage return, so a spreadsheet shows it as text instead of running it as a formula (the same rule as
    /// the registry's CSV; names are never plain numbers here, so none is exempt).
    static func quoted(_ raw: String) -> String {
        let field = raw.first.map { "=+-@\t\r".contains($0) } == true ? "'" + raw : raw
        return field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    static func serialise(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
