import Foundation

/// A licence plate as read by a camera or typed in a hot list, normalised so the two compare: upper case, with spaces,
/// dashes, dots and other separators removed (`abc-1234`, `ABC 1234` and `ABC1234` are the same plate).
public struct PlateNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The normalised characters (A-Z, 0-9).
    public let value: String

    /// Normalises `text`; nil when nothing but separators is left, when it has other characters, or when it is longer
    /// than 10 characters (no jurisdiction issues longer plates).
    public init?(_ text: String) {
        var kept = ""
        for character in text.uppercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                kept.append(character)
            } else if character == " " || character == "-" || character == "." || character == "·" || character == "_" {
                continue
            } else {
                return nil
            }
        }
        guard (1...10).contains(kept.count) else { return nil }
        value = kept
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let plate = PlateNumber(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a licence plate"))
        }
        self = plate
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// A two-letter state or province code, upper-cased; nil unless it is two letters.
    public static func state(_ text: String) -> String? {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        return code
    }
}
