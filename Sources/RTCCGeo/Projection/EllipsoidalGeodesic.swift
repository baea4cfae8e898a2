import Foundation

/// Geodesic distance on an ellipsoid by Vincenty's inverse method (sub-millimetre at city and regional scale).
///
/// ``Geodesy`` works on a sphere and is off by up to ~0.5 %; use this where metres matter, for instance to check a
/// projection or to report a distance in evidence.
public struct EllipsoidalGeodesic: Sendable, Hashable {
    /// The ellipsoid the geodesic runs on.
    public var ellipsoid: Ellipsoid

    /// Creates a geodesic calculator on `ellipsoid` (WGS84 unless told).
    public init(ellipsoid: Ellipsoid = .wgs84) {
        self.ellipsoid = ellipsoid
    }

    /// The shortest distance from `a` to `b` along the ellipsoid, metres.
    ///
    /// Nil only for nearly antipodal points, where the iteration does not converge; no two points of one city are.
    public func distance(_ a: Coordinate, _ b: Coordinate) -> Double? {
        let f = ellipsoid.flattening
        let semiMajor = ellipsoid.semiMajorAxis
        let semiMinor = ellipsoid.semiMinorAxis
        let radians = Double.pi / 180
        let reducedA = atan((1 - f) * tan(a.latitude * radians))
        let reducedB = atan((1 - f) * tan(b.latitude * radians))
        let longitudeDifference = (b.longitude - a.longitude) * radians
        let sinA = sin(reducedA), cosA = cos(reducedA), sinB = sin(reducedB), cosB = cos(reducedB)
        var lambda = longitudeDifference
        for _ in 0..<200 {
            let sinLambda = sin(lambda), cosLambda = cos(lambda)
            let sinSigma = ((cosB * sinLambda) * (cosB * sinLambda)
                + (cosA * sinB - sinA * cosB * cosLambda) * (cosA * sinB - sinA * cosB * cosLambda)).squareRoot()
            if sinSigma == 0 { return 0 }
            let cosSigma = sinA * sinB + cosA * cosB * cosLambda
            let sigma = atan2(sinSigma, cosSigma)
            let sinAlpha = cosA * cosB * sinLambda / sinSigma
            let cos2Alpha = 1 - sinAlpha * sinAlpha
            let cos2SigmaM = cos2Alpha == 0 ? 0 : cosSigma - 2 * sinA * sinB / cos2Alpha
            let c = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            let previous = lambda
            lambda = longitudeDifference + (1 - c) * f * sinAlpha
                * (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
            if abs(lambda - previous) < 1e-13 {
                let u2 = cos2Alpha * (semiMajor * semiMajor - semiMinor * semiMinor) / (semiMinor * semiMinor)
                let bigA = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
                let bigB = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
                let deltaSigma = bigB * sinSigma
                    * (cos2SigmaM + bigB / 4
                        * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
                            - bigB / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
                return semiMinor * bigA * (sigma - deltaSigma)
            }
        }
        return nil
    }
}
