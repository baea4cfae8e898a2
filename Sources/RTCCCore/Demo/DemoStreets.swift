import Foundation

/// Downtown Shreveport's main streets as straight approximate centrelines drawn through the corners the demo's city
/// cameras are named after, short crossing streets at the demo's other corners, and address points every 20 m on
/// both sides (odd numbers on the left going from the street's first point, even on the right, a new hundred each
/// 150 m).
public enum DemoStreets {
    /// One street: its name and polyline.
    public struct Street: Sendable {
        /// "Texas St".
        public var name: String
        /// Its centreline.
        public var points: [GeoPoint]
    }

    /// One generated address point.
    public struct Address: Sendable {
        /// House number.
        public var number: Int
        /// Street name.
        public var street: String
        /// Where it is.
        public var location: GeoPoint
    }

    /// Along Texas St from the river (north-east) to the south-west, per block: about 150 m.
    static let block = (lat: -0.0005, lon: -0.0012)
    /// Across Texas St, one block to the north-west.
    static let across = (lat: 0.0012, lon: -0.0008)

    static func point(_ base: GeoPoint, along: Double = 0, across k: Double = 0) -> GeoPoint {
        GeoPoint(latitude: base.latitude + along * block.lat + k * across.lat, longitude: base.longitude + along * block.lon + k * across.lon)
    }

    /// The corners of Texas St the demo names (north-east to south-west).
    static let texas: [GeoPoint] = [
        GeoPoint(latitude: 32.5139, longitude: -93.7431), GeoPoint(latitude: 32.5126, longitude: -93.7455), GeoPoint(latitude: 32.5115, longitude: -93.7488),
        GeoPoint(latitude: 32.5104, longitude: -93.7517), GeoPoint(latitude: 32.5095, longitude: -93.7538), GeoPoint(latitude: 32.5085, longitude: -93.7558),
    ]

    /// A street parallel to `line` (north-east to south-west), `northEast` blocks across it before `corner` and
    /// `southWest` blocks after, passing through `corner`.
    static func bent(_ line: [GeoPoint], through corner: GeoPoint, northEast: Double, southWest: Double) -> [GeoPoint] {
        line.map { point($0, across: northEast) }.filter { $0.longitude > corner.longitude } + [corner]
            + line.map { point($0, across: southWest) }.filter { $0.longitude < corner.longitude }
    }

    /// Every street.
    public static let streets: [Street] = {
        let texasLine = [point(texas[0], along: -1.2)] + texas + [point(texas[texas.count - 1], along: 1.2)]
        var streets: [Street] = [Street(name: "Texas St", points: texasLine)]
        // Streets parallel to Texas St, by blocks to the north-west (positive) or south-east (negative).
        for (name, k) in [("Travis St", 1.0), ("Fannin St", -1.9)] {
            streets.append(Street(name: name, points: texasLine.map { point($0, across: k) }))
        }
        // Milam St and Crockett St bend through their corners with Edwards St, where the demo's cameras stand.
        let milamEdwards = GeoPoint(latitude: 32.5117, longitude: -93.7466), crockettEdwards = GeoPoint(latitude: 32.5138, longitude: -93.7476)
        streets.append(Street(name: "Milam St", points: bent(texasLine, through: milamEdwards, northEast: -0.364, southWest: -0.92)))
        streets.append(Street(name: "Crockett St", points: bent(texasLine, through: crockettEdwards, northEast: 1.295, southWest: 2.0)))
        // Cross streets through their corner on Texas St, three blocks each way.
        let crossings: [(String, GeoPoint)] = [
            ("Commerce St", texas[0]), ("Spring St", texas[1]), ("Market St", texas[2]), ("Marshall St", GeoPoint(latitude: 32.51095, longitude: -93.75025)), ("Louisiana Ave", texas[3]),
            ("Common St", texas[4]), ("McNeil St", texas[5]), ("Clyde Fant Pkwy", point(texas[0], along: -1)),
        ]
        for (name, anchor) in crossings {
            streets.append(Street(name: name, points: [point(anchor, across: -3), point(anchor, across: 3)]))
        }
        let edwards = (lat: crockettEdwards.latitude - milamEdwards.latitude, lon: crockettEdwards.longitude - milamEdwards.longitude)
        streets.append(Street(name: "Edwards St", points: [
            GeoPoint(latitude: milamEdwards.latitude - 1.2 * edwards.lat, longitude: milamEdwards.longitude - 1.2 * edwards.lon),
            GeoPoint(latitude: crockettEdwards.latitude + 1.2 * edwards.lat, longitude: crockettEdwards.longitude + 1.2 * edwards.lon),
        ]))
        // The demo's corners outside downtown: two short streets crossing at each.
        let corners: [(String, String, GeoPoint)] = [
            ("Line Ave", "Kings Hwy", GeoPoint(latitude: 32.4870, longitude: -93.7478)),
            ("Hudson Ave", "Greenwood Rd", GeoPoint(latitude: 32.4852, longitude: -93.7958)),
            ("Hollywood Ave", "Jewella Ave", GeoPoint(latitude: 32.4700, longitude: -93.8030)),
            ("Pierre Ave", "Murphy St", GeoPoint(latitude: 32.4935, longitude: -93.7688)),
        ]
        for (first, second, at) in corners {
            streets.append(Street(name: first, points: [GeoPoint(latitude: at.latitude + 0.004, longitude: at.longitude), GeoPoint(latitude: at.latitude - 0.004, longitude: at.longitude)]))
            streets.append(Street(name: second, points: [GeoPoint(latitude: at.latitude, longitude: at.longitude - 0.0045), GeoPoint(latitude: at.latitude, longitude: at.longitude + 0.0045)]))
        }
        return streets
    }()

