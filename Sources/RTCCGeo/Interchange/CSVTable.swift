import Foundation

/// A CSV file (RFC 4180: commas, double-quoted fields, "" for a quote inside one, LF or CRLF) with a header row.
///
/// Header names are matched case-insensitively after trimming. Blank lines are skipped. Each record keeps the line it
/// starts on, for error messages.
public struct CSVTable: Sendable, Hashable {
    /// The header names, lowercased and trimmed.
    public let header: [String]
    /// The records after the header, each with the 1-based line it starts on.
    public let records: [(line: Int, fields: [String])]

    /// Parses `text`.
    public init(text: String) throws(InterchangeError) {
        var rows: [(Int, [String])] = []
        var field = "", fields: [String] = [], quoted = false, line = 1, start = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) { rows.append((start, fields)) }
            fields = []
            field = ""
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            pending = next
                        }
                    } else { quoted = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty {
                quoted = true
                field = ""
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                endRecord()
                line += 1
                start = line
            } else {
                field.append(c)
            }
        }
        if quoted { throw InterchangeError([.init(location: "line \(start)", message: "a quoted field is not closed: add the closing \"")]) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = rows.first else { throw InterchangeError("the file is empty: it needs a header row") }
        header = first.1.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        records = rows.dropFirst().map { (line: $0.0, fields: $0.1.map { $0.trimmingCharacters(in: .whitespaces) }) }
    }

    /// The column of the first of `names` present in the header.
    public func column(_ names: String...) -> Int? {
        for name in names { if let i = header.firstIndex(of: name) { return i } }
        return nil
    }

    /// Two tables are equal when their headers and records are.
    public static func == (lhs: CSVTable, rhs: CSVTable) -> Bool {
        lhs.header == rhs.header && lhs.records.map(\.line) == rhs.records.map(\.line) && lhs.records.map(\.fields) == rhs.records.map(\.fields)
    }

    /// Hashes the header and records.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        for record in records {
            hasher.combine(record.line)
            hasher.combine(record.fields)
        }
    }
}

/// Reads typed fields of one CSV record, collecting problems instead of stopping at the first.
struct RecordReader {
    let line: Int
    let fields: [String]
    var problems: [InterchangeError.Problem] = []

    init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    mutating func fail(_ message: String) { problems.append(.init(location: "line \(line)", message: message)) }

    mutating func text(_ column: Int?) -> String? {
        guard let column else { return nil }
        guard column < fields.count else {
            fail("has \(fields.count) field\(fields.count == 1 ? "" : "s"), fewer than the header")
            return nil
        }
        return fields[column]
    }

    mutating func number(_ column: Int?, _ name: String, range: ClosedRange<Double>, required: Bool = true) -> Double? {
        guard let raw = text(column) else { return nil }
        if raw.isEmpty {
            if required { fail("\(name) is empty: give a number") }
            return nil
        }
        guard let value = Double(raw), value.isFinite else {
            fail("\(name) '\(raw)' is not a number")
            return nil
        }
        guard range.contains(value) else {
            fail("\(name) \(raw) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return value
    }
}
