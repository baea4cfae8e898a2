import Foundation

/// A reference ellipsoid of revolution.
public struct Ellipsoid: Sendable, Hashable {
    /// Equatorial radius, metres.
    public var semiMajorAxis: Double
    /// Flattening, (a − b) / a.
    public var flattening: Double

    /// Creates an ellipsoid from its equatorial radius and flattening.
    public init(semiMajorAxis: Double, flattening: Double) {
        self.semiMajorAxis = semiMajorAxis
        self.flattening = flattening
    }

    /// The WGS84 ellipsoid used by GPS and by every coordinate RTCCGeo reads.
    public static let wgs84 = Ellipsoid(semiMajorAxis: 6_378_137, flattening: 1 / 298.257_223_563)

    /// Polar radius, metres.
    public var semiMinorAxis: Double { semiMajorAxis * (1 - flattening) }
}
