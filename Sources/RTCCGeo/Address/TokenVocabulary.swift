import Foundation

/// The distinct words of every street name, found again from a typed word that is exact, one or two letters off, or
/// the beginning of a word.
///
/// Misspellings are found with a deletion index: every word is stored under itself and each string made by deleting
/// up to two of its letters; a typed word's own deletions meet those of any word within that many edits, and each
/// candidate is confirmed with the true (Damerau–Levenshtein) distance. Nothing scans the vocabulary.
struct TokenVocabulary: Sendable {
    /// The words, sorted (prefix look-ups are binary searches).
    let words: [String]
    private let ids: [String: Int32]
    private let deletions: [String: [Int32]]

    /// How many edits a word of `length` letters may have: none up to 3 letters, one up to 7, two from 8.
    static func allowedEdits(length: Int) -> Int { length <= 3 ? 0 : (length <= 7 ? 1 : 2) }

    init(_ distinct: Set<String>) {
        words = distinct.sorted()
        var ids: [String: Int32] = [:]
        var deletions: [String: [Int32]] = [:]
        for (index, word) in words.enumerated() {
            ids[word] = Int32(index)
            for variant in Self.deletionVariants(word, depth: Self.allowedEdits(length: word.count)) where variant != word {
                deletions[variant, default: []].append(Int32(index))
            }
        }
        self.ids = ids
        self.deletions = deletions
    }

    /// The id of `word`, when it is in the vocabulary.
    func id(_ word: String) -> Int32? { ids[word] }

    /// Vocabulary words within the allowed edits of `word` (and, with `prefix`, those it begins), with their cost:
    /// 0 for the word itself, the edit count otherwise, 1 for a completion.
    func matches(_ word: String, prefix: Bool) -> [Int32: Int] {
        var result: [Int32: Int] = [:]
        if let id = ids[word] { result[id] = 0 }
        let allowed = Self.allowedEdits(length: word.count)
        if allowed > 0 {
            var candidates = Set<Int32>()
            for variant in Self.deletionVariants(word, depth: allowed) {
                if let id = ids[variant] { candidates.insert(id) }
                if let list = deletions[variant] { candidates.formUnion(list) }
            }
            let typed = Array(word.utf8)
            for candidate in candidates where result[candidate] == nil {
                let distance = Self.distance(typed, Array(words[Int(candidate)].utf8), limit: allowed)
                let limit = min(allowed, Self.allowedEdits(length: words[Int(candidate)].count))
                if distance <= max(limit, 1) && distance <= allowed { result[candidate] = distance }
            }
        }
        if prefix, word.count >= 3 {
            var index = lowerBound(word)
            var taken = 0
            while index < words.count, taken < 64, words[index].hasPrefix(word) {
                if result[Int32(index)] == nil { result[Int32(index)] = 1 }
                index += 1
                taken += 1
            }
        }
        return result
    }

    private func lowerBound(_ word: String) -> Int {
        var (low, high) = (0, words.count)
        while low < high {
            let middle = (low + high) / 2
            if words[middle] < word { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// `word` with up to `depth` letters deleted, `word` itself included.
    static func deletionVariants(_ word: String, depth: Int) -> Set<String> {
        var result: Set<String> = [word]
        var frontier: Set<String> = [word]
        for _ in 0..<depth {
            var next = Set<String>()
            for text in frontier where text.count > 1 {
                let characters = Array(text)
                for index in characters.indices {
                    var shorter = characters
                    shorter.remove(at: index)
                    next.insert(String(shorter))
                }
            }
            result.formUnion(next)
            frontier = next
        }
        return result
    }

    /// Optimal-string-alignment distance (insertions, deletions, substitutions and swaps of neighbours), or
    /// `limit + 1` once it must exceed `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var best = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, before[j - 2] + 1) }
                current[j] = value
                best = min(best, value)
            }
            if best > limit { return limit + 1 }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
