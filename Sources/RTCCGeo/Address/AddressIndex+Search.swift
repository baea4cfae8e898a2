import Foundation

extension AddressIndex {
    /// A street that matches typed words, and how well.
    struct StreetHit {
        var street: Int32
        var quality: AddressMatch.Quality
        var score: Double
    }

    /// Score lost per letter edit, for an abbreviation, and for words typed that no street has (a city, a state).
    static let editCost = 0.08, abbreviationCost = 0.04, droppedWordCost = 0.05
    /// Score lost for a typed suffix or directional the street lacks, and for a street word left untyped.
    static let wrongDesignatorCost = 0.15, untypedDesignatorCost = 0.03, untypedWordCost = 0.12

    /// A typed word's canonical form; a misspelt suffix or directional ("stret", "avenu", "nrth") that is no street's
    /// word is corrected, with its edits ("line" stays "line" where a street has it, rather than becoming "lane").
    func canonicalTyped(_ word: String) -> (word: String, edits: Int) {
        if let canonical = AddressNormalizer.canonicalWords[word] { return (canonical, 0) }
        guard vocabulary.id(word) == nil, word.count >= 4, !word.contains(where: \.isNumber) else { return (word, 0) }
        let typed = Array(word.utf8)
        for table in [AddressNormalizer.suffixes, AddressNormalizer.directionals] {
            for (canonical, spellings) in table {
                for spelling in spellings where spelling.count >= 4 && TokenVocabulary.distance(typed, Array(spelling.utf8), limit: 1) <= 1 {
                    return (canonical, 1)
                }
            }
        }
        return (word, 0)
    }

    /// Streets whose words match `typed`, best first (at most 50).
    func streetHits(_ typed: [String], completingLast: Bool) -> [StreetHit] {
        let canonical = typed.map(canonicalTyped)
        var kept: [(written: String, word: String, matches: [Int32: Int], designator: Bool, edits: Int)] = []
        var dropped = 0
        for (index, (word, edits)) in canonical.enumerated() {
            let matches = vocabulary.matches(word, prefix: completingLast && index == canonical.count - 1)
            if matches.isEmpty { dropped += 1 } else { kept.append((typed[index], word, matches, AddressNormalizer.isDesignator(word), edits)) }
        }
        guard !kept.isEmpty else { return [] }
        let required = kept.contains(where: { !$0.designator }) ? kept.indices.filter { !kept[$0].designator } : Array(kept.indices)
        // Candidates come from the required word whose matches name the fewest streets.
        let seedIndex = required.min { a, b in
            kept[a].matches.keys.reduce(0) { $0 + postings[Int($1)].count } < kept[b].matches.keys.reduce(0) { $0 + postings[Int($1)].count }
        } ?? required[0]
        var candidates = Set<Int32>()
        for token in kept[seedIndex].matches.keys { candidates.formUnion(postings[Int(token)]) }
        var hits: [StreetHit] = []
        for id in candidates {
            let street = streets[Int(id)]
            var edits = 0, penalty = Double(dropped) * Self.droppedWordCost, covered = Set<Int32>(), rejected = false
            for (index, word) in kept.enumerated() {
                let best = street.tokens.compactMap { token in word.matches[token].map { (token, $0) } }.min { $0.1 < $1.1 }
                if let best {
                    edits += best.1 + word.edits
                    covered.insert(best.0)
                } else if required.contains(index) {
                    rejected = true
                    break
                } else {
                    penalty += Self.wrongDesignatorCost
                }
            }
            if rejected { continue }
            for token in street.tokens where !covered.contains(token) {
                penalty += AddressNormalizer.isDesignator(vocabulary.words[Int(token)]) ? Self.untypedDesignatorCost : Self.untypedWordCost
            }
            let quality: AddressMatch.Quality
            if edits > 0 {
                quality = .typo
            } else if penalty == 0, kept.map(\.written) == street.written {
                quality = .exact
            } else {
                quality = .abbreviation
            }
            let score = 1 - Double(edits) * Self.editCost - penalty - (quality == .abbreviation ? Self.abbreviationCost : 0)
            hits.append(StreetHit(street: id, quality: quality, score: max(0.01, score)))
        }
        return Array(hits.sorted { ($0.score, streets[Int($1.street)].name) > ($1.score, streets[Int($0.street)].name) }.prefix(50))
    }

    /// The street as a whole.
    func streetMatch(_ hit: StreetHit) -> AddressMatch? {
        let street = streets[Int(hit.street)]
        guard let centre = street.centre else { return nil }
        return AddressMatch(label: street.name, coordinate: centre, kind: .street, quality: hit.quality, score: Self.rounded(hit.score))
    }

