import Foundation

/// Building footprints in the plane with a uniform grid over them, answering whether a line of sight is blocked.
///
/// Footprints are flat: RTCCGeo has no building heights, so a sight line that passes through a footprint's interior is
/// blocked whatever the camera's mount height. Running along a wall or touching a corner does not block.
///
/// **Cameras on facades.** A camera is usually mounted on a wall, and its surveyed position may sit on the footprint's
/// edge or a little inside it. The first ``facadeTolerance`` metres of every sight line are therefore ignored, so a
/// camera within that distance of its own building's edge is not blocked by that building when it looks away from it;
/// looking across or into the building still is.
public struct BuildingIndex: Sendable {
    /// The footprints, in the order given.
    public let footprints: [PlanePolygon]
    /// Metres at the camera end of a sight line that are never blocked.
    public let facadeTolerance: Double
    let grid: GridBuckets

    /// Indexes `footprints` (plane polygons) in a grid of `cellSize`-metre cells.
    public init(footprints: [PlanePolygon], cellSize: Double = 50, facadeTolerance: Double = 1.0) {
        self.footprints = footprints
        self.facadeTolerance = facadeTolerance
        grid = GridBuckets(boxes: footprints.map(\.boundingBox), cellSize: cellSize)
    }

    /// Whether the sight line from `camera` to `target` passes through the interior of any footprint.
    public func blocks(from camera: PlanePoint, to target: PlanePoint) -> Bool {
        let dx = target.x - camera.x, dy = target.y - camera.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > facadeTolerance else { return false }
        let start = PlanePoint(x: camera.x + dx / length * facadeTolerance, y: camera.y + dy / length * facadeTolerance)
        let box = PlaneBox(minX: min(start.x, target.x), minY: min(start.y, target.y), maxX: max(start.x, target.x), maxY: max(start.y, target.y))
        var blocked = false
        grid.forEachItem(intersecting: box) { index in
            if !blocked, footprints[index].boundingBox.intersects(box), SightLine.crossesInterior(start, target, footprints[index]) {
                blocked = true
            }
            return !blocked
        }
        return blocked
    }

    /// Distance from `camera` to the first footprint edge in each of `bins` equal angular bins (bin i is centred on grid
    /// bearing (i + ½)·360°/bins), out to `range`; edges passing within ``facadeTolerance`` of the camera are ignored.
    ///
    /// A raster uses this as a depth buffer: a cell is seen when it is nearer than its bin's distance. It approximates
    /// ``blocks(from:to:)`` to the bin width.
    public func horizon(from camera: PlanePoint, range: Double, bins: Int) -> [Double] {
        var depth = [Double](repeating: .infinity, count: bins)
        let box = PlaneBox(minX: camera.x - range, minY: camera.y - range, maxX: camera.x + range, maxY: camera.y + range)
        let binWidth = 2 * Double.pi / Double(bins)
        grid.forEachItem(intersecting: box) { index in
            let footprint = footprints[index]
            guard footprint.boundingBox.intersects(box) else { return true }
            for ring in footprint.rings {
                for i in ring.indices {
                    let a = ring[i], b = ring[(i + 1) % ring.count]
                    guard PlanePolygon.distance(from: camera, toSegment: a, b) > facadeTolerance else { continue }
                    var from = atan2(a.x - camera.x, a.y - camera.y), to = atan2(b.x - camera.x, b.y - camera.y)
                    if from > to { swap(&from, &to) }
                    // The segment does not contain the camera, so it spans less than half a turn; take the short way.
                    let spans: [(Double, Double)] = to - from <= .pi ? [(from, to)] : [(to, .pi), (-.pi, from)]
                    for (lower, upper) in spans {
                        let first = Int(((lower < 0 ? lower + 2 * .pi : lower) / binWidth).rounded(.down))
                        let count = Int(((upper - lower) / binWidth).rounded(.up)) + 1
                        for k in 0...count {
                            let bin = (first + k) % bins
                            let bearing = (Double(bin) + 0.5) * binWidth
                            let t = SightLine.rayDistance(from: camera, bearing: bearing, to: a, b)
                            if t < depth[bin] { depth[bin] = t }
                        }
                    }
                }
            }
            return true
        }
        return depth
    }
}

/// Segment tests behind ``BuildingIndex``.
enum SightLine {
    /// Whether segment ab has any stretch strictly inside `polygon`: the segment is cut where it meets the polygon's
    /// edges, and each piece's midpoint is tested against the interior.
    static func crossesInterior(_ a: PlanePoint, _ b: PlanePoint, _ polygon: PlanePolygon) -> Bool {
        var cuts: [Double] = [0, 1]
        let dx = b.x - a.x, dy = b.y - a.y
        for ring in polygon.rings {
            for i in ring.indices {
                let p = ring[i], q = ring[(i + 1) % ring.count]
                let ex = q.x - p.x, ey = q.y - p.y
                let denominator = dx * ey - dy * ex
                if abs(denominator) > 1e-12 {
                    let t = ((p.x - a.x) * ey - (p.y - a.y) * ex) / denominator
                    let u = ((p.x - a.x) * dy - (p.y - a.y) * dx) / denominator
                    if t > 0, t < 1, u >= -1e-9, u <= 1 + 1e-9 { cuts.append(t) }
                } else {
                    // Parallel: where the edge's ends project onto ab (a collinear overlap starts or ends there).
                    let lengthSquared = dx * dx + dy * dy
                    for end in [p, q] {
                        let t = ((end.x - a.x) * dx + (end.y - a.y) * dy) / lengthSquared
                        if t > 0, t < 1 { cuts.append(t) }
                    }
                }
            }
        }
        cuts.sort()
        for k in 1..<cuts.count where cuts[k] - cuts[k - 1] > 1e-9 {
            let t = (cuts[k] + cuts[k - 1]) / 2
            if polygon.containsInInterior(PlanePoint(x: a.x + t * dx, y: a.y + t * dy)) { return true }
        }
        return false
    }

    /// Distance along the ray from `origin` at grid `bearing` (radians, clockwise from north) to segment ab, or
    /// infinity when it misses.
    static func rayDistance(from origin: PlanePoint, bearing: Double, to a: PlanePoint, _ b: PlanePoint) -> Double {
        let dx = sin(bearing), dy = cos(bearing)
        let ex = b.x - a.x, ey = b.y - a.y
        let denominator = dx * ey - dy * ex
        guard abs(denominator) > 1e-12 else { return .infinity }
        let t = ((a.x - origin.x) * ey - (a.y - origin.y) * ex) / denominator
        let u = ((a.x - origin.x) * dy - (a.y - origin.y) * dx) / denominator
        return t > 0 && u >= 0 && u <= 1 ? t : .infinity
    }
}
