import Foundation

/// A validated polygon in latitude/longitude: an outer ring and optional holes, none crossing itself or another.
///
/// Rings may be given closed (GeoJSON repeats the first point at the end) or open, and repeated consecutive points are
/// dropped. Only a value that passed every check exists.
public struct GeoPolygon: Sendable, Hashable {
    /// The rings, outer first, each open (the first point is not repeated) and without repeated consecutive points.
    public let rings: [[Coordinate]]

    /// Validates `rings` (outer first) and builds the polygon.
    public init(rings: [[Coordinate]]) throws(PolygonValidationError) {
        guard let outer = rings.first, !outer.isEmpty else { throw .empty }
        var cleaned: [[Coordinate]] = []
        for (ringIndex, ring) in rings.enumerated() {
            for (vertex, point) in ring.enumerated() {
                guard point.latitude.isFinite, point.longitude.isFinite else { throw .nonFinite(ring: ringIndex, vertex: vertex) }
                guard abs(point.latitude) <= 90 else { throw .latitudeOutOfRange(ring: ringIndex, vertex: vertex, latitude: point.latitude) }
                guard abs(point.longitude) <= 180 else {
                    throw .longitudeOutOfRange(ring: ringIndex, vertex: vertex, longitude: point.longitude)
                }
            }
            var open: [Coordinate] = []
            for point in ring where open.last != point { open.append(point) }
            while open.count > 1, open.first == open.last { open.removeLast() }
            let distinct = Set(open).count
            guard distinct >= 3 else { throw .tooFewPoints(ring: ringIndex, distinctPoints: distinct) }
            cleaned.append(open)
        }
        if let crossing = RingIntersections.first(in: cleaned.map { $0.map { PlanePoint(x: $0.longitude, y: $0.latitude) } }) {
            throw .selfIntersecting(ring: crossing.ring, edge: crossing.edge, otherRing: crossing.otherRing, otherEdge: crossing.otherEdge)
        }
        self.rings = cleaned
    }

    /// The outer ring.
    public var outer: [Coordinate] { rings[0] }

    /// The polygon in `projection`'s plane.
    public func projected(_ projection: LocalProjection) -> PlanePolygon {
        PlanePolygon(rings: rings.map { $0.map(projection.project) })
    }
}
