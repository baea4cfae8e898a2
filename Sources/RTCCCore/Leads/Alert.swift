import Foundation

/// A lead put in front of analysts: raised by an intake event (gunshot, plate hit, call for service, tip), by on-camera
/// analytics, or by a camera going offline. Stored in the `alerts` table, whose column names and values are a contract
/// with the dashboard.
public struct Alert: Codable, Sendable, Hashable, Identifiable {
    /// What raised the alert (the `kind` column).
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case gunshot, plateHit = "plate_hit", cadCall = "cad_call", tip, motion, detection, cameraOffline = "camera_offline"
        /// A camera's clock disagrees with the server's beyond the recorder's tolerance (its footage is timed by the server).
        case cameraClock = "camera_clock"
        /// A camera's video arrives but cannot be written (disk full, folder unwritable).
        case recordingFailed = "recording_failed"
        /// The server was not running (stopped, or killed without shutting down): nothing was recorded for that time.
        case serverDown = "server_down"

        /// Kinds about the camera (or the server) itself rather than something a camera saw: they bookmark nothing and open no alarm sharing.
        public var concernsTheCameraItself: Bool { self == .cameraOffline || self == .cameraClock || self == .recordingFailed || self == .serverDown }
    }

    /// How urgent it is (the `severity` column), lowest first.
    public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
        case low, medium, high, critical

        /// The order used to sort the queue.
        public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Where it is in triage (the `status` column).
    public enum Status: String, Codable, Sendable, CaseIterable {
        case open, acknowledged, assigned, escalated, dismissed, closed

        /// Whether the alert still needs someone (it shows in the open queue).
        public var isActive: Bool { self != .dismissed && self != .closed }
    }

    /// Alert id.
    public var id: UUID
    /// What raised it.
    public var kind: Kind
    /// How urgent.
    public var severity: Severity
    /// Triage state.
    public var status: Status
    /// One line for the queue.
    public var title: String
    /// More about what happened.
    public var detail: String
    /// When it was raised.
    public var raisedAt: Date
    /// When an analyst first acknowledged it (or acted on it).
    public var acknowledgedAt: Date?
    /// Seconds from raising to acknowledging.
    public var secondsToAcknowledge: Double? { acknowledgedAt.map { ($0.timeIntervalSince(raisedAt) * 1000).rounded() / 1000 } }
    /// The case it was linked to.
    public var caseID: UUID?
    /// The camera it is about (offline, analytics) or the nearest camera that could see it.
    public var cameraID: UUID?
    /// Where it happened.
    public var location: GeoPoint?
    /// The intake event that raised it.
    public var eventID: UUID?
    /// Who it is assigned to.
    public var assignedTo: String?
    /// Why it was dismissed.
    public var dismissReason: String?
    /// Last change.
    public var updatedAt: Date
    /// The recordings bookmarked around the event, nearest camera first (detail views only).
    public var bookmarks: [AlertBookmark]?
    /// What happened to it, oldest first (detail views only).
    public var history: [AlertHistoryEntry]?

    /// Creates an alert.
    public init(
        id: UUID = UUID(), kind: Kind, severity: Severity, status: Status = .open, title: String, detail: String = "", raisedAt: Date,
        acknowledgedAt: Date? = nil, caseID: UUID? = nil, cameraID: UUID? = nil, location: GeoPoint? = nil, eventID: UUID? = nil,
        assignedTo: String? = nil, dismissReason: String? = nil, updatedAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.severity = severity
        self.status = status
        self.title = title
        self.detail = detail
        self.raisedAt = raisedAt
        self.acknowledgedAt = acknowledgedAt
        self.caseID = caseID
        self.cameraID = cameraID
        self.location = location
        self.eventID = eventID
        self.assignedTo = assignedTo
        self.dismissReason = dismissReason
        self.updatedAt = updatedAt ?? raisedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, kind, severity, status, title, detail, raisedAt, acknowledgedAt, secondsToAcknowledge, caseID, cameraID, location, eventID
        case assignedTo, dismissReason, updatedAt, bookmarks, history
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        kind = try c.decode(Kind.self, forKey: .kind)
        severity = try c.decode(Severity.self, forKey: .severity)
        status = try c.decode(Status.self, forKey: .status)
        title = try c.decode(String.self, forKey: .title)
        detail = try c.decodeIfPresent(String.self, forKey: .detail) ?? ""
        raisedAt = try c.decode(Date.self, forKey: .raisedAt)
        acknowledgedAt = try c.decodeIfPresent(Date.self, forKey: .acknowledgedAt)
        caseID = try c.decodeIfPresent(UUID.self, forKey: .caseID)
        cameraID = try c.decodeIfPresent(UUID.self, forKey: .cameraID)
        location = try c.decodeIfPresent(GeoPoint.self, forKey: .location)
        eventID = try c.decodeIfPresent(UUID.self, forKey: .eventID)
        assignedTo = try c.decodeIfPresent(String.self, forKey: .assignedTo)
        dismissReason = try c.decodeIfPresent(String.self, forKey: .dismissReason)
        updatedAt = try c.decodeIfPresent(Date.self, forKey: .updatedAt) ?? raisedAt
        bookmarks = try c.decodeIfPresent([AlertBookmark].self, forKey: .bookmarks)
        history = try c.decodeIfPresent([AlertHistoryEntry].self, forKey: .history)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(severity, forKey: .severity)
        try c.encode(status, forKey: .status)
        try c.encode(title, forKey: .title)
        try c.encode(detail, forKey: .detail)
        try c.encode(raisedAt, forKey: .raisedAt)
        try c.encodeIfPresent(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encodeIfPresent(secondsToAcknowledge, forKey: .secondsToAcknowledge)
        try c.encodeIfPresent(caseID, forKey: .caseID)
        try c.encodeIfPresent(cameraID, forKey: .cameraID)
        try c.encodeIfPresent(location, forKey: .location)
        try c.encodeIfPresent(eventID, forKey: .eventID)
        try c.encodeIfPresent(assignedTo, forKey: .assignedTo)
        try c.encodeIfPresent(dismissReason, forKey: .dismissReason)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(bookmarks, forKey: .bookmarks)
        try c.encodeIfPresent(history, forKey: .history)
    }
}

/// A camera's recording bookmarked for an alert: the span around the event that the camera could have seen.
public struct AlertBookmark: Codable, Sendable, Hashable {
    /// Camera.
    public var cameraID: UUID
    /// Its name when the alert was raised.
    public var cameraName: String
    /// Distance from the camera to the event, metres.
    public var distanceM: Double
    /// Start of the bookmarked span.
    public var from: Date
    /// End of the bookmarked span.
    public var until: Date

    /// Creates a bookmark.
    public init(cameraID: UUID, cameraName: String, distanceM: Double, from: Date, until: Date) {
        self.cameraID = cameraID
        self.cameraName = cameraName
        self.distanceM = distanceM
        self.from = from
        self.until = until
    }
}

/// One thing that happened to an alert: raised, acknowledged, assigned, a note, linked to a case…
public struct AlertHistoryEntry: Codable, Sendable, Hashable {
    /// When.
    public var at: Date
    /// Who (a user name, a token, or `system`).
    public var actor: String
    /// What: `raised`, `acknowledge`, `assign`, `escalate`, `dismiss`, `close`, `note`, `link`, `cleared`, `updated`.
    public var action: String
    /// The note's text, the assignee, the reason…
    public var detail: String

    /// Creates an entry.
    public init(at: Date, actor: String, action: String, detail: String) {
        self.at = at
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}
