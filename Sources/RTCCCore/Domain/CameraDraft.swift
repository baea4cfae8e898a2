import Foundation

/// Everything needed to create a camera, as accepted from the API, CSV or GeoJSON.
/// Stream URLs may carry credentials; ``validated()`` splits them off.
public struct CameraDraft: Codable, Sendable, Hashable {
    /// Unique name.
    public var name: String
    /// City, partner or temporary.
    public var kind: CameraKind
    /// Owning partner (required for partner cameras).
    public var partnerID: UUID?
    /// Mount position.
    public var location: GeoPoint
    /// Mount height, metres (0…200).
    public var mountHeightM: Double
    /// Heading, degrees (0..<360).
    public var headingDeg: Double
    /// Horizontal field of view, degrees (1…360).
    public var fieldOfViewDeg: Double
    /// Viewing range, metres (1…2000).
    public var rangeM: Double
    /// Main stream URL, possibly with credentials.
    public var mainStreamURL: String?
    /// Sub stream URL, possibly with credentials.
    public var subStreamURL: String?
    /// Sharing tier.
    public var sharing: SharingTier
    /// Retention, days (1…3650).
    public var retentionDays: Int
    /// Active window (temporary cameras).
    public var activeWindow: ActiveWindow?
    /// Tags.
    public var tags: [String]
    /// Whether the recorder may answer a camera's Basic authentication challenge over plain (unencrypted) RTSP, which
    /// sends the password in clear. False by default; Digest is always allowed. Stored sealed with the credentials.
    public var allowPlainBasicAuth: Bool
    /// The main stream's picture width, pixels (16…16384), as a stream test reports it; nil when not known.
    /// Given together with ``verticalPixels``.
    public var horizontalPixels: Int?
    /// The main stream's picture height, pixels (16…16384); nil when not known.
    public var verticalPixels: Int?
    /// The main stream's frame rate (0.1…240 frames per second); nil when not known.
    public var framesPerSecond: Double?
    /// Whether two recorder nodes of a cluster record the camera at once (each its own copy), so that losing either
    /// node loses nothing of it. False by default; a single server records one copy whatever this says.
    public var redundant: Bool

    /// The JSON keys a client may send; any other key is rejected.
    public static let allowedKeys: Set<String> = [
        "name", "kind", "partnerID", "location", "mountHeightM", "headingDeg", "fieldOfViewDeg", "rangeM",
        "mainStreamURL", "subStreamURL", "sharing", "retentionDays", "activeWindow", "tags", "allowPlainBasicAuth",
        "horizontalPixels", "verticalPixels", "framesPerSecond", "redundant",
    ]

    /// Creates a draft; optional properties get sensible defaults for a fixed street camera.
    public init(
        name: String, kind: CameraKind, partnerID: UUID? = nil, location: GeoPoint, mountHeightM: Double = 4,
        headingDeg: Double = 0, fieldOfViewDeg: Double = 90, rangeM: Double = 60, mainStreamURL: String? = nil,
        subStreamURL: String? = nil, sharing: SharingTier = .live, retentionDays: Int = 30,
        activeWindow: ActiveWindow? = nil, tags: [String] = [], allowPlainBasicAuth: Bool = false, horizontalPixels: Int? = nil,
        verticalPixels: Int? = nil, framesPerSecond: Double? = nil, redundant: Bool = false
    ) {
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
        self.sharing = sharing
        self.retentionDays = retentionDays
        self.activeWindow = activeWindow
        self.tags = tags
        self.allowPlainBasicAuth = allowPlainBasicAuth
        self.horizontalPixels = horizontalPixels
        self.verticalPixels = verticalPixels
        self.framesPerSecond = framesPerSecond
        self.redundant = redundant
    }

    private enum CodingKeys: String, CodingKey {
        case name, kind, partnerID, location, mountHeightM, headingDeg, fieldOfViewDeg, rangeM
        case mainStreamURL, subStreamURL, sharing, retentionDays, activeWindow, tags, allowPlainBasicAuth
        case horizontalPixels, verticalPixels, framesPerSecond, redundant
    }

