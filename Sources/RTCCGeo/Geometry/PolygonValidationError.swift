import Foundation

/// Why a polygon was refused; each case names the ring (0 is the outer ring, 1… the holes) and vertex (0-based, in the
/// order given) at fault, so the file can be fixed.
public enum PolygonValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The polygon has no rings, or its outer ring has no points.
    case empty
    /// A ring has fewer than three distinct points.
    case tooFewPoints(ring: Int, distinctPoints: Int)
    /// A vertex has a latitude or longitude that is NaN or infinite.
    case nonFinite(ring: Int, vertex: Int)
    /// A vertex's latitude is outside −90…90.
    case latitudeOutOfRange(ring: Int, vertex: Int, latitude: Double)
    /// A vertex's longitude is outside −180…180.
    case longitudeOutOfRange(ring: Int, vertex: Int, longitude: Double)
    /// Two edges cross or overlap: edge `edge` of ring `ring` (from vertex `edge` to the next) meets edge `otherEdge` of
    /// ring `otherRing`.
    case selfIntersecting(ring: Int, edge: Int, otherRing: Int, otherEdge: Int)

    /// A message naming the problem and where it is.
    public var description: String {
        switch self {
        case .empty: "the polygon is empty: give an outer ring of at least three points"
        case .tooFewPoints(let ring, let count):
            "ring \(ring) has \(count) distinct point\(count == 1 ? "" : "s"): a ring needs at least three distinct points"
        case .nonFinite(let ring, let vertex): "ring \(ring) vertex \(vertex) is not a finite number: give decimal degrees"
        case .latitudeOutOfRange(let ring, let vertex, let latitude):
            "ring \(ring) vertex \(vertex) has latitude \(latitude), outside -90…90 (are latitude and longitude swapped?)"
        case .longitudeOutOfRange(let ring, let vertex, let longitude):
            "ring \(ring) vertex \(vertex) has longitude \(longitude), outside -180…180"
        case .selfIntersecting(let ring, let edge, let otherRing, let otherEdge):
            ring == otherRing
                ? "ring \(ring) intersects itself: edge \(edge) crosses edge \(otherEdge); reorder or remove the vertices"
                : "ring \(ring) edge \(edge) crosses ring \(otherRing) edge \(otherEdge): holes must lie inside the outer ring without touching it"
        }
    }
}
