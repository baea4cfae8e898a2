import Foundation

/// Krüger's series for the transverse Mercator projection with unit scale on the central meridian (Karney 2011, eqs.
/// 7–11 and 35–36, to fourth order in the third flattening n). Angles in radians, lengths in metres.
struct KrugerSeries: Sendable, Hashable {
    let rectifyingRadius: Double
    let alpha: [Double]
    let beta: [Double]
    let delta: [Double]
    let eccentricityTerm: Double

    init(ellipsoid: Ellipsoid) {
        let f = ellipsoid.flattening
        let n = f / (2 - f)
        let n2 = n * n, n3 = n2 * n, n4 = n3 * n
        rectifyingRadius = ellipsoid.semiMajorAxis / (1 + n) * (1 + n2 / 4 + n4 / 64)
        alpha = [
            n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180,
            13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440,
            61 * n3 / 240 - 103 * n4 / 140,
            49561 * n4 / 161_280,
        ]
        beta = [
            n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360,
            n2 / 48 + n3 / 15 - 437 * n4 / 1440,
            17 * n3 / 480 - 37 * n4 / 840,
            4397 * n4 / 161_280,
        ]
        delta = [
            2 * n - 2 * n2 / 3 - 2 * n3 + 116 * n4 / 45,
            7 * n2 / 3 - 8 * n3 / 5 - 227 * n4 / 45,
            56 * n3 / 15 - 136 * n4 / 35,
            4279 * n4 / 630,
        ]
        eccentricityTerm = 2 * n.squareRoot() / (1 + n)
    }

    /// Easting and northing (from the equator) of a latitude and a longitude offset from the central meridian.
    func forward(latitude phi: Double, longitudeOffset lambda: Double) -> PlanePoint {
        let sinPhi = sin(phi)
        let t = sinh(atanh(sinPhi) - eccentricityTerm * atanh(eccentricityTerm * sinPhi))
        let xiPrime = atan2(t, cos(lambda))
        let etaPrime = atanh(sin(lambda) / (1 + t * t).squareRoot())
        var x = etaPrime, y = xiPrime
        for j in 0..<4 {
            let k = Double(2 * (j + 1))
            x += alpha[j] * cos(k * xiPrime) * sinh(k * etaPrime)
            y += alpha[j] * sin(k * xiPrime) * cosh(k * etaPrime)
        }
        return PlanePoint(x: rectifyingRadius * x, y: rectifyingRadius * y)
    }

    /// Latitude and longitude offset (radians) of an easting and a northing from the equator.
    func inverse(_ point: PlanePoint) -> (latitude: Double, longitudeOffset: Double) {
        let xi = point.y / rectifyingRadius
        let eta = point.x / rectifyingRadius
        var xiPrime = xi, etaPrime = eta
        for j in 0..<4 {
            let k = Double(2 * (j + 1))
            xiPrime -= beta[j] * sin(k * xi) * cosh(k * eta)
            etaPrime -= beta[j] * cos(k * xi) * sinh(k * eta)
        }
        let chi = asin(sin(xiPrime) / cosh(etaPrime))
        var latitude = chi
        for j in 0..<4 { latitude += delta[j] * sin(Double(2 * (j + 1)) * chi) }
        return (latitude, atan2(sinh(etaPrime), cos(xiPrime)))
    }
}
