import Foundation

/// JSON text written value by value, byte for byte as ``JSONCoding/encoder`` writes the same values: keys in the
/// order given (callers give them sorted, as `.sortedKeys` sorts them: by their UTF-8 bytes), slashes unescaped,
/// dates in ISO 8601 to the whole second in UTC, numbers in their shortest form without a trailing `.0`.
///
/// For the few types written at every intake event (the alert pushed to every analyst, the event in the answer),
/// where `JSONEncoder`'s reflective containers cost more than the rest of the request. Each such type's output is
/// checked against `JSONEncoder`'s by the tests.
public struct JSONText: Sendable {
    /// The text so far, UTF-8.
    public private(set) var bytes: [UInt8] = []
    /// Whether the innermost open object or array has no member yet.
    private var atFirstMember = true

    /// An empty text with room for `capacity` bytes.
    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// The text as a string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Writes an object whose members `body` writes (with ``key(_:)`` before each value).
    public mutating func object(_ body: (inout JSONText) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atFirstMember = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        atFirstMember = false
    }

    /// Writes an array of `elements`, each written by `element`.
    public mutating func array<Element>(_ elements: some Sequence<Element>, _ element: (inout JSONText, Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        atFirstMember = true
        for value in elements { element(&self, value) }
        bytes.append(UInt8(ascii: "]"))
        atFirstMember = false
    }

    /// Writes an object of strings, its keys sorted by their UTF-8 bytes (as `.sortedKeys` sorts them).
    public mutating func object(of members: [String: String]) {
        object { json in
            for name in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                json.key(escaping: name)
                json.string(members[name] ?? "")
            }
        }
    }

    /// Writes a member's key (a plain name that needs no escaping); its value follows.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        atFirstMember = true
    }

    /// Writes a member's key that may need escaping (a dictionary's); its value follows.
    public mutating func key(escaping name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        atFirstMember = true
    }

    /// Writes an already encoded JSON value as it is.
    public mutating func encoded(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
    }

    /// Writes a string, escaped as `JSONEncoder` escapes it.
    public mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case ..<0x20:
                bytes.append(contentsOf: Array(#"\u00"#.utf8))
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a number as `JSONEncoder` writes it: the shortest form that reads back the same, less a trailing `.0`.
    /// JSON has no form for infinities and NaN, which `JSONEncoder` refuses outright; no field written here can hold
    /// one, and should one appear it is written as `null` rather than failing the whole alert.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        separate()
        let text = value.description
        bytes.append(contentsOf: text.hasSuffix(".0") ? text.utf8.dropLast(2) : text.utf8[...])
    }

    /// Writes a whole number.
    public mutating func number(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes a UUID as `JSONEncoder` does: its upper-case string.
    public mutating func uuid(_ value: UUID) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: value.uuidString.utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a date as the `.iso8601` strategy does: `2026-12-01T21:45:57Z`, the fraction of a second dropped.
    public mutating func date(_ value: Date) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        UTCTimestamp.write(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A comma before every member of an object or array but its first.
    private mutating func separate() {
        if atFirstMember { atFirstMember = false } else { bytes.append(UInt8(ascii: ",")) }
    }
}
