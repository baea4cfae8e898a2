import Foundation

/// Something that happened somewhere at some time (a call for service, a shooting, a theft).
public struct Incident: Sendable, Hashable {
    /// When it happened.
    public var time: Date
    /// Its kind, as the source names it (`burglary`, `shots fired`…).
    public var type: String
    /// Where it happened.
    public var location: Coordinate

    /// Creates an incident.
    public init(time: Date, type: String, location: Coordinate) {
        self.time = time
        self.type = type
        self.location = location
    }
}
