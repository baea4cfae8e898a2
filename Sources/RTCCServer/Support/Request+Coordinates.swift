import Foundation
import Hummingbird

extension Request {
    /// A required query parameter as a finite number (400 when absent or not a number).
    func queryDouble(_ name: String) throws -> Double {
        guard let text = uri.queryParameters.get(name), !text.isEmpty else { throw Problem.badRequest(field: name, "is required (decimal degrees)") }
        guard let value = Double(text), value.isFinite else { throw Problem.badRequest(field: name, "must be a number in decimal degrees") }
        return value
    }
}
