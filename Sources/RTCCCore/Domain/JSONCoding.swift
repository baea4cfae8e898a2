import Foundation

/// The JSON conventions of the API: ISO 8601 dates, sorted keys.
public enum JSONCoding {
    /// Decoder for API input.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .strictISO8601
        return decoder
    }

    /// Encoder for API output.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A client-facing sentence for a decoding failure that names the field.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "is not valid JSON" }
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be of type \(Self.typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be a \(Self.typeName(type)), not null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "body is not valid JSON" }
            if context.debugDescription.hasPrefix("must be ") { return "\(path(context.codingPath)) \(context.debugDescription)" }
            return "\(path(context.codingPath)) has an invalid value"
        @unknown default:
            return "is not valid JSON"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "string"
        case is Double.Type, is Int.Type, is Int64.Type: return "number"
        case is Bool.Type: return "boolean"
        default: return String(describing: type).lowercased()
        }
    }
}

extension Date {
    /// This time rounded to whole milliseconds: the precision every store keeps exactly, so values read back compare equal.
    public var millisecondPrecision: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
