import Foundation

/// Finds where differently named street centrelines cross or meet (TIGER/Line and city centrelines share a vertex at
/// each intersection; hand-drawn lines may cross between vertices). Segments are bucketed in a 100 m grid, so only
/// segments in the same cell are compared.
enum StreetCrossings {
    /// Every crossing of two different street names, once per pair and place (points within 60 m merged).
    static func find(_ lines: [StreetLine]) -> [StreetIntersection] {
        let all = lines.flatMap { $0.parts.flatMap { $0 } }
        guard !all.isEmpty else { return [] }
        let origin = Coordinate(
            latitude: all.map(\.latitude).reduce(0, +) / Double(all.count), longitude: all.map(\.longitude).reduce(0, +) / Double(all.count))
        let projection = LocalProjection(origin: origin)
        var segments: [(street: Int, key: String, a: PlanePoint, b: PlanePoint)] = []
        for (index, line) in lines.enumerated() {
            let key = AddressNormalizer.normalize(line.name)
            guard !key.isEmpty else { continue }
            for part in line.parts {
                let plane = part.map(projection.project)
                for (a, b) in zip(plane, plane.dropFirst()) { segments.append((index, key, a, b)) }
            }
        }
        let tolerance = 1.0
        let grid = GridBuckets(
            boxes: segments.map {
                PlaneBox(
                    minX: min($0.a.x, $0.b.x) - tolerance, minY: min($0.a.y, $0.b.y) - tolerance, maxX: max($0.a.x, $0.b.x) + tolerance,
                    maxY: max($0.a.y, $0.b.y) + tolerance)
            }, cellSize: 100)
        var found: [String: [PlanePoint]] = [:]
        var result: [StreetIntersection] = []
        for cell in 0..<(grid.columns * grid.rows) {
            let items = grid.items[Int(grid.starts[cell])..<Int(grid.starts[cell + 1])]
            guard items.count > 1 else { continue }
            for i in items {
                for j in items where j > i {
                    let (s, t) = (segments[Int(i)], segments[Int(j)])
                    guard s.key != t.key, let point = crossing(s.a, s.b, t.a, t.b, tolerance: tolerance) else { continue }
                    let pair = s.key < t.key ? "\(s.key)|\(t.key)" : "\(t.key)|\(s.key)"
                    if found[pair, default: []].contains(where: { hypot($0.x - point.x, $0.y - point.y) < 60 }) { continue }
                    found[pair, default: []].append(point)
                    result.append(StreetIntersection(first: lines[s.street].name, second: lines[t.street].name, coordinate: projection.unproject(point)))
                }
            }
        }
        return result
    }

    /// Where segments ab and cd cross or touch (an end within `tolerance` metres of the other segment).
    static func crossing(_ a: PlanePoint, _ b: PlanePoint, _ c: PlanePoint, _ d: PlanePoint, tolerance: Double) -> PlanePoint? {
        let r = (x: b.x - a.x, y: b.y - a.y), s = (x: d.x - c.x, y: d.y - c.y)
        let denominator = r.x * s.y - r.y * s.x
        if abs(denominator) > 1e-9 {
            let t = ((c.x - a.x) * s.y - (c.y - a.y) * s.x) / denominator
            let u = ((c.x - a.x) * r.y - (c.y - a.y) * r.x) / denominator
            if t >= 0, t <= 1, u >= 0, u <= 1 { return PlanePoint(x: a.x + t * r.x, y: a.y + t * r.y) }
        }
        // Not crossing inside both: an end touching the other segment (a T junction drawn a little short).
        for (point, p, q) in [(a, c, d), (b, c, d), (c, a, b), (d, a, b)] where distance(point, p, q) <= tolerance { return point }
        return nil
    }

    static func distance(_ point: PlanePoint, _ p: PlanePoint, _ q: PlanePoint) -> Double {
        let dx = q.x - p.x, dy = q.y - p.y
        let length = dx * dx + dy * dy
        let t = length > 0 ? max(0, min(1, ((point.x - p.x) * dx + (point.y - p.y) * dy) / length)) : 0
        return hypot(point.x - (p.x + t * dx), point.y - (p.y + t * dy))
    }
}
