import Foundation

/// Turns street names and address queries into comparable words: lower case, accents and punctuation removed, and
/// USPS-style street suffixes and directionals written one way ("Street", "Str" and "St" are all `st`; "North" is `n`).
public enum AddressNormalizer {
    /// The canonical form of each street suffix and the spellings that mean it (USPS Publication 28 style, the common ones).
    static let suffixes: [String: [String]] = [
        "st": ["street", "str", "strt", "st"],
        "ave": ["avenue", "av", "ave", "aven", "avenu", "avn", "avnue"],
        "blvd": ["boulevard", "blvd", "boul", "boulv"],
        "dr": ["drive", "dr", "driv", "drv"],
        "rd": ["road", "rd"],
        "ln": ["lane", "ln"],
        "pl": ["place", "pl"],
        "ct": ["court", "ct", "crt"],
        "hwy": ["highway", "hwy", "hiway", "hiwy", "hway"],
        "pkwy": ["parkway", "pkwy", "parkwy", "pkway", "pky", "pkwys"],
        "cir": ["circle", "cir", "circ", "crcl"],
        "ter": ["terrace", "ter", "terr"],
        "way": ["way", "wy"],
        "trl": ["trail", "trl"],
        "expy": ["expressway", "expy", "expw", "expwy"],
        "fwy": ["freeway", "fwy"],
        "sq": ["square", "sq"],
        "aly": ["alley", "aly"],
        "plz": ["plaza", "plz"],
        "cv": ["cove", "cv"],
        "xing": ["crossing", "xing"],
        "loop": ["loop"],
        "row": ["row"],
    ]

    /// Directionals, written as USPS abbreviates them.
    static let directionals: [String: [String]] = [
        "n": ["north", "n"], "s": ["south", "s"], "e": ["east", "e"], "w": ["west", "w"],
        "ne": ["northeast", "ne"], "nw": ["northwest", "nw"], "se": ["southeast", "se"], "sw": ["southwest", "sw"],
    ]

    /// Other words written more than one way in street names.
    static let others: [String: [String]] = [
        "st": ["saint"], "mt": ["mount", "mt"], "ft": ["fort", "ft"],
        "1st": ["first"], "2nd": ["second"], "3rd": ["third"], "4th": ["fourth"], "5th": ["fifth"],
        "6th": ["sixth"], "7th": ["seventh"], "8th": ["eighth"], "9th": ["ninth"], "10th": ["tenth"],
    ]

    /// Spelling → canonical word.
    static let canonicalWords: [String: String] = {
        var map: [String: String] = [:]
        for table in [others, suffixes, directionals] {
            for (canonical, spellings) in table { for spelling in spellings { map[spelling] = canonical } }
        }
        return map
    }()

    /// Canonical suffixes and directionals: words that say what kind of street it is, not which.
    static let designators: Set<String> = Set(suffixes.keys).union(directionals.keys)

    /// The words of `text`: lower case, accents folded, apostrophes and periods dropped, any other punctuation a
    /// separator; `&` is kept as a word of its own (it joins the two streets of an intersection).
    public static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil).lowercased()
        var words: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { words.append(current) }
            current = ""
        }
        for scalar in folded.unicodeScalars {
            if scalar == "'" || scalar == "’" || scalar == "." {
                continue
            } else if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if scalar == "&" || scalar == "@" || scalar == "/" {
                flush()
                words.append("&")
            } else if scalar == "#" {
                flush()
                words.append("#")
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    /// The canonical form of one word (`street` → `st`, `north` → `n`); other words are returned unchanged.
    public static func canonical(_ word: String) -> String { canonicalWords[word] ?? word }

    /// Whether a canonical word is a street suffix or a directional.
    public static func isDesignator(_ word: String) -> Bool { designators.contains(word) }

    /// A street name's canonical words.
    public static func tokens(_ street: String) -> [String] { words(street).filter { $0 != "&" && $0 != "#" }.map(canonical) }

    /// A street name in canonical form, words separated by single spaces: "North Texas Street" → "n texas st".
    public static func normalize(_ street: String) -> String { tokens(street).joined(separator: " ") }
}
