import Foundation

/// Address points, street centrelines and intersections held in memory for address search and reverse look-up.
///
/// Search finds streets through their canonical words (``AddressNormalizer``) in a ``TokenVocabulary`` and a
/// word → streets postings list, then the house number on each street by binary search; reverse look-up walks a grid
/// of the address points outward from the place. Neither scans all addresses.
public struct AddressIndex: Sendable {
    /// One distinct street (by canonical name), with what is on it.
    struct Street: Sendable {
        /// The name as first written.
        var name: String
        /// The name's words as written (lower case), for telling an exact match from an abbreviated one.
        var written: [String]
        /// Canonical word ids.
        var tokens: [Int32]
        /// Its address points, by house number.
        var addresses: [Int32]
        /// A point to show for the street as a whole.
        var centre: Coordinate?
    }

    let streets: [Street]
    let postings: [[Int32]]
    let vocabulary: TokenVocabulary
    let points: [AddressPoint]
    let numbers: [Int]
    /// Intersections by the pair of street ids (smaller first).
    let crossings: [UInt64: [Coordinate]]
    let crossingCount: Int
    let projection: LocalProjection
    let grid: GridBuckets
    let planePoints: [PlanePoint]
    let lines: [StreetLine]

    /// How many address points it holds.
    public var addressCount: Int { points.count }
    /// How many distinct streets (by canonical name) it holds.
    public var streetCount: Int { streets.count }
    /// How many street intersections it holds.
    public var intersectionCount: Int { crossingCount }

    /// Builds the index. Intersections are `intersections` plus, with `findCrossings`, every place two differently
    /// named centrelines of `streets` cross or meet.
    public init(addresses: [AddressPoint], streets lines: [StreetLine] = [], intersections: [StreetIntersection] = [], findCrossings: Bool = true) {
        var streetIDs: [String: Int32] = [:]
        var streets: [Street] = []
        var normalized: [String: String] = [:]
        func streetID(_ name: String) -> Int32? {
            let key = normalized[name] ?? AddressNormalizer.normalize(name)
            normalized[name] = key
            guard !key.isEmpty else { return nil }
            if let id = streetIDs[key] { return id }
            let id = Int32(streets.count)
            streetIDs[key] = id
            streets.append(Street(name: name, written: AddressNormalizer.words(name), tokens: [], addresses: [], centre: nil))
            return id
        }
        for line in lines {
            guard let id = streetID(line.name), streets[Int(id)].centre == nil else { continue }
            streets[Int(id)].centre = Self.middle(of: line.parts)
        }
        numbers = addresses.map { $0.houseNumber ?? -1 }
        for (index, address) in addresses.enumerated() {
            if let id = streetID(address.street) { streets[Int(id)].addresses.append(Int32(index)) }
        }
        var words = Set<String>()
        for street in streets { words.formUnion(AddressNormalizer.tokens(street.name)) }
        let vocabulary = TokenVocabulary(words)
        var postings = [[Int32]](repeating: [], count: vocabulary.words.count)
        for id in streets.indices {
            let tokens = Array(Set(AddressNormalizer.tokens(streets[id].name).compactMap(vocabulary.id))).sorted()
            streets[id].tokens = tokens
            for token in tokens { postings[Int(token)].append(Int32(id)) }
            let numbers = self.numbers
            streets[id].addresses.sort { (numbers[Int($0)], addresses[Int($0)].unit ?? "") < (numbers[Int($1)], addresses[Int($1)].unit ?? "") }
            if streets[id].centre == nil, !streets[id].addresses.isEmpty {
                streets[id].centre = addresses[Int(streets[id].addresses[streets[id].addresses.count / 2])].coordinate
            }
        }
        var crossings: [UInt64: [Coordinate]] = [:]
        var found = findCrossings ? StreetCrossings.find(lines) : []
        found.append(contentsOf: intersections)
        var count = 0
        for crossing in found {
            guard let a = streetIDs[AddressNormalizer.normalize(crossing.first)], let b = streetIDs[AddressNormalizer.normalize(crossing.second)], a != b else {
                continue
            }
            let key = Self.pairKey(a, b)
            let existing = crossings[key] ?? []
            // Two streets may cross more than once (a loop); points closer than 60 m are the same intersection.
            if existing.contains(where: { Geodesy.distance($0, crossing.coordinate) < 60 }) { continue }
            crossings[key] = existing + [crossing.coordinate]
            count += 1
        }
        let all = addresses.map(\.coordinate)
        let origin = all.isEmpty
            ? Coordinate(latitude: 0, longitude: 0)
            : Coordinate(latitude: all.map(\.latitude).reduce(0, +) / Double(all.count), longitude: all.map(\.longitude).reduce(0, +) / Double(all.count))
        let projection = LocalProjection(origin: origin)
        let plane = all.map(projection.project)
        grid = GridBuckets(boxes: plane.map { PlaneBox(minX: $0.x, minY: $0.y, maxX: $0.x, maxY: $0.y) }, cellSize: 50)
        self.projection = projection
        planePoints = plane
        self.streets = streets
        self.postings = postings
        self.vocabulary = vocabulary
        points = addresses
        self.crossings = crossings
        crossingCount = count
        self.lines = lines
    }

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        let (low, high) = a < b ? (a, b) : (b, a)
        return UInt64(UInt32(bitPattern: low)) << 32 | UInt64(UInt32(bitPattern: high))
    }

    /// The point halfway along the longest part of a polyline.
    static func middle(of parts: [[Coordinate]]) -> Coordinate? {
        func length(_ part: [Coordinate]) -> Double { zip(part, part.dropFirst()).reduce(0) { $0 + Geodesy.distance($1.0, $1.1) } }
        guard let part = parts.max(by: { length($0) < length($1) }), let first = part.first else { return nil }
        var remaining = length(part) / 2
        for (a, b) in zip(part, part.dropFirst()) {
            let step = Geodesy.distance(a, b)
            if step >= remaining, step > 0 {
                let t = remaining / step
                return Coordinate(latitude: a.latitude + (b.latitude - a.latitude) * t, longitude: a.longitude + (b.longitude - a.longitude) * t)
            }
            remaining -= step
        }
        return part.last ?? first
    }

    /// The best `limit` places for `text`, best first: an address (exact house number, or the nearest or interpolated
    /// one), an intersection ("Texas St & Market St") or a street.
    public func search(_ text: String, limit: Int = 10) -> [AddressMatch] {
        guard limit > 0, let query = AddressQuery(text) else { return [] }
        var results: [AddressMatch]
        switch query {
        case .address(let number, let street, let unit):
            let hits = streetHits(street, completingLast: !text.hasSuffix(" "))
            results = number.map { number in hits.prefix(20).flatMap { addressMatches(number: number, unit: unit, on: $0) } }
                ?? hits.compactMap { streetMatch($0) }
        case .intersection(let first, let second):
            results = intersectionMatches(streetHits(first, completingLast: false), streetHits(second, completingLast: !text.hasSuffix(" ")))
        }
        var seen = Set<String>()
        return results.sorted { ($0.score, $1.label) > ($1.score, $0.label) }.filter { seen.insert("\($0.kind)|\($0.label)").inserted }.prefix(limit).map { $0 }
    }
}
