import Foundation

extension AddressIndex {
    /// The address point nearest `place` within `limit` metres: a grid search that widens a box around the place
    /// until the nearest point found is closer than the box's edge. With no address points, the nearest intersection.
    public func nearest(to place: Coordinate, within limit: Double = 1000) -> ReverseMatch? {
        guard !points.isEmpty else { return nearestIntersection(to: place, within: limit) }
        let centre = projection.project(place)
        var radius = 50.0
        while true {
            var best: (index: Int, squared: Double)?
            grid.forEachPoint(in: PlaneBox(minX: centre.x - radius, minY: centre.y - radius, maxX: centre.x + radius, maxY: centre.y + radius)) { index in
                let point = planePoints[index]
                let squared = (point.x - centre.x) * (point.x - centre.x) + (point.y - centre.y) * (point.y - centre.y)
                if squared < best?.squared ?? .infinity { best = (index, squared) }
            }
            if let best, best.squared.squareRoot() <= radius {
                let point = points[best.index]
                let distance = Geodesy.distance(place, point.coordinate)
                guard distance <= limit else { return nil }
                return ReverseMatch(label: point.label + (point.city.map { ", \($0)" } ?? ""), coordinate: point.coordinate, distance: distance, kind: .address)
            }
            if radius >= limit { return nil }
            radius = min(radius * 2, limit)
        }
    }

    private func nearestIntersection(to place: Coordinate, within limit: Double) -> ReverseMatch? {
        var best: ReverseMatch?
        for (key, places) in crossings {
            let a = Int(key >> 32), b = Int(key & 0xFFFF_FFFF)
            for coordinate in places {
                let distance = Geodesy.distance(place, coordinate)
                if distance <= limit, distance < best?.distance ?? .infinity {
                    best = ReverseMatch(label: "\(streets[a].name) & \(streets[b].name)", coordinate: coordinate, distance: distance, kind: .intersection)
                }
            }
        }
        return best
    }
}
