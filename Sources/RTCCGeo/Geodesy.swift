import Foundation

/// A position in decimal degrees (WGS84). Geo works on plain numbers and knows nothing of the domain or storage.
public struct Coordinate: Sendable, Hashable {
    /// Latitude, degrees.
    public var latitude: Double
    /// Longitude, degrees.
    public var longitude: Double

    /// Creates a coordinate.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// Distances and bearings on the WGS84 mean-radius sphere (accurate to ~0.5% at city scale).
public enum Geodesy {
    /// Mean Earth radius, metres.
    public static let earthRadius = 6_371_008.8

    /// Great-circle distance in metres.
    public static func distance(_ a: Coordinate, _ b: Coordinate) -> Double {
        let φ1 = a.latitude * .pi / 180, φ2 = b.latitude * .pi / 180
        let Δφ = φ2 - φ1, Δλ = (b.longitude - a.longitude) * .pi / 180
        let h = sin(Δφ / 2) * sin(Δφ / 2) + cos(φ1) * cos(φ2) * sin(Δλ / 2) * sin(Δλ / 2)
        return 2 * earthRadius * asin(min(1, sqrt(h)))
    }

    /// Initial bearing from `a` to `b`, degrees clockwise from north in 0..<360.
    public static func bearing(from a: Coordinate, to b: Coordinate) -> Double {
        let φ1 = a.latitude * .pi / 180, φ2 = b.latitude * .pi / 180
        let Δλ = (b.longitude - a.longitude) * .pi / 180
        let y = sin(Δλ) * cos(φ2)
        let x = cos(φ1) * sin(φ2) - sin(φ1) * cos(φ2) * cos(Δλ)
        let degrees = atan2(y, x) * 180 / .pi
        return (degrees + 360).truncatingRemainder(dividingBy: 360)
    }

    /// The smallest angle between two headings, degrees in 0...180.
    public static func angleBetween(_ a: Double, _ b: Double) -> Double {
        let d = abs(a - b).truncatingRemainder(dividingBy: 360)
        return d > 180 ? 360 - d : d
    }
}

/// A camera's horizontal view: a sector from its position along a heading, within a range.
public struct ViewSector: Sendable, Hashable {
    /// Camera position.
    public var origin: Coordinate
    /// Optical axis, degrees from north.
    public var heading: Double
    /// Horizontal field of view, degrees.
    public var fieldOfView: Double
    /// Range, metres.
    public var range: Double

    /// Creates a sector.
    public init(origin: Coordinate, heading: Double, fieldOfView: Double, range: Double) {
        self.origin = origin
        self.heading = heading
        self.fieldOfView = fieldOfView
        self.range = range
    }

    /// Whether `point` lies inside the sector (ignoring obstructions).
    public func contains(_ point: Coordinate) -> Bool {
        let distance = Geodesy.distance(origin, point)
        guard distance <= range else { return false }
        if distance < 0.5 || fieldOfView >= 360 { return true }
        return Geodesy.angleBetween(Geodesy.bearing(from: origin, to: point), heading) <= fieldOfView / 2
    }
}