    /// House `number` on the hit's street: the point itself, or the nearest numbers on the same side.
    func addressMatches(number: Int, unit: String?, on hit: StreetHit) -> [AddressMatch] {
        let street = streets[Int(hit.street)]
        let list = street.addresses
        guard !list.isEmpty else {
            guard var match = streetMatch(hit) else { return [] }
            match.score = Self.rounded(hit.score - 0.2)
            match.note = "no address points on \(street.name); showing the street"
            return [match]
        }
        var (low, high) = (0, list.count)
        while low < high {
            let middle = (low + high) / 2
            if numbers[Int(list[middle])] < number { low = middle + 1 } else { high = middle }
        }
        var exact: [Int32] = []
        var index = low
        while index < list.count, numbers[Int(list[index])] == number {
            exact.append(list[index])
            index += 1
        }
        if !exact.isEmpty {
            let wanted = unit.map { unit in exact.filter { points[Int($0)].unit?.lowercased() == unit } } ?? []
            let chosen = wanted.first ?? exact.first { points[Int($0)].unit == nil } ?? exact[0]
            return [addressMatch(chosen, quality: hit.quality, score: hit.score)]
        }
        let parity = number % 2
        func neighbour(from start: Int, step: Int) -> Int32? {
            var index = start, looked = 0
            while index >= 0, index < list.count, looked < 200 {
                if numbers[Int(list[index])] >= 0, numbers[Int(list[index])] % 2 == parity { return list[index] }
                index += step
                looked += 1
            }
            return nil
        }
        let below = neighbour(from: low - 1, step: -1), above = neighbour(from: low, step: 1)
        let score = hit.score - 0.1
        if let below, let above {
            let (a, b) = (points[Int(below)], points[Int(above)])
            let (na, nb) = (numbers[Int(below)], numbers[Int(above)])
            let t = Double(number - na) / Double(nb - na)
            let place = Coordinate(
                latitude: a.coordinate.latitude + (b.coordinate.latitude - a.coordinate.latitude) * t,
                longitude: a.coordinate.longitude + (b.coordinate.longitude - a.coordinate.longitude) * t)
            let label = "\(number) \(street.name)" + (a.city.map { ", \($0)" } ?? "")
            return [
                AddressMatch(
                    label: label, coordinate: place, kind: .address, quality: .nearestNumber, score: Self.rounded(score),
                    note: "\(number) is not in the address data; placed between \(a.number) and \(b.number) \(street.name)"),
                addressMatch(below, quality: .nearestNumber, score: score - 0.02 - Double(number - na) / 5000),
                addressMatch(above, quality: .nearestNumber, score: score - 0.02 - Double(nb - number) / 5000),
            ]
        }
        let nearest = below ?? above ?? list[min(low, list.count - 1)]
        var match = addressMatch(nearest, quality: .nearestNumber, score: score - min(0.1, Double(abs(numbers[Int(nearest)] - number)) / 2000))
        match.note = "\(number) is not in the address data; \(points[Int(nearest)].number) is the nearest number on \(street.name)"
        return [match]
    }

    func addressMatch(_ index: Int32, quality: AddressMatch.Quality, score: Double) -> AddressMatch {
        let point = points[Int(index)]
        return AddressMatch(
            label: point.label + (point.city.map { ", \($0)" } ?? ""), coordinate: point.coordinate, kind: .address, quality: quality,
            score: Self.rounded(score))
    }

    /// Intersections of any of the first streets with any of the second.
    func intersectionMatches(_ first: [StreetHit], _ second: [StreetHit]) -> [AddressMatch] {
        var results: [AddressMatch] = []
        for a in first.prefix(10) {
            for b in second.prefix(10) where a.street != b.street {
                guard let places = crossings[Self.pairKey(a.street, b.street)] else { continue }
                let label = "\(streets[Int(a.street)].name) & \(streets[Int(b.street)].name)"
                for (number, place) in places.enumerated() {
                    results.append(AddressMatch(
                        label: places.count > 1 ? "\(label) (\(number + 1) of \(places.count))" : label, coordinate: place, kind: .intersection,
                        quality: max(a.quality, b.quality), score: Self.rounded((a.score + b.score) / 2)))
                }
            }
        }
        return results
    }

    static func rounded(_ score: Double) -> Double { (max(0.01, min(1, score)) * 1000).rounded() / 1000 }
}
