import Foundation

/// What a person typed into an address search, taken apart: a house number and street, or two streets that cross.
///
/// Anything after the first comma (city, state, ZIP code) is ignored; so is a unit (`apt 4`, `unit 4`, `# 4`) after
/// the street, except to pick a unit at the address.
public enum AddressQuery: Sendable, Hashable {
    /// `401 Texas St`: a house number (nil when none was typed), the street's words as typed and a unit.
    case address(number: Int?, street: [String], unit: String?)
    /// `Texas St & Market St`, `Texas and Market`, `Texas at Market`.
    case intersection([String], [String])

    /// Words that join the two streets of an intersection.
    static let joiners: Set<String> = ["&", "and", "at"]
    /// Words that introduce a unit.
    static let unitWords: Set<String> = ["apt", "unit", "ste", "suite", "#", "rm", "room", "lot", "fl"]

    /// Parses `text`; nil when it holds no street words.
    public init?(_ text: String) {
        let main = text.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let words = AddressNormalizer.words(main)
        if let joiner = words.indices.first(where: { $0 > 0 && $0 < words.count - 1 && Self.joiners.contains(words[$0]) }) {
            let left = Self.dropNumber(Array(words[..<joiner])).street, right = Self.dropNumber(Array(words[(joiner + 1)...])).street
            let a = Self.streetWords(left).street, b = Self.streetWords(right).street
            if a.contains(where: { $0.contains(where: \.isLetter) }), b.contains(where: { $0.contains(where: \.isLetter) }) {
                self = .intersection(a, b)
                return
            }
        }
        let (number, rest) = Self.dropNumber(words)
        let (street, unit) = Self.streetWords(rest.filter { $0 != "&" })
        guard !street.isEmpty else { return nil }
        self = .address(number: number, street: street, unit: unit)
    }

    /// A leading house number ("401", "401a", "401-1/2" reads as 401) and the words after it.
    static func dropNumber(_ words: [String]) -> (number: Int?, street: [String]) {
        guard let first = words.first else { return (nil, []) }
        let digits = first.prefix(while: \.isNumber)
        guard !digits.isEmpty, let number = Int(digits.prefix(9)), digits.count == first.count || first.dropFirst(digits.count).count <= 1 else {
            return (nil, words)
        }
        var rest = Array(words.dropFirst())
        // "401 1 2 Texas St" from "401 1/2 Texas St": a fraction after the number is not part of the street.
        if rest.count >= 3, rest[0].allSatisfy(\.isNumber), rest[1] == "&", rest[2].allSatisfy(\.isNumber) { rest.removeFirst(3) }
        return (number, rest)
    }

    /// The street's words without a trailing unit designation, and that unit.
    static func streetWords(_ words: [String]) -> (street: [String], unit: String?) {
        guard let index = words.indices.first(where: { $0 > 0 && unitWords.contains(words[$0]) }) else { return (words, nil) }
        let unit = words.index(after: index) < words.count ? words[words.index(after: index)] : nil
        return (Array(words[..<index]), unit)
    }
}
