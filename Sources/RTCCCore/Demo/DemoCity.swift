import Foundation

/// A realistic demo of a mid-size US city's RTCC: Shreveport, Louisiana — downtown and the
/// State Fair of Louisiana fairgrounds — with city, partner and temporary event cameras,
/// partners with consent records, and a year of synthetic incident history.
public struct DemoCity: Sendable {
    /// A partner and the cameras it shares.
    public struct PartnerSite: Sendable {
        /// The partner.
        public var partner: PartnerDraft
        /// Its cameras (their `partnerID` is filled in when the partner is stored).
        public var cameras: [CameraDraft]
    }

    /// Partners and their cameras.
    public var partners: [PartnerSite]
    /// City-owned and temporary cameras.
    public var cityCameras: [CameraDraft]
    /// The fairgrounds venue.
    public var venues: [Venue]
    /// A year of incidents up to `now`.
    public var incidents: [Incident]

    /// The centre of downtown Shreveport (Texas St at Market St).
    public static let downtown = GeoPoint(latitude: 32.5115, longitude: -93.7488)
    /// The State Fair of Louisiana fairgrounds, around Independence Stadium on Hudson Ave.
    public static let fairgrounds: [GeoPoint] = [
        GeoPoint(latitude: 32.4826, longitude: -93.7986), GeoPoint(latitude: 32.4826, longitude: -93.7880),
        GeoPoint(latitude: 32.4792, longitude: -93.7852), GeoPoint(latitude: 32.4722, longitude: -93.7856),
        GeoPoint(latitude: 32.4718, longitude: -93.7980),
    ]

    /// Builds the demo. `streamBase` is where simulated feeds are served (e.g. `rtsp://127.0.0.1:8554`).
    public init(now: Date, streamBase: String, seed: UInt64 = 318) {
        var rng = SeededGenerator(seed: seed)
        var streamNumber = 0
        func nextStream() -> (String, String) {
            streamNumber += 1
            let path = String(format: "%@/cam%03d", streamBase, streamNumber)
            return (path, path + "/sub")
        }
        partners = Self.partnerSites(rng: &rng, now: now, nextStream: nextStream)
        cityCameras = Self.cityCameras(rng: &rng, now: now, nextStream: nextStream)
        venues = [Venue(id: UUID(uuidString: "5F0B8E3C-6E1C-4C41-9D0A-3A6F7D1B2C01")!, name: "State Fair of Louisiana fairgrounds",
                        polygon: Self.fairgrounds)]
        incidents = Self.incidentHistory(rng: &rng, now: now)
    }

    /// Every camera: partner cameras then city and temporary ones.
    public var cameraCount: Int { partners.reduce(0) { $0 + $1.cameras.count } + cityCameras.count }

    private struct SiteSpec {
        var name: String
        var kind: Partner.Kind
        var contact: String
        var address: String
        var at: GeoPoint
        var cameras: Int
        var tier: SharingTier
    }

