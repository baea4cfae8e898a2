import Foundation

/// Strict ISO 8601 / RFC 3339 times, the only form the API and the command line accept:
/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of a second (1–9 digits), then `Z` or an offset `±HH:MM`.
///
/// Every field must be in range: month 1–12, a day that exists in that month (leap years counted), hour 0–23,
/// minute 0–59, second 0–59, offset hours 0–23 and minutes 0–59. Foundation's parsers roll `12:99:00Z` over to
/// `13:39:00Z`; this one refuses it, so a typing mistake never becomes a different time.
public enum ISO8601Time {
    /// The time `text` names, or nil when it is not exactly of the form above with every field in range.
    public static func parse(_ text: String) -> Date? {
        if let plain = UTCTimestamp.parse(text) { return plain }
        var text = text
        return text.withUTF8 { bytes -> Date? in parse(bytes) }
    }

    /// A sentence for error messages.
    public static let expectedForm = "an ISO 8601 time such as 2026-11-01T00:00:00Z, 2026-11-01T00:00:00.250Z or 2026-11-01T08:00:00-06:00"

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 20, let wholeSeconds = UTCTimestamp.secondsSince1970(ofDateTimePrefix: bytes) else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            var scale = 0.1
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard (1...9).contains(index - start) else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = UTCTimestamp.decimal(bytes, from: index + 1, count: 2), let minutes = UTCTimestamp.decimal(bytes, from: index + 4, count: 2), hours < 24, minutes < 60
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(wholeSeconds - offsetSeconds) + fraction)
    }
}

extension JSONDecoder.DateDecodingStrategy {
    /// Dates as ``ISO8601Time`` reads them; anything else fails to decode with a sentence that shows the form.
    public static var strictISO8601: JSONDecoder.DateDecodingStrategy {
        .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Time.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be \(ISO8601Time.expectedForm)")
            }
            return date
        }
    }
}