    /// Decodes a draft; missing optional fields take the same defaults as ``init(name:kind:partnerID:location:mountHeightM:headingDeg:fieldOfViewDeg:rangeM:mainStreamURL:subStreamURL:sharing:retentionDays:activeWindow:tags:allowPlainBasicAuth:horizontalPixels:verticalPixels:framesPerSecond:redundant:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            kind: try c.decode(CameraKind.self, forKey: .kind),
            partnerID: try c.decodeIfPresent(UUID.self, forKey: .partnerID),
            location: try c.decode(GeoPoint.self, forKey: .location),
            mountHeightM: try c.decodeIfPresent(Double.self, forKey: .mountHeightM) ?? 4,
            headingDeg: try c.decodeIfPresent(Double.self, forKey: .headingDeg) ?? 0,
            fieldOfViewDeg: try c.decodeIfPresent(Double.self, forKey: .fieldOfViewDeg) ?? 90,
            rangeM: try c.decodeIfPresent(Double.self, forKey: .rangeM) ?? 60,
            mainStreamURL: try c.decodeIfPresent(String.self, forKey: .mainStreamURL),
            subStreamURL: try c.decodeIfPresent(String.self, forKey: .subStreamURL),
            sharing: try c.decodeIfPresent(SharingTier.self, forKey: .sharing) ?? .live,
            retentionDays: try c.decodeIfPresent(Int.self, forKey: .retentionDays) ?? 30,
            activeWindow: try c.decodeIfPresent(ActiveWindow.self, forKey: .activeWindow),
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
            allowPlainBasicAuth: try c.decodeIfPresent(Bool.self, forKey: .allowPlainBasicAuth) ?? false,
            horizontalPixels: try c.decodeIfPresent(Int.self, forKey: .horizontalPixels),
            verticalPixels: try c.decodeIfPresent(Int.self, forKey: .verticalPixels),
            framesPerSecond: try c.decodeIfPresent(Double.self, forKey: .framesPerSecond),
            redundant: try c.decodeIfPresent(Bool.self, forKey: .redundant) ?? false)
    }

    /// The draft's fields checked, with stream credentials (user information and credential query parameters) split off.
    /// Only the syntax and the hosts refused whatever the configuration are checked here; the server checks the
    /// configured ``NetworkPolicy`` (which needs name resolution) with ``ValidCamera/outboundRefusals(policy:)``.
    public func validated() throws(ValidationError) -> ValidCamera {
        var errors: [FieldError] = []
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 120 {
            errors.append(FieldError(field: "name", reason: "must be 1-120 characters"))
        }
        errors += location.validate(field: "location")
        errors += Self.range(mountHeightM, 0...200, "mountHeightM", "metres")
        if !headingDeg.isFinite || headingDeg < 0 || headingDeg >= 360 {
            errors.append(FieldError(field: "headingDeg", reason: "must be at least 0 and less than 360 degrees"))
        }
        errors += Self.range(fieldOfViewDeg, 1...360, "fieldOfViewDeg", "degrees")
        errors += Self.range(rangeM, 1...2000, "rangeM", "metres")
        if !(1...3650).contains(retentionDays) {
            errors.append(FieldError(field: "retentionDays", reason: "must be 1-3650 days"))
        }
        if kind == .partner && partnerID == nil {
            errors.append(FieldError(field: "partnerID", reason: "is required for partner cameras"))
        }
        if kind == .temporary && activeWindow == nil {
            errors.append(FieldError(field: "activeWindow", reason: "is required for temporary cameras"))
        }
        if let window = activeWindow, window.until <= window.from {
            errors.append(FieldError(field: "activeWindow.until", reason: "must be after activeWindow.from"))
        }
        if tags.count > 32 || tags.contains(where: { $0.isEmpty || $0.count > 40 || $0.contains(",") }) {
            errors.append(FieldError(field: "tags", reason: "at most 32 tags of 1-40 characters, no commas"))
        }
        errors += pictureErrors()
        let main = Self.stream(mainStreamURL, "mainStreamURL", &errors)
        let sub = Self.stream(subStreamURL, "subStreamURL", &errors)
        try ValidationError.check(errors)
        var clean = self
        clean.name = trimmed
        clean.mainStreamURL = main?.address
        clean.subStreamURL = sub?.address
        return ValidCamera(draft: clean, mainCredentials: main?.credentials, subCredentials: sub?.credentials)
    }

    /// Problems with the picture size and frame rate: each in range, width and height given together.
    private func pictureErrors() -> [FieldError] {
        var errors: [FieldError] = []
        for (field, value) in [("horizontalPixels", horizontalPixels), ("verticalPixels", verticalPixels)] {
            if let value, !(16...16384).contains(value) {
                errors.append(FieldError(field: field, reason: "must be 16-16384 pixels"))
            }
        }
        if horizontalPixels != nil && verticalPixels == nil {
            errors.append(FieldError(field: "verticalPixels", reason: "is required with horizontalPixels (give the picture's width and height)"))
        }
        if verticalPixels != nil && horizontalPixels == nil {
            errors.append(FieldError(field: "horizontalPixels", reason: "is required with verticalPixels (give the picture's width and height)"))
        }
        if let framesPerSecond {
            errors += Self.range(framesPerSecond, 0.1...240, "framesPerSecond", "frames per second")
        }
        return errors
    }

    private static func range(_ value: Double, _ range: ClosedRange<Double>, _ field: String, _ unit: String) -> [FieldError] {
        guard value.isFinite, range.contains(value) else {
            return [FieldError(field: field, reason: "must be \(range.lowerBound.formatted())-\(range.upperBound.formatted()) \(unit)")]
        }
        return []
    }

    private static func stream(_ text: String?, _ field: String, _ errors: inout [FieldError]) -> StreamURL? {
        guard let text, !text.isEmpty else { return nil }
        do {
            return try StreamURL(parsing: text, field: field)
        } catch {
            errors += error.errors
            return nil
        }
    }
}

/// A draft that passed validation: URLs are credential-free and the credentials are held apart.
public struct ValidCamera: Sendable, Hashable {
    /// The credentials of both streams and the plain-Basic permission, as sealed at rest (empty when there are none).
    public var secrets: CameraSecrets {
        CameraSecrets(main: mainCredentials, sub: subCredentials, allowPlainBasicAuth: draft.allowPlainBasicAuth)
    }

    /// Problems with the stream URLs' hosts under `policy`: every address a host resolves to must be allowed.
    /// Resolution blocks; call it off latency-sensitive paths.
    public func outboundRefusals(policy: NetworkPolicy) -> [FieldError] {
        var errors: [FieldError] = []
        for (field, address) in [("mainStreamURL", draft.mainStreamURL), ("subStreamURL", draft.subStreamURL)] {
            guard let address, let host = URLComponents(string: address)?.host else { continue }
            do {
                _ = try policy.check(host: host)
            } catch {
                errors.append(FieldError(field: field, reason: "host refused: \(error.reason)"))
            }
        }
        return errors
    }

    /// The cleaned draft (trimmed name, URLs without credentials).
    public var draft: CameraDraft
    /// Credentials taken from the main stream URL.
    public var mainCredentials: StreamCredentials?
    /// Credentials taken from the sub stream URL.
    public var subCredentials: StreamCredentials?
}

private extension Double {
    func formatted() -> String { self == rounded() ? String(Int(self)) : String(self) }
}
