import Foundation

/// A parsed RFC 4180 CSV document: records with the line each one starts on.
public struct CSVTable: Sendable {
    /// One record and the 1-based line where it begins.
    public struct Record: Sendable {
        /// 1-based line number of the record's first character.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]
    }

    /// Why a document is not valid CSV.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        /// Line where the problem is.
        public var line: Int
        /// What is wrong.
        public var reason: String
        /// `line N: reason`.
        public var description: String { "line \(line): \(reason)" }
    }

    /// All records, the header first.
    public var records: [Record]

    /// Parses CSV text (comma separated, `"` quoting with `""` escapes, CRLF or LF line ends).
    public init(parsing text: String) throws(SyntaxError) {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var afterQuote = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = ""
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
                    } else { inQuotes = false; afterQuote = true }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r":
                continue
            case "\n":
                endRecord()
                afterQuote = false
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty, !afterQuote else { throw SyntaxError(line: line, reason: "a quote inside an unquoted field") }
                inQuotes = true
            default:
                guard !afterQuote else { throw SyntaxError(line: line, reason: "text after a closing quote") }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw SyntaxError(line: recordLine, reason: "a quoted field is never closed") }
        endRecord()
        self.records = records
    }

    /// Writes one CSV line, quoting fields that need it. Every field goes through ``neutralised(_:)`` first, so a
    /// spreadsheet that opens the file never runs a cell as a formula.
    public static func line(_ fields: [String]) -> String {
        fields.map { raw in
            let field = neutralised(raw)
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }

    /// A field a spreadsheet will show as text: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
    /// (what spreadsheets read as the start of a formula) gets a leading `'`, the OWASP rule against CSV injection.
    /// Plain decimal numbers such as `-93.75` or `+1` stay as they are: no spreadsheet reads a bare number as a formula,
    /// and coordinates must survive an export and import unchanged.
    public static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, formulaStarts.contains(first) else { return field }
        if isPlainNumber(field) { return field }
        return "'" + field
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `[+-]digits[.digits][e[+-]digits]` and nothing else.
    private static func isPlainNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
        func digits() -> Int {
            let count = scalars.prefix(while: { ("0"..."9").contains($0) }).count
            scalars = scalars.dropFirst(count)
            return count
        }
        var mantissa = digits()
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }
}
