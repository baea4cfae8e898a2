import Foundation

/// An event received from an outside system before (or without) a crime report: a gunshot detection, a licence-plate
/// read, a call for service, or a community tip. Stored once per source and source event id (intake is idempotent).
public struct LeadEvent: Codable, Sendable, Hashable, Identifiable {
    /// What kind of event.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case gunshot, plateRead = "plate_read", cadCall = "cad_call", tip
    }

    /// Our id.
    public var id: UUID
    /// What kind.
    public var kind: Kind
    /// The sending system (the API token's name).
    public var source: String
    /// The sender's own id for the event; with `source` and `kind` it identifies the event.
    public var sourceEventID: String
    /// When it happened, by the sender's clock.
    public var occurredAt: Date
    /// When we received it first.
    public var receivedAt: Date
    /// Where, when known.
    public var location: GeoPoint?
    /// The camera that made the read (plate reads).
    public var cameraID: UUID?
    /// Current status (calls for service; updated by later messages with the same call id).
    public var status: String?
    /// The validated fields as sent, without large media.
    public var attributes: [String: String]
    /// The alert it raised, if any.
    public var alertID: UUID?

    /// Creates an event.
    public init(
        id: UUID = UUID(), kind: Kind, source: String, sourceEventID: String, occurredAt: Date, receivedAt: Date, location: GeoPoint?,
        cameraID: UUID? = nil, status: String? = nil, attributes: [String: String] = [:], alertID: UUID? = nil
    ) {
        self.id = id
        self.kind = kind
        self.source = source
        self.sourceEventID = sourceEventID
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.location = location
        self.cameraID = cameraID
        self.status = status
        self.attributes = attributes
        self.alertID = alertID
    }
}

/// The area intake accepts events in: a latitude/longitude box around the city.
public struct IntakeArea: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Southern edge.
    public var south: Double
    /// Western edge.
    public var west: Double
    /// Northern edge.
    public var north: Double
    /// Eastern edge.
    public var east: Double

    /// Creates a box; `south < north`, `west < east`.
    public init(south: Double, west: Double, north: Double, east: Double) {
        self.south = south
        self.west = west
        self.north = north
        self.east = east
    }

    /// Parses `south,west,north,east` in decimal degrees.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let s = parts[0], let w = parts[1], let n = parts[2], let e = parts[3], s.isFinite, w.isFinite, n.isFinite,
            e.isFinite, (-90...90).contains(s), (-90...90).contains(n), (-180...180).contains(w), (-180...180).contains(e), s < n, w < e
        else { return nil }
        self.init(south: s, west: w, north: n, east: e)
    }

    /// The demo city (Shreveport and Bossier City, with the State Fair grounds).
    public static let demoCity = IntakeArea(south: 32.35, west: -93.95, north: 32.65, east: -93.55)

    /// Whether `point` lies inside.
    public func contains(_ point: GeoPoint) -> Bool {
        (south...north).contains(point.latitude) && (west...east).contains(point.longitude)
    }

    /// `south,west,north,east`.
    public var description: String { "\(south),\(west),\(north),\(east)" }
}
