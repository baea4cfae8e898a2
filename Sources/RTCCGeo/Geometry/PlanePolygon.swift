import Foundation

/// A polygon in a ``LocalProjection``'s plane: an outer ring and holes, open rings (the first point not repeated).
///
/// Build it from a validated ``GeoPolygon`` (``GeoPolygon/projected(_:)``); its own initialiser trusts its input.
public struct PlanePolygon: Sendable, Hashable {
    /// The rings, outer first.
    public let rings: [[PlanePoint]]
    /// The box around the outer ring.
    public let boundingBox: PlaneBox

    /// Creates a polygon from rings already checked (outer first, each of three or more points).
    public init(rings: [[PlanePoint]]) {
        self.rings = rings
        boundingBox = PlaneBox(enclosing: rings.first ?? []) ?? PlaneBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
    }

    /// Whether `point` is inside (even–odd over all rings; a point on an edge may fall either way).
    public func contains(_ point: PlanePoint) -> Bool {
        guard point.x >= boundingBox.minX, point.x <= boundingBox.maxX, point.y >= boundingBox.minY, point.y <= boundingBox.maxY else {
            return false
        }
        var inside = false
        for ring in rings {
            var j = ring.count - 1
            for i in ring.indices {
                let a = ring[i], b = ring[j]
                if (a.y > point.y) != (b.y > point.y) {
                    let x = a.x + (point.y - a.y) * (b.x - a.x) / (b.y - a.y)
                    if point.x < x { inside.toggle() }
                }
                j = i
            }
        }
        return inside
    }

    /// Whether `point` is inside and farther than `tolerance` metres from every edge.
    public func containsInInterior(_ point: PlanePoint, tolerance: Double = 1e-6) -> Bool {
        guard contains(point) else { return false }
        for ring in rings {
            for i in ring.indices where PlanePolygon.distance(from: point, toSegment: ring[i], ring[(i + 1) % ring.count]) <= tolerance {
                return false
            }
        }
        return true
    }

    /// The x where each edge crosses the horizontal line at `y`, sorted (for scan-line filling).
    func crossings(atY y: Double) -> [Double] {
        var xs: [Double] = []
        for ring in rings {
            var j = ring.count - 1
            for i in ring.indices {
                let a = ring[i], b = ring[j]
                if (a.y > y) != (b.y > y) { xs.append(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)) }
                j = i
            }
        }
        return xs.sorted()
    }

    /// Shortest distance from `p` to segment ab.
    static func distance(from p: PlanePoint, toSegment a: PlanePoint, _ b: PlanePoint) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let length = dx * dx + dy * dy
        let t = length == 0 ? 0 : max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length))
        return PlanePoint(x: a.x + t * dx, y: a.y + t * dy).distance(to: p)
    }
}
