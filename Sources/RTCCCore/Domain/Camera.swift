import Foundation

/// Who runs a camera.
public enum CameraKind: String, Codable, Sendable, CaseIterable {
    /// Owned by the city.
    case city
    /// Shared by a registered business or homeowner.
    case partner
    /// Mounted for an event, with an active window.
    case temporary
}

/// How much of a camera the RTCC may use.
public enum SharingTier: String, Codable, Sendable, CaseIterable {
    /// Location only; footage by request to the owner.
    case registered
    /// Footage may be pulled on request, no live view.
    case onRequest = "on_request"
    /// Live and recorded 24/7.
    case live
    /// Live only while an alarm or alert is active.
    case alarmOnly = "alarm_only"
}

/// A time window during which a (temporary) camera is active.
public struct ActiveWindow: Codable, Sendable, Hashable {
    /// Start of the window.
    public var from: Date
    /// End of the window.
    public var until: Date

    /// Creates a window.
    public init(from: Date, until: Date) {
        self.from = from
        self.until = until
    }
}

/// A camera in the registry, as the API shows it: stream credentials are never included.
public struct Camera: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// Unique human name, e.g. "Texas St & Market St NE".
    public var name: String
    /// City, partner or temporary.
    public var kind: CameraKind
    /// The owning partner, for partner cameras.
    public var partnerID: UUID?
    /// Where the camera is mounted.
    public var location: GeoPoint
    /// Mount height above ground, metres.
    public var mountHeightM: Double
    /// Compass heading of the optical axis, degrees clockwise from north (0..<360).
    public var headingDeg: Double
    /// Horizontal field of view, degrees (1...360).
    public var fieldOfViewDeg: Double
    /// Useful viewing range, metres.
    public var rangeM: Double
    /// Main stream URL with any credentials removed.
    public var mainStreamURL: String?
    /// Sub (low-resolution) stream URL with any credentials removed.
    public var subStreamURL: String?
    /// Whether stream credentials are stored (encrypted) for this camera.
    public var hasCredentials: Bool
    /// Sharing tier.
    public var sharing: SharingTier
    /// Days recordings are kept.
    public var retentionDays: Int
    /// Active window, for temporary cameras.
    public var activeWindow: ActiveWindow?
    /// Free tags ("downtown", "fairgrounds", "ptz").
    public var tags: [String]
    /// The main stream's picture width in pixels, as probed or entered; nil when not known (DORI then assumes 1920).
    public var horizontalPixels: Int?
    /// The main stream's picture height in pixels; nil when not known.
    public var verticalPixels: Int?
    /// The main stream's frame rate, frames per second; nil when not known.
    public var framesPerSecond: Double?
    /// Whether two recorder nodes of a cluster record it at once (see ``CameraDraft/redundant``).
    public var redundant: Bool
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates a camera value.
    public init(
        id: UUID, name: String, kind: CameraKind, partnerID: UUID?, location: GeoPoint, mountHeightM: Double,
        headingDeg: Double, fieldOfViewDeg: Double, rangeM: Double, mainStreamURL: String?, subStreamURL: String?,
        hasCredentials: Bool, sharing: SharingTier, retentionDays: Int, activeWindow: ActiveWindow?, tags: [String],
        createdAt: Date, updatedAt: Date, horizontalPixels: Int? = nil, verticalPixels: Int? = nil, framesPerSecond: Double? = nil,
        redundant: Bool = false
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.partnerID = partnerID
        self.location = location
        self.mountHeightM = mountHeightM
        self.headingDeg = headingDeg
        self.fieldOfViewDeg = fieldOfViewDeg
        self.rangeM = rangeM
        self.mainStreamURL = mainStreamURL
        self.subStreamURL = subStreamURL
        self.hasCredentials = hasCredentials
        self.sharing = sharing
        self.retentionDays = retentionDays
        self.activeWindow = activeWindow
        self.tags = tags
        self.horizontalPixels = horizontalPixels
        self.verticalPixels = verticalPixels
        self.framesPerSecond = framesPerSecond
        self.redundant = redundant
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
