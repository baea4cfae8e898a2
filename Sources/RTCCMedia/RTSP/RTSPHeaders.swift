/// An ordered list of RTSP header fields whose names compare case-insensitively.
///
/// Order and the original spelling of names are kept, so a message can be written back as it was read.
public struct RTSPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Sendable, Equatable {
        /// The name as it was written.
        public var name: String
        /// The value, without surrounding whitespace.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    /// Creates an empty header list, or one holding `fields` in order.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    /// Creates a header list from a literal such as `["CSeq": "1"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Appends a field, keeping any field of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field called `name` and appends one with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field called `name`.
    public mutating func remove(name: String) {
        fields.removeAll { Self.equal($0.name, name) }
    }

    /// The value of the first field called `name`, if any.
    public subscript(name: String) -> String? {
        fields.first { Self.equal($0.name, name) }?.value
    }

    /// Every value of the fields called `name`, in order.
    public func values(name: String) -> [String] {
        fields.filter { Self.equal($0.name, name) }.map(\.value)
    }

    /// Whether a field called `name` is present.
    public func contains(name: String) -> Bool {
        fields.contains { Self.equal($0.name, name) }
    }

    /// Iterates over the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    /// The `CSeq` field as a number, if present and valid.
    public var cseq: Int? {
        self["CSeq"].flatMap { Int($0.trimmingASCIIWhitespace()) }
    }

    /// The `Content-Length` field as a number, if present and valid.
    public var contentLength: Int? {
        self["Content-Length"].flatMap { Int($0.trimmingASCIIWhitespace()) }
    }

    private static func equal(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count && lhs.lowercased() == rhs.lowercased()
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    /// Splits `self` at the first `separator`, trimming both sides.
    func splitOnce(_ separator: Character) -> (String, String?) {
        guard let index = firstIndex(of: separator) else { return (trimmingASCIIWhitespace(), nil) }
        let key = self[startIndex..<index].trimmingASCIIWhitespace()
        let value = self[self.index(after: index)...].trimmingASCIIWhitespace()
        return (key, value)
    }

    /// The string without one pair of surrounding double quotes.
    func unquoted() -> String {
        let trimmed = trimmingASCIIWhitespace()
        if trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
