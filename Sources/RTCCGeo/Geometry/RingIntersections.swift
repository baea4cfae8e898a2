import Foundation

/// Finds edges of polygon rings that cross, touch or overlap (adjacent edges of one ring may share their vertex).
enum RingIntersections {
    struct Crossing: Equatable {
        var ring: Int
        var edge: Int
        var otherRing: Int
        var otherEdge: Int
        var key: [Int] { [ring, edge, otherRing, otherEdge] }
    }

    /// The first pair of meeting edges, scanning edges sorted by their west edge so only overlapping spans are tested.
    static func first(in rings: [[PlanePoint]]) -> Crossing? {
        struct Edge {
            var ring: Int
            var index: Int
            var a: PlanePoint
            var b: PlanePoint
            var minX: Double { min(a.x, b.x) }
            var maxX: Double { max(a.x, b.x) }
        }
        var edges: [Edge] = []
        for (r, ring) in rings.enumerated() {
            for i in ring.indices { edges.append(Edge(ring: r, index: i, a: ring[i], b: ring[(i + 1) % ring.count])) }
        }
        edges.sort { $0.minX < $1.minX }
        var found: Crossing?
        for i in edges.indices {
            let e = edges[i]
            var j = i + 1
            while j < edges.count, edges[j].minX <= e.maxX {
                let f = edges[j]
                j += 1
                guard max(min(e.a.y, e.b.y), min(f.a.y, f.b.y)) <= min(max(e.a.y, e.b.y), max(f.a.y, f.b.y)) else { continue }
                let adjacent: Bool
                if e.ring == f.ring {
                    let n = rings[e.ring].count
                    adjacent = (e.index + 1) % n == f.index || (f.index + 1) % n == e.index
                } else {
                    adjacent = false
                }
                let meets = adjacent ? overlapsBeyondSharedVertex(e.a, e.b, f.a, f.b) : segmentsMeet(e.a, e.b, f.a, f.b)
                if meets {
                    let pair = e.ring < f.ring || (e.ring == f.ring && e.index < f.index)
                        ? Crossing(ring: e.ring, edge: e.index, otherRing: f.ring, otherEdge: f.index)
                        : Crossing(ring: f.ring, edge: f.index, otherRing: e.ring, otherEdge: e.index)
                    if let current = found, !pair.key.lexicographicallyPrecedes(current.key) { continue }
                    found = pair
                }
            }
        }
        return found
    }

    static func orientation(_ a: PlanePoint, _ b: PlanePoint, _ c: PlanePoint) -> Double {
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
    }

    static func onSegment(_ a: PlanePoint, _ b: PlanePoint, _ p: PlanePoint) -> Bool {
        min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
    }

    /// Whether segments ab and cd share any point.
    static func segmentsMeet(_ a: PlanePoint, _ b: PlanePoint, _ c: PlanePoint, _ d: PlanePoint) -> Bool {
        let o1 = orientation(a, b, c), o2 = orientation(a, b, d), o3 = orientation(c, d, a), o4 = orientation(c, d, b)
        if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) { return true }
        if o1 == 0 && onSegment(a, b, c) { return true }
        if o2 == 0 && onSegment(a, b, d) { return true }
        if o3 == 0 && onSegment(c, d, a) { return true }
        if o4 == 0 && onSegment(c, d, b) { return true }
        return false
    }

    /// For two edges sharing a vertex: whether they also share more than that vertex (they fold back over each other).
    static func overlapsBeyondSharedVertex(_ a: PlanePoint, _ b: PlanePoint, _ c: PlanePoint, _ d: PlanePoint) -> Bool {
        let shared: PlanePoint, p: PlanePoint, q: PlanePoint
        if a == c { (shared, p, q) = (a, b, d) } else if a == d { (shared, p, q) = (a, b, c) } else if b == c {
            (shared, p, q) = (b, a, d)
        } else if b == d { (shared, p, q) = (b, a, c) } else { return segmentsMeet(a, b, c, d) }
        guard orientation(shared, p, q) == 0 else { return false }
        // Collinear: they overlap when both run the same way from the shared vertex.
        return (p.x - shared.x) * (q.x - shared.x) + (p.y - shared.y) * (q.y - shared.y) > 0
    }
}
