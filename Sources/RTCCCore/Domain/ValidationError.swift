/// One problem with one input field, named so a client can show it beside the field.
public struct FieldError: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The field's name or JSON path (`location.latitude`), or `line 7: name` for imported rows.
    public var field: String
    /// What is wrong and what is expected.
    public var reason: String

    /// Creates a field error.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`.
    public var description: String { "\(field): \(reason)" }
}

/// Input that failed validation; carries every problem found, not just the first.
public struct ValidationError: Error, Sendable, CustomStringConvertible {
    /// The problems, in field order.
    public var errors: [FieldError]

    /// Creates a validation error from its problems.
    public init(_ errors: [FieldError]) { self.errors = errors }

    /// Creates a validation error with a single problem.
    public init(field: String, reason: String) { self.errors = [FieldError(field: field, reason: reason)] }

    /// All problems, one per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// Throws when `errors` is not empty.
    public static func check(_ errors: [FieldError]) throws(ValidationError) {
        if !errors.isEmpty { throw ValidationError(errors) }
    }
}
