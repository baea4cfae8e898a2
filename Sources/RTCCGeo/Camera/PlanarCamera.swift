import Foundation

/// A ``CameraView`` placed in a ``LocalProjection``'s plane, ready for fast coverage tests.
///
/// **Edges count.** A point exactly on either edge of the field of view, or exactly at the range, is covered. Angles
/// are compared with a relative tolerance of 1e-9 (about a micrometre at a kilometre), so a point computed to lie on
/// the edge is not lost to rounding. A point at the camera's own position is covered.
public struct PlanarCamera: Sendable, Hashable {
    /// The view this was built from.
    public let view: CameraView
    /// The camera's position in the plane.
    public let position: PlanePoint
    /// The optical axis in the plane, degrees clockwise from grid north.
    public let gridHeading: Double
    let directionX: Double
    let directionY: Double
    let cosHalfFieldOfView: Double
    let rangeSquared: Double
    /// Squared DORI ground ranges, detect…identify; −1 where unknown.
    let doriRangeSquared: [Double]

    static let angularTolerance = 1e-9

    /// Places `view` in `projection`'s plane (its compass heading turned into a grid heading at its position).
    public init(_ view: CameraView, in projection: LocalProjection) {
        self.view = view
        position = projection.project(view.position)
        gridHeading = projection.gridHeading(fromTrue: view.heading, at: view.position)
        let radians = gridHeading * .pi / 180
        directionX = sin(radians)
        directionY = cos(radians)
        cosHalfFieldOfView = view.fieldOfView >= 360 ? -2 : cos(view.fieldOfView * .pi / 360)
        rangeSquared = view.range * view.range
        doriRangeSquared = DORILevel.allCases.map { level in view.doriRange(level).map { $0 * $0 } ?? -1 }
    }

    /// Ground distance and best DORI level at `point` when the camera covers it (ignoring buildings), else nil.
    public func coverage(of point: PlanePoint) -> (distance: Double, level: DORILevel?)? {
        let dx = point.x - position.x, dy = point.y - position.y
        let squared = dx * dx + dy * dy
        guard covers(dx: dx, dy: dy, squared: squared) else { return nil }
        return (squared.squareRoot(), level(atSquaredDistance: squared))
    }

    /// Whether the offset (dx, dy) from the camera, with squared length `squared`, lies in the sector.
    @inline(__always)
    func covers(dx: Double, dy: Double, squared: Double) -> Bool {
        guard squared <= rangeSquared * (1 + 1e-12) else { return false }
        if cosHalfFieldOfView <= -1 || squared == 0 { return true }
        let distance = squared.squareRoot()
        return dx * directionX + dy * directionY >= distance * (cosHalfFieldOfView - PlanarCamera.angularTolerance)
    }

    /// The best DORI level reached at a squared ground distance, or nil.
    @inline(__always)
    func level(atSquaredDistance squared: Double) -> DORILevel? {
        var best: DORILevel?
        for level in DORILevel.allCases where doriRangeSquared[level.rawValue] >= 0 && squared <= doriRangeSquared[level.rawValue] * (1 + 1e-12) {
            best = level
        }
        return best
    }

    /// The tightest box holding the sector.
    public var boundingBox: PlaneBox {
        let r = view.range
        if cosHalfFieldOfView <= -1 {
            return PlaneBox(minX: position.x - r, minY: position.y - r, maxX: position.x + r, maxY: position.y + r)
        }
        let half = view.fieldOfView / 2
        var points = [position]
        for bearing in [gridHeading - half, gridHeading + half] {
            let radians = bearing * .pi / 180
            points.append(PlanePoint(x: position.x + r * sin(radians), y: position.y + r * cos(radians)))
        }
        for (axis, dx, dy) in [(0.0, 0.0, 1.0), (90, 1, 0), (180, 0, -1), (270, -1, 0)]
        where Geodesy.angleBetween(axis, gridHeading) <= half {
            points.append(PlanePoint(x: position.x + r * dx, y: position.y + r * dy))
        }
        return PlaneBox(enclosing: points) ?? PlaneBox(minX: position.x, minY: position.y, maxX: position.x, maxY: position.y)
    }
}