    private static let sites: [SiteSpec] = [
        SiteSpec(name: "Red River Grocery", kind: .business, contact: "Dana Whitfield", address: "401 Texas St, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5121, longitude: -93.7479), cameras: 10, tier: .live),
        SiteSpec(name: "Milam Street Pharmacy", kind: .business, contact: "Luis Ortega", address: "512 Milam St, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5110, longitude: -93.7502), cameras: 8, tier: .live),
        SiteSpec(name: "Crockett Street Lofts", kind: .business, contact: "Renee Batiste", address: "620 Crockett St, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5135, longitude: -93.7510), cameras: 12, tier: .live),
        SiteSpec(name: "Louisiana Avenue Fuel Stop", kind: .business, contact: "Omar Haddad", address: "1015 Louisiana Ave, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5068, longitude: -93.7544), cameras: 9, tier: .live),
        SiteSpec(name: "Spring Street Parking Garage", kind: .business, contact: "Karen Fontenot", address: "300 Spring St, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5143, longitude: -93.7459), cameras: 14, tier: .live),
        SiteSpec(name: "Common Street Hardware", kind: .business, contact: "Tyrone Jackson", address: "725 Common St, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5088, longitude: -93.7530), cameras: 7, tier: .onRequest),
        SiteSpec(name: "Riverview Hotel", kind: .business, contact: "Melissa Guidry", address: "101 Clyde Fant Pkwy, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5152, longitude: -93.7435), cameras: 11, tier: .live),
        SiteSpec(name: "Hudson Avenue Tire & Lube", kind: .business, contact: "Andre Collins", address: "3520 Hudson Ave, Shreveport, LA 71109",
                 at: GeoPoint(latitude: 32.4835, longitude: -93.7900), cameras: 8, tier: .live),
        SiteSpec(name: "Greenwood Road Market", kind: .business, contact: "Priya Patel", address: "3800 Greenwood Rd, Shreveport, LA 71109",
                 at: GeoPoint(latitude: 32.4870, longitude: -93.7960), cameras: 9, tier: .alarmOnly),
        SiteSpec(name: "Line Avenue Dental", kind: .business, contact: "Grace Thibodeaux", address: "1600 Line Ave, Shreveport, LA 71101",
                 at: GeoPoint(latitude: 32.5012, longitude: -93.7520), cameras: 6, tier: .onRequest),
        SiteSpec(name: "Whitfield residence", kind: .homeowner, contact: "James Whitfield", address: "2311 Pierre Ave, Shreveport, LA 71103",
                 at: GeoPoint(latitude: 32.4925, longitude: -93.7702), cameras: 3, tier: .registered),
        SiteSpec(name: "Nguyen residence", kind: .homeowner, contact: "Linh Nguyen", address: "1908 Murphy St, Shreveport, LA 71103",
                 at: GeoPoint(latitude: 32.4958, longitude: -93.7661), cameras: 2, tier: .onRequest),
        SiteSpec(name: "Broussard residence", kind: .homeowner, contact: "Paul Broussard", address: "3415 Jewella Ave, Shreveport, LA 71109",
                 at: GeoPoint(latitude: 32.4790, longitude: -93.8030), cameras: 4, tier: .registered),
        SiteSpec(name: "Carter residence", kind: .homeowner, contact: "Denise Carter", address: "2720 Hollywood Ave, Shreveport, LA 71108",
                 at: GeoPoint(latitude: 32.4700, longitude: -93.7790), cameras: 3, tier: .onRequest),
        SiteSpec(name: "Landry residence", kind: .homeowner, contact: "Michelle Landry", address: "845 Kings Hwy, Shreveport, LA 71104",
                 at: GeoPoint(latitude: 32.4862, longitude: -93.7445), cameras: 2, tier: .registered),
        SiteSpec(name: "Sanders residence", kind: .homeowner, contact: "Robert Sanders", address: "3209 Fairfield Ave, Shreveport, LA 71104",
                 at: GeoPoint(latitude: 32.4805, longitude: -93.7512), cameras: 3, tier: .live),
    ]

    private static func partnerSites(
        rng: inout SeededGenerator, now: Date, nextStream: () -> (String, String)
    ) -> [PartnerSite] {
        sites.enumerated().map { index, site in
            let email = site.contact.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.org"
            let consentedAt = now.addingTimeInterval(-Double(30 + index * 17) * 86_400)
            let partner = PartnerDraft(
                name: site.name, kind: site.kind, contactName: site.contact, email: email,
                phone: String(format: "318-555-%04d", 100 + index * 37), address: site.address,
                consent: Consent(termsVersion: "2026-01", acceptedAt: consentedAt), status: .active)
            let cameras = (0..<site.cameras).map { number -> CameraDraft in
                let streams = site.tier == .registered ? nil : nextStream()
                return CameraDraft(
                    name: "\(site.name) cam \(number + 1)", kind: .partner, partnerID: nil,
                    location: jitter(site.at, metres: 35, rng: &rng), mountHeightM: Double.random(in: 2.5...6, using: &rng).rounded1,
                    headingDeg: Double(Int.random(in: 0..<72, using: &rng) * 5), fieldOfViewDeg: [70, 90, 100, 110].randomElement(using: &rng) ?? 90,
                    rangeM: Double(Int.random(in: 25...60, using: &rng)), mainStreamURL: streams?.0, subStreamURL: streams?.1,
                    sharing: site.tier, retentionDays: site.kind == .business ? 30 : 14,
                    tags: [site.kind.rawValue, site.at.latitude > 32.50 ? "downtown" : "midtown"])
            }
            return PartnerSite(partner: partner, cameras: cameras)
        }
    }

    private static let downtownCorners: [(String, GeoPoint)] = [
        ("Texas St & Market St", GeoPoint(latitude: 32.5115, longitude: -93.7488)),
        ("Texas St & Louisiana Ave", GeoPoint(latitude: 32.5104, longitude: -93.7517)),
        ("Milam St & Market St", GeoPoint(latitude: 32.5104, longitude: -93.7480)),
        ("Milam St & Edwards St", GeoPoint(latitude: 32.5117, longitude: -93.7466)),
        ("Travis St & Market St", GeoPoint(latitude: 32.5127, longitude: -93.7496)),
        ("Crockett St & Edwards St", GeoPoint(latitude: 32.5138, longitude: -93.7476)),
        ("Spring St & Texas St", GeoPoint(latitude: 32.5126, longitude: -93.7455)),
        ("Commerce St & Texas St", GeoPoint(latitude: 32.5139, longitude: -93.7431)),
        ("McNeil St & Texas St", GeoPoint(latitude: 32.5085, longitude: -93.7558)),
        ("Common St & Texas St", GeoPoint(latitude: 32.5095, longitude: -93.7538)),
        ("Line Ave & Kings Hwy", GeoPoint(latitude: 32.4870, longitude: -93.7478)),
        ("Hudson Ave & Greenwood Rd", GeoPoint(latitude: 32.4852, longitude: -93.7958)),
        ("Hollywood Ave & Jewella Ave", GeoPoint(latitude: 32.4700, longitude: -93.8030)),
        ("Pierre Ave & Murphy St", GeoPoint(latitude: 32.4935, longitude: -93.7688)),
    ]

    private static func cityCameras(rng: inout SeededGenerator, now: Date, nextStream: () -> (String, String)) -> [CameraDraft] {
        var cameras: [CameraDraft] = []
        // Two poles per intersection, on its north-east and south-west corners about 10 m out, each looking back across
        // the intersection and down the streets beyond it, as city intersection cameras are mounted.
        for (corner, point) in downtownCorners {
            for side in [45.0, 225.0] {
                let streams = nextStream()
                let pole = jitter(Self.offset(point, metres: 10, bearing: side), metres: 2, rng: &rng)
                cameras.append(CameraDraft(
                    name: "\(corner) (\(side == 45 ? "NE" : "SW"))", kind: .city, location: pole,
                    mountHeightM: 7.5, headingDeg: side == 45 ? 225 : 45, fieldOfViewDeg: 95, rangeM: 80, mainStreamURL: streams.0,
                    subStreamURL: streams.1, sharing: .live, retentionDays: 30, tags: ["city", "intersection"]))
            }
        }
        // Temporary cameras for the State Fair of Louisiana (late October to mid November).
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        let window = ActiveWindow(from: isoDate("\(year)-10-20T12:00:00Z"), until: isoDate("\(year)-11-16T06:00:00Z"))
        let ring = fairgrounds
        for index in 0..<12 {
            let a = ring[index % ring.count]
            let b = ring[(index + 1) % ring.count]
            let t = Double(index / ring.count + 1) / 3
            let point = GeoPoint(latitude: a.latitude + (b.latitude - a.latitude) * t, longitude: a.longitude + (b.longitude - a.longitude) * t)
            let streams = nextStream()
            cameras.append(CameraDraft(
                name: String(format: "Fairgrounds trailer %02d", index + 1), kind: .temporary, location: point,
                mountHeightM: 9, headingDeg: Double((index * 97) % 360), fieldOfViewDeg: 80, rangeM: 90,
                mainStreamURL: streams.0, subStreamURL: streams.1, sharing: .live, retentionDays: 30, activeWindow: window,
                tags: ["temporary", "fairgrounds", "state-fair"]))
        }
        return cameras
    }

    private static let hotspots: [(GeoPoint, Double)] = [
        (GeoPoint(latitude: 32.5110, longitude: -93.7490), 0.30), (GeoPoint(latitude: 32.4775, longitude: -93.7920), 0.20),
        (GeoPoint(latitude: 32.4930, longitude: -93.7690), 0.20), (GeoPoint(latitude: 32.4860, longitude: -93.7470), 0.15),
        (GeoPoint(latitude: 32.4710, longitude: -93.8020), 0.15),
    ]

    private static func incidentHistory(rng: inout SeededGenerator, now: Date) -> [Incident] {
        let weights: [(Incident.Category, Int)] = [
            (.shotsFired, 16), (.shooting, 8), (.robbery, 12), (.assault, 18), (.burglary, 14), (.vehicleTheft, 12),
            (.carjacking, 3), (.homicide, 2), (.vandalism, 10), (.narcotics, 5),
        ]
        let total = weights.reduce(0) { $0 + $1.1 }
        var incidents: [Incident] = []
        for day in 0..<365 {
            let date = now.addingTimeInterval(-Double(day) * 86_400)
            // More incidents in summer, a surge in recent months.
            let month = Calendar(identifier: .gregorian).component(.month, from: date)
            let seasonal = [6, 7, 8].contains(month) ? 1.5 : 1.0
            let surge = day < 120 ? 1.35 : 1.0
            let count = Int((4.0 * seasonal * surge + Double.random(in: -1.5...1.5, using: &rng)).rounded())
            for _ in 0..<max(0, count) {
                var pick = Int.random(in: 0..<total, using: &rng)
                let category = weights.first { pick -= $0.1; return pick < 0 }?.0 ?? .assault
                var roll = Double.random(in: 0..<1, using: &rng)
                let spot = hotspots.first { roll -= $0.1; return roll < 0 }?.0 ?? downtown
                let at = date.addingTimeInterval(-Double(Int.random(in: 0..<86_400, using: &rng))).millisecondPrecision
                let armed = [.shooting, .shotsFired, .homicide, .robbery, .carjacking].contains(category)
                incidents.append(Incident(
                    id: UUID(uuid: uuidBytes(&rng)), occurredAt: at, category: category,
                    location: jitter(spot, metres: 700, rng: &rng), summary: "\(category.rawValue.replacingOccurrences(of: "_", with: " ")) reported",
                    weaponRecovered: armed && Double.random(in: 0..<1, using: &rng) < 0.3))
            }
        }
        return incidents.sorted { $0.occurredAt < $1.occurredAt }
    }

    /// The point `metres` from `point` towards `bearing` (degrees from north), on a locally flat Earth.
    private static func offset(_ point: GeoPoint, metres: Double, bearing: Double) -> GeoPoint {
        let radians = bearing * .pi / 180
        return GeoPoint(
            latitude: point.latitude + metres * cos(radians) / 111_320,
            longitude: point.longitude + metres * sin(radians) / (111_320 * cos(point.latitude * .pi / 180)))
    }

    private static func jitter(_ point: GeoPoint, metres: Double, rng: inout SeededGenerator) -> GeoPoint {
        let dLat = Double.random(in: -metres...metres, using: &rng) / 111_320
        let dLon = Double.random(in: -metres...metres, using: &rng) / (111_320 * cos(point.latitude * .pi / 180))
        return GeoPoint(latitude: (point.latitude + dLat).rounded6, longitude: (point.longitude + dLon).rounded6)
    }

    private static func uuidBytes(_ rng: inout SeededGenerator) -> uuid_t {
        let a = rng.next()
        let b = rng.next()
        func byte(_ v: UInt64, _ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: v >> (8 * i)) }
        return (byte(a, 0), byte(a, 1), byte(a, 2), byte(a, 3), byte(a, 4), byte(a, 5), byte(a, 6) & 0x0F | 0x40, byte(a, 7),
                byte(b, 0) & 0x3F | 0x80, byte(b, 1), byte(b, 2), byte(b, 3), byte(b, 4), byte(b, 5), byte(b, 6), byte(b, 7))
    }

    private static func isoDate(_ text: String) -> Date { (try? Date(text, strategy: .iso8601)) ?? Date(timeIntervalSince1970: 0) }
}

private extension Double {
    var rounded1: Double { (self * 10).rounded() / 10 }
    var rounded6: Double { (self * 1_000_000).rounded() / 1_000_000 }
}
