import Foundation
import RTCCCore

/// A wall-clock range `[from, until)`.
public struct TimeRange: Sendable, Hashable, Codable {
    /// Start.
    public var from: Date
    /// End.
    public var until: Date

    /// Creates a range.
    public init(from: Date, until: Date) {
        self.from = from
        self.until = until
    }
}

/// The answer to "who could have seen it": every camera whose view covers a point during a time window, nearest first.
public struct SeenReport: Sendable, Encodable {
    /// The point asked about.
    public var point: GeoPoint
    /// Start of the window.
    public var from: Date
    /// End of the window.
    public var until: Date
    /// When the answer was computed (retention times are counted from here).
    public var at: Date
    /// Building footprints that were taken into account as blocking sight lines.
    public var buildings: Int
    /// The covering cameras, nearest first.
    public var cameras: [SeenCamera]
}

/// One camera that could have seen the point, and where its footage is.
public struct SeenCamera: Sendable, Encodable {
    /// Where the footage for the window is.
    public enum Footage: String, Sendable, Encodable {
        /// Our recorder has footage in the window (see ``SeenCamera/recorded``).
        case recorded
        /// The owner keeps the footage (a registered or on-request private camera): send a footage request.
        case request
        /// We record this camera but hold nothing for the window (it was down, or the footage is gone).
        case notRecorded = "none"
    }

    /// Camera id.
    public var cameraID: UUID
    /// Camera name.
    public var name: String
    /// City, partner or temporary.
    public var kind: CameraKind
    /// Sharing tier.
    public var sharing: SharingTier
    /// The owning partner, for partner cameras.
    public var partnerID: UUID?
    /// Where the camera is.
    public var location: GeoPoint
    /// Ground distance from the camera to the point, metres.
    public var distanceM: Double
    /// The best DORI level at that distance (`detect`…`identify`), or nil beyond detection range.
    public var dori: String?
    /// Where the footage is.
    public var footage: Footage
    /// Recorded ranges inside the window (our recorder), merged.
    public var recorded: [TimeRange]
    /// Days the footage is kept where it is: by our recorder, the camera's retention or its owner's shorter agreed
    /// retention; by an owner, the days the camera was registered with.
    public var retentionDays: Int
    /// Whether retention will delete none of the window's recorded footage: every segment is under an evidence hold
    /// or bookmarked by an alert linked to a case.
    public var held: Bool
    /// Whether an alert's bookmark keeps some of the window's footage past the retention days (city and temporary
    /// cameras: for a number of days after the alert, or while it is linked to a case, unless it was dismissed).
    public var keptByAlerts: Bool
    /// When retention starts deleting this window's footage, by the rules the retention sweeper applies: the earliest
    /// time one of its segments may go (its end plus the retention days, or later while an alert's bookmark keeps it)
    /// for ours, or the window's start plus the retention days for an owner's; nil when none of it will go or there is none.
    public var deletionStartsAt: Date?
    /// Seconds from ``SeenReport/at`` to ``deletionStartsAt`` (0 when already due).
    public var retentionLeftSeconds: Double?
}