    /// The demo partners' street addresses (``DemoCity``'s sites), placed where the partner is rather than where the
    /// numbering along the street would put them, so "401 Texas St" is the grocery whose cameras see it.
    static let partnerAddresses: [(number: Int, street: String, at: GeoPoint)] = [
        (401, "Texas St", GeoPoint(latitude: 32.5121, longitude: -93.7479)), (512, "Milam St", GeoPoint(latitude: 32.5110, longitude: -93.7502)),
        (620, "Crockett St", GeoPoint(latitude: 32.5135, longitude: -93.7510)), (1015, "Louisiana Ave", GeoPoint(latitude: 32.5068, longitude: -93.7544)),
        (300, "Spring St", GeoPoint(latitude: 32.5143, longitude: -93.7459)), (725, "Common St", GeoPoint(latitude: 32.5088, longitude: -93.7530)),
        (101, "Clyde Fant Pkwy", GeoPoint(latitude: 32.5152, longitude: -93.7435)),
    ]

    /// Address points along every street: every 20 m, 12 m either side of the centreline; a demo partner's address is
    /// where that partner is.
    public static func addresses() -> [Address] {
        var result: [Address] = []

        for street in streets {
            var walked = 0.0
            for (a, b) in zip(street.points, street.points.dropFirst()) {
                let north = (b.latitude - a.latitude) * 111_320, east = (b.longitude - a.longitude) * 111_320 * cos(a.latitude * .pi / 180)
                let length = (north * north + east * east).squareRoot()
                guard length > 1 else { continue }
                // Left of the direction of travel, in degrees per metre.
                let left = (lat: east / length / 111_320, lon: -north / length / (111_320 * cos(a.latitude * .pi / 180)))
                var along = (20 - walked.truncatingRemainder(dividingBy: 20)).truncatingRemainder(dividingBy: 20)
                while along < length {
                    let distance = walked + along
                    let base = 100 + Int(distance / 150) * 100, slot = Int(distance.truncatingRemainder(dividingBy: 150) / 20)
                    let t = along / length
                    let centre = GeoPoint(latitude: a.latitude + (b.latitude - a.latitude) * t, longitude: a.longitude + (b.longitude - a.longitude) * t)
                    for (side, number) in [(1.0, base + 1 + 4 * slot), (-1.0, base + 2 + 4 * slot)] {
                        result.append(Address(number: number, street: street.name, location: GeoPoint(
                            latitude: centre.latitude + side * 12 * left.lat, longitude: centre.longitude + side * 12 * left.lon)))
                    }
                    along += 20
                }
                walked += length
            }
        }
        for partner in partnerAddresses {
            result.removeAll { $0.number == partner.number && $0.street == partner.street }
            result.append(Address(number: partner.number, street: partner.street, location: partner.at))
        }
        return result
    }
}
