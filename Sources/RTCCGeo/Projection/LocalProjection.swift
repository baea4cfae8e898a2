import Foundation

/// A local metric plane around an origin: metres east (`x`) and north (`y`), the origin at (0, 0).
///
/// It is a transverse Mercator projection of the WGS84 ellipsoid whose central meridian runs through the origin, with
/// scale 1 on that meridian, evaluated with Krüger's series to fourth order in the third flattening (Karney 2011). The
/// series is accurate to well under a millimetre; the projection's own scale error grows with the square of the
/// distance east or west of the origin (1 + x²/2R²), so a plane distance differs from the ellipsoidal geodesic by about
/// 3 cm at 20 km. All planar geometry in RTCCGeo (views, buildings, rasters, plans) works in one such plane.
///
/// Plane north is grid north: it turns away from true north by the meridian convergence, about 0.1° per 10 km east at
/// mid latitudes. ``gridHeading(fromTrue:at:)`` converts a compass heading at a point into the plane.
public struct LocalProjection: Sendable, Hashable {
    /// The point mapped to (0, 0).
    public let origin: Coordinate
    /// The ellipsoid projected.
    public let ellipsoid: Ellipsoid

    private let series: KrugerSeries
    private let originNorthing: Double

    /// Creates a plane centred on `origin`.
    public init(origin: Coordinate, ellipsoid: Ellipsoid = .wgs84) {
        self.origin = origin
        self.ellipsoid = ellipsoid
        series = KrugerSeries(ellipsoid: ellipsoid)
        originNorthing = series.forward(latitude: origin.latitude * .pi / 180, longitudeOffset: 0).y
    }

    /// The plane position of `coordinate`.
    public func project(_ coordinate: Coordinate) -> PlanePoint {
        let p = series.forward(latitude: coordinate.latitude * .pi / 180, longitudeOffset: (coordinate.longitude - origin.longitude) * .pi / 180)
        return PlanePoint(x: p.x, y: p.y - originNorthing)
    }

    /// The coordinate at plane position `point` (the inverse of ``project(_:)``).
    public func unproject(_ point: PlanePoint) -> Coordinate {
        let (latitude, longitudeOffset) = series.inverse(PlanePoint(x: point.x, y: point.y + originNorthing))
        return Coordinate(latitude: latitude * 180 / .pi, longitude: origin.longitude + longitudeOffset * 180 / .pi)
    }

    /// The plane heading (degrees clockwise from grid north, 0..<360) of a compass heading taken at `coordinate`.
    public func gridHeading(fromTrue heading: Double, at coordinate: Coordinate) -> Double {
        let convergence = meridianConvergence(at: coordinate)
        let grid = (heading - convergence).truncatingRemainder(dividingBy: 360)
        return grid < 0 ? grid + 360 : grid
    }

    /// The angle from grid north to true north at `coordinate`, degrees (positive east of the origin in the north).
    public func meridianConvergence(at coordinate: Coordinate) -> Double {
        let lambda = (coordinate.longitude - origin.longitude) * .pi / 180
        let phi = coordinate.latitude * .pi / 180
        return atan(tan(lambda) * sin(phi)) * 180 / .pi
    }
}
