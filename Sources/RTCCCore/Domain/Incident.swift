import Foundation

/// A past reported incident (used for history, trends and coverage analysis).
public struct Incident: Codable, Sendable, Hashable, Identifiable {
    /// Incident category.
    public enum Category: String, Codable, Sendable, CaseIterable {
        case shooting, shotsFired = "shots_fired", robbery, assault, burglary, vehicleTheft = "vehicle_theft"
        case carjacking, homicide, vandalism, narcotics
    }

    /// Stable identifier.
    public var id: UUID
    /// When it happened.
    public var occurredAt: Date
    /// Category.
    public var category: Category
    /// Where.
    public var location: GeoPoint
    /// Free text summary.
    public var summary: String
    /// Whether a firearm was recovered.
    public var weaponRecovered: Bool
    /// The police case (report) number, for imported crime data.
    public var caseNumber: String?
    /// The NIBRS offense code it was reported under (`09A`, `13A`…), for imported crime data.
    public var offenseCode: String?

    /// Creates an incident.
    public init(
        id: UUID, occurredAt: Date, category: Category, location: GeoPoint, summary: String, weaponRecovered: Bool, caseNumber: String? = nil,
        offenseCode: String? = nil
    ) {
        self.caseNumber = caseNumber
        self.offenseCode = offenseCode
        self.id = id
        self.occurredAt = occurredAt
        self.category = category
        self.location = location
        self.summary = summary
        self.weaponRecovered = weaponRecovered
    }
}

/// A named area such as an event venue, stored as a polygon ring.
public struct Venue: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// Name, e.g. "State Fair of Louisiana fairgrounds".
    public var name: String
    /// Closed ring of points (first point not repeated).
    public var polygon: [GeoPoint]

    /// Creates a venue.
    public init(id: UUID, name: String, polygon: [GeoPoint]) {
        self.id = id
        self.name = name
        self.polygon = polygon
    }
}
