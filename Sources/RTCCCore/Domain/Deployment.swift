import Foundation

/// A temporary deployment for an event (a state fair, a parade, a concert): a named area and a time window, with the
/// temporary cameras mounted for it. Its cameras are ingested and recorded only inside the window.
public struct Deployment: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// The event's name, e.g. "State Fair of Louisiana 2026".
    public var name: String
    /// Free notes (organiser, contacts, radio channel).
    public var notes: String
    /// The stored venue the area was taken from, if any.
    public var venueID: UUID?
    /// The event's area: an outer ring of points (first point not repeated), then any holes.
    public var area: [[GeoPoint]]
    /// When the event (and its cameras' window) starts.
    public var startsAt: Date
    /// When it ends.
    public var endsAt: Date
    /// The temporary cameras mounted for it.
    public var cameraIDs: [UUID]
    /// Who created it.
    public var createdBy: String
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// The window its cameras are active in.
    public var window: ActiveWindow { ActiveWindow(from: startsAt, until: endsAt) }

    /// Where the event is in time, seen from `now`.
    public func phase(at now: Date) -> Phase {
        if now < startsAt { return .upcoming }
        return now < endsAt ? .running : .ended
    }

    /// Before, during or after the event.
    public enum Phase: String, Codable, Sendable, CaseIterable {
        /// Not started.
        case upcoming
        /// Under way: its cameras record.
        case running
        /// Over: the after-event report is final.
        case ended
    }

    /// Creates a deployment value.
    public init(
        id: UUID, name: String, notes: String, venueID: UUID?, area: [[GeoPoint]], startsAt: Date, endsAt: Date, cameraIDs: [UUID],
        createdBy: String, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.notes = notes
        self.venueID = venueID
        self.area = area
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.cameraIDs = cameraIDs
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The fields of a deployment a caller sets, checked together so every problem is reported at once.
public struct DeploymentDraft: Sendable, Hashable {
    /// The longest event window accepted.
    public static let longestWindow: TimeInterval = 92 * 86_400

    /// The event's name (1–200 characters).
    public var name: String
    /// Free notes (at most 4,000 characters).
    public var notes: String
    /// The venue the area came from.
    public var venueID: UUID?
    /// The area's rings (already checked as a polygon by the caller, which owns the geometry).
    public var area: [[GeoPoint]]
    /// Start of the window.
    public var startsAt: Date
    /// End of the window.
    public var endsAt: Date

    /// Creates a draft.
    public init(name: String, notes: String = "", venueID: UUID? = nil, area: [[GeoPoint]], startsAt: Date, endsAt: Date) {
        self.name = name
        self.notes = notes
        self.venueID = venueID
        self.area = area
        self.startsAt = startsAt
        self.endsAt = endsAt
    }

    /// The draft with its name and notes trimmed, or every problem found.
    public func validated() throws(ValidationError) -> DeploymentDraft {
        var draft = self
        draft.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        draft.notes = notes.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [FieldError] = []
        if draft.name.isEmpty || draft.name.count > 200 { problems.append(FieldError(field: "name", reason: "must be 1-200 characters")) }
        if draft.notes.count > 4000 { problems.append(FieldError(field: "notes", reason: "must be at most 4000 characters")) }
        if area.first.map({ $0.count < 3 }) ?? true {
            problems.append(FieldError(field: "polygon", reason: "must be a polygon with at least 3 corners"))
        }
        if endsAt <= startsAt {
            problems.append(FieldError(field: "endsAt", reason: "must be after startsAt"))
        } else if endsAt.timeIntervalSince(startsAt) > Self.longestWindow {
            problems.append(FieldError(field: "endsAt", reason: "is more than 92 days after startsAt: split a longer deployment into events"))
        }
        try ValidationError.check(problems)
        return draft
    }
}
