import Foundation

/// Why a file could not be read: every problem found, each with its line (CSV) or feature (GeoJSON), so one pass fixes
/// them all. Nothing of a file with any problem is used.
public struct InterchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem in the file.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// 1-based line (CSV) or 0-based feature number (GeoJSON); nil for the file as a whole.
        public var location: String?
        /// What is wrong and what is expected.
        public var message: String

        /// Creates a problem.
        public init(location: String?, message: String) {
            self.location = location
            self.message = message
        }

        /// "line 3: …" or just the message.
        public var description: String { location.map { "\($0): \(message)" } ?? message }
    }

    /// Every problem, in file order.
    public var problems: [Problem]

    /// Creates an error from its problems.
    public init(_ problems: [Problem]) { self.problems = problems }

    /// One problem for the whole file.
    public init(_ message: String) { problems = [Problem(location: nil, message: message)] }

    /// All problems, one per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
