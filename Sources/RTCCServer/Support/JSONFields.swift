import Foundation
import RTCCCore

/// Typed, range-checked reads of a JSON object's fields; every refusal is a ``ValidationError`` naming the field
/// (with its path, such as `demand.bandwidthM`) and saying what to send instead.
struct JSONFields {
    /// The object read.
    let object: [String: Any]
    /// Prefix for field names in errors (`demand.`), empty at the top level.
    let path: String

    /// Wraps `object`, refusing any key outside `allowed`.
    init(_ object: [String: Any], allowed: Set<String>, path: String = "") throws(ValidationError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ValidationError(field: path + unknown, reason: "is not a known field (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        self.object = object
        self.path = path
    }

    /// The full name of `key` for errors.
    func name(_ key: String) -> String { path + key }

    /// Whether `key` is present (and not null).
    func has(_ key: String) -> Bool { object[key].map { !($0 is NSNull) } ?? false }

    /// A finite number within `range`, or `fallback` when absent.
    func number(_ key: String, in range: ClosedRange<Double>, default fallback: Double? = nil, unit: String = "") throws(ValidationError) -> Double? {
        guard has(key) else { return fallback }
        guard let value = object[key] as? Double, value.isFinite, range.contains(value) else {
            throw ValidationError(field: name(key), reason: "must be a number\(unit) from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
        }
        return value
    }

    /// A whole number within `range`, or `fallback` when absent.
    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws(ValidationError) -> Int? {
        guard has(key) else { return fallback }
        guard let value = object[key] as? Double, value.rounded() == value, value >= Double(range.lowerBound),
            value <= Double(range.upperBound)
        else { throw ValidationError(field: name(key), reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return Int(value)
    }

    /// A string, or nil when absent.
    func string(_ key: String) throws(ValidationError) -> String? {
        guard has(key) else { return nil }
        guard let value = object[key] as? String else { throw ValidationError(field: name(key), reason: "must be a string") }
        return value
    }

    /// A boolean, or `fallback` when absent.
    func bool(_ key: String, default fallback: Bool) throws(ValidationError) -> Bool {
        guard has(key) else { return fallback }
        guard let value = object[key] as? Bool else { throw ValidationError(field: name(key), reason: "must be true or false") }
        return value
    }

    /// An ISO 8601 time, or nil when absent.
    func date(_ key: String) throws(ValidationError) -> Date? {
        guard let text = try string(key) else { return nil }
        guard let date = ISO8601Time.parse(text) else { throw ValidationError(field: name(key), reason: "must be \(ISO8601Time.expectedForm)") }
        return date
    }

    /// A nested object, its keys limited to `allowed`, or nil when absent.
    func nested(_ key: String, allowed: Set<String>) throws(ValidationError) -> JSONFields? {
        guard has(key) else { return nil }
        guard let value = object[key] as? [String: Any] else { throw ValidationError(field: name(key), reason: "must be a JSON object") }
        return try JSONFields(value, allowed: allowed, path: name(key) + ".")
    }

    /// An array of objects, or nil when absent.
    func objects(_ key: String, most: Int) throws(ValidationError) -> [[String: Any]]? {
        guard has(key) else { return nil }
        guard let values = object[key] as? [Any], let objects = values as? [[String: Any]] else {
            throw ValidationError(field: name(key), reason: "must be an array of JSON objects")
        }
        guard objects.count <= most else { throw ValidationError(field: name(key), reason: "has \(objects.count) items, more than the \(most) allowed") }
        return objects
    }

    /// An array of finite numbers, each within `range`, or nil when absent.
    func numbers(_ key: String, in range: ClosedRange<Double>, count: ClosedRange<Int>) throws(ValidationError) -> [Double]? {
        guard has(key) else { return nil }
        guard let values = object[key] as? [Any], count.contains(values.count),
            let numbers = values as? [Double], numbers.allSatisfy({ $0.isFinite && range.contains($0) })
        else {
            throw ValidationError(
                field: name(key),
                reason: "must be \(count.lowerBound) to \(count.upperBound) numbers, each from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
        }
        return numbers
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
