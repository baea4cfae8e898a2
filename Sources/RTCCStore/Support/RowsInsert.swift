import SQLKit

/// A multi-row `INSERT` of values already in bind form, written straight into the serializer.
///
/// SQLKit's general builder wraps every value, row and list in an expression of its own and quotes every identifier
/// on each use; for the batches intake writes (a few hundred rows of a dozen values) that cost more than SQLite's own
/// work, on the single connection every other query waits for. The statement's text apart from its values is made
/// once per table.
struct RowsInsert: SQLExpression {
    /// The table and its columns, as `INSERT INTO "table" ("a", "b") VALUES ` (plain lowercase names, quoted).
    let head: String
    /// Values per row, in the columns' order.
    let rows: [[any Encodable & Sendable]]
    /// Text after the values, such as ` ON CONFLICT (…) DO NOTHING RETURNING "id"`.
    var tail = ""

    /// The `INSERT INTO … VALUES ` text for `table` and `columns`, made once and kept by the caller.
    static func head(table: String, columns: [String]) -> String {
        "INSERT INTO \"\(table)\" (" + quoted(columns) + ") VALUES "
    }

    /// Skips rows that would repeat a unique key on `columns`, in either database's syntax.
    static func ignoringConflicts(on columns: [String]) -> String {
        " ON CONFLICT (" + quoted(columns) + ") DO NOTHING"
    }

    /// `"a", "b"`: the names are the schema's own plain lowercase ones, so quoting needs no escaping.
    private static func quoted(_ names: [String]) -> String {
        names.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(head)
        for (index, row) in rows.enumerated() {
            serializer.write(index == 0 ? "(" : ", (")
            for (column, value) in row.enumerated() {
                if column > 0 { serializer.write(", ") }
                serializer.write(bind: value)
            }
            serializer.write(")")
        }
        serializer.write(tail)
    }
}
