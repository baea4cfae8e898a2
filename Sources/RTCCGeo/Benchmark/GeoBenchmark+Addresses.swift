import Foundation

extension GeoBenchmark {
    /// A seeded synthetic city for address search: `streets` streets of 400 m in pairs that cross at the centre of a
    /// 500 m tile, each with address points every 20 m on both sides (odd numbers on one side, even on the other,
    /// from 101), so `streets * 40` addresses in all. Street names are made-up words of three syllables; each word is
    /// used by two streets with different suffixes ("Kalomer St" and "Kalomer Ave"), and every tenth street has a
    /// directional ("N Kalomer St"), so ranking between near-identical names is exercised.
    public struct AddressCity: Sendable {
        /// Every address point.
        public var addresses: [AddressPoint]
        /// Every street centreline.
        public var streets: [StreetLine]
    }

    /// Builds an ``AddressCity`` of `streets` streets (rounded up to an even number).
    public static func addressCity(streets count: Int = 5000, seed: UInt64 = 3) -> AddressCity {
        var random = SplitMix64(seed: seed)
        let onsets = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr", "dr", "gr", "pl", "st", "tr"]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
        let codas = ["", "", "n", "r", "l", "s", "m", "nd", "rt"]
        var words = Set<String>(), stems: [String] = []
        let pairs = (count + 1) / 2
        while stems.count < pairs {
            func any(_ list: [String]) -> String { list[Int.random(in: 0..<list.count, using: &random)] }
            let word = (0..<3).map { _ in any(onsets) + any(vowels) + any(codas) }.joined()
            guard (7...12).contains(word.count), words.insert(word).inserted else { continue }
            stems.append(word.prefix(1).uppercased() + word.dropFirst())
        }
        let suffixPairs = [("St", "Ave"), ("Rd", "Dr"), ("Blvd", "Ln"), ("St", "Pkwy"), ("Ave", "Ct")]
        let projection = LocalProjection(origin: origin)
        let columns = Int(Double(pairs).squareRoot().rounded(.up))
        var addresses: [AddressPoint] = [], lines: [StreetLine] = []
        addresses.reserveCapacity(pairs * 80)
        for (index, stem) in stems.enumerated() {
            let x0 = Double(index % columns) * 500, y0 = Double(index / columns) * 500
            let (first, second) = suffixPairs[index % suffixPairs.count]
            let directional = index % 5 == 0 ? "N " : ""
            // One street west to east through the tile's centre, the other south to north.
            for (name, horizontal) in [("\(directional)\(stem) \(first)", true), ("\(stem) \(second)", false)] {
                func at(_ along: Double, _ side: Double) -> Coordinate {
                    projection.unproject(horizontal ? PlanePoint(x: x0 + 50 + along, y: y0 + 250 + side) : PlanePoint(x: x0 + 250 + side, y: y0 + 50 + along))
                }
                lines.append(StreetLine(name: name, parts: [[at(0, 0), at(400, 0)]]))
                for slot in 0..<20 {
                    let along = 10 + Double(slot) * 20
                    addresses.append(AddressPoint(number: String(101 + 2 * slot), street: name, coordinate: at(along, 12)))
                    addresses.append(AddressPoint(number: String(100 + 2 * slot), street: name, coordinate: at(along, -12)))
                }
            }
        }
        return AddressCity(addresses: addresses, streets: lines)
    }

    /// What a person might type for `address`: the exact label, lower case with the suffix spelt out, or with two
    /// neighbouring letters of the street's longest word swapped.
    public static func typedAddress(_ address: AddressPoint, variant: Int) -> String {
        let spelled = ["St": "street", "Ave": "avenue", "Rd": "road", "Dr": "drive", "Blvd": "boulevard", "Ln": "lane", "Pkwy": "parkway", "Ct": "court", "N": "north"]
        let words = address.street.split(separator: " ").map(String.init)
        switch variant % 3 {
        case 0:
            return address.label
        case 1:
            return "\(address.number) " + words.map { spelled[$0] ?? $0.lowercased() }.joined(separator: " ")
        default:
            guard let longest = words.indices.max(by: { words[$0].count < words[$1].count }) else { return address.label }
            var letters = Array(words[longest])
            letters.swapAt(3, 4)
            var typo = words
            typo[longest] = String(letters)
            return "\(address.number) " + typo.joined(separator: " ")
        }
    }

    /// Address searches over an ``addressCity(streets:seed:)`` of `streets` streets (40 addresses each): the time to
    /// build the index and per query (exact, spelt-out and misspelt queries in turn), against a linear scan that
    /// compares every address's canonical street name with the query's.
    public static func addressSearch(streets: Int = 5000, queries: Int = 3000, seed: UInt64 = 3) -> Report {
        let city = addressCity(streets: streets, seed: seed)
        let clock = ContinuousClock()
        var index: AddressIndex?
        let built = clock.measure { index = AddressIndex(addresses: city.addresses, streets: city.streets) }
        guard let index else { return Report(title: "address index failed to build", rows: []) }
        var random = SplitMix64(seed: seed &+ 1)
        let targets = (0..<queries).map { _ in city.addresses[Int.random(in: 0..<city.addresses.count, using: &random)] }
        var ours: [Double] = [], wrong = 0
        for (number, target) in targets.enumerated() {
            let text = typedAddress(target, variant: number)
            var found: [AddressMatch] = []
            let took = clock.measure { found = index.search(text, limit: 10) }
            ours.append(seconds(took) * 1000)
            if found.first.map({ Geodesy.distance($0.coordinate, target.coordinate) > 0.01 }) ?? true { wrong += 1 }
        }
        // Peer: normalise every address's street (once, outside the timing) and compare each with the query's.
        let normalized = city.addresses.map { AddressNormalizer.normalize($0.street) }
        var scan: [Double] = []
        let scanned = min(queries, 100)
        for (number, target) in targets.prefix(scanned).enumerated() where number % 3 != 2 {
            let text = typedAddress(target, variant: number)
            let took = clock.measure {
                guard case .address(let houseNumber?, let words, _) = AddressQuery(text) else { return }
                let street = words.map(AddressNormalizer.canonical).joined(separator: " ")
                _ = city.addresses.indices.first { normalized[$0] == street && city.addresses[$0].houseNumber == houseNumber }
            }
            scan.append(seconds(took) * 1000)
        }
        ours.sort()
        scan.sort()
        let rows = [
            Row(measure: "index build (s)", ours: format(seconds(built)), peer: "", ratio: ""),
            Row(measure: "query p50 (ms)", ours: format(percentile(ours, 0.5), 4), peer: format(percentile(scan, 0.5), 4),
                ratio: format(percentile(ours, 0.5) / max(percentile(scan, 0.5), 1e-9), 4) + "×"),
            Row(measure: "query p99 (ms)", ours: format(percentile(ours, 0.99), 4), peer: format(percentile(scan, 0.99), 4),
                ratio: format(percentile(ours, 0.99) / max(percentile(scan, 0.99), 1e-9), 4) + "×"),
            Row(measure: "query max (ms)", ours: format(ours.last ?? 0, 4), peer: format(scan.last ?? 0, 4), ratio: ""),
            Row(measure: "first answer not the address typed", ours: "\(wrong) of \(queries)", peer: "", ratio: ""),
        ]
        return Report(
            title: "Address search: \(city.addresses.count) addresses on \(city.streets.count) streets, \(queries) queries (a third misspelt; peer: linear scan for the exact and spelt-out ones, \(scan.count))",
            rows: rows)
    }
}
