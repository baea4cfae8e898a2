import Foundation

/// The community camera program's sharing terms: the version a sign-up must accept, and the text shown with it.
public enum CommunityTerms {
    /// The version of the terms in force.
    public static let currentVersion = "2026-12"
    /// Days footage of a partner camera is kept unless the partner's agreement says fewer.
    public static let defaultRetentionDays = 30
    /// The longest window one footage request may ask for.
    public static let maxRequestWindow: TimeInterval = 12 * 3600
    /// The terms, in plain language, as published on the transparency page.
    public static let summary: [String] = [
        "You keep ownership of your cameras and footage. The RTCC uses them only as your sharing tier allows.",
        "You can pause or withdraw sharing at any time in the owner portal; live access stops within seconds and nothing more is recorded.",
        "Every view, playback, export and footage request involving your cameras is logged, and you can read that log.",
        "Recorded footage is deleted after your retention period (30 days unless your agreement says fewer), except footage held as evidence in a case.",
        "Areas you mark as private are blacked out before any picture reaches RTCC staff; only staff with the unmask permission can lift a mask, for a stated purpose that is logged.",
        "Footage requests name a case number and a reason, cover at most 12 hours, and expire if you do not answer; you may always decline.",
    ]
}

/// Where a public sign-up stands.
public enum ApplicationStatus: String, Codable, Sendable, CaseIterable {
    /// Submitted; the e-mail address is not verified yet.
    case unverified
    /// Verified; waiting for RTCC staff to review.
    case pending
    /// Approved: the partner, its cameras and its account exist.
    case approved
    /// Rejected by RTCC staff.
    case rejected
}

/// One camera as a sign-up describes it.
public struct ApplicationCamera: Codable, Sendable, Hashable {
    /// The owner's name for it ("Front door").
    public var label: String
    /// Where it is mounted.
    public var location: GeoPoint
    /// Compass heading of the view, degrees clockwise from north.
    public var headingDeg: Double
    /// Horizontal field of view, degrees.
    public var fieldOfViewDeg: Double
    /// The sharing tier the owner chooses.
    public var sharing: SharingTier

    /// Creates a camera entry.
    public init(label: String, location: GeoPoint, headingDeg: Double = 0, fieldOfViewDeg: Double = 90, sharing: SharingTier) {
        self.label = label
        self.location = location
        self.headingDeg = headingDeg
        self.fieldOfViewDeg = fieldOfViewDeg
        self.sharing = sharing
    }

    private enum CodingKeys: String, CodingKey { case label, location, headingDeg, fieldOfViewDeg, sharing }

    /// Decodes an entry; heading and field of view are optional.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            label: try c.decode(String.self, forKey: .label), location: try c.decode(GeoPoint.self, forKey: .location),
            headingDeg: try c.decodeIfPresent(Double.self, forKey: .headingDeg) ?? 0,
            fieldOfViewDeg: try c.decodeIfPresent(Double.self, forKey: .fieldOfViewDeg) ?? 90, sharing: try c.decode(SharingTier.self, forKey: .sharing))
    }

    /// Problems with this entry, prefixed with `field`.
    public func validate(field: String) -> [FieldError] {
        var errors = location.validate(field: "\(field).location")
        if errors.isEmpty, location.latitude == 0, location.longitude == 0 {
            errors.append(FieldError(field: "\(field).location", reason: "0,0 is not a street position; place the camera on the map"))
        }
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.count > 80 { errors.append(FieldError(field: "\(field).label", reason: "must be 1-80 characters")) }
        if !headingDeg.isFinite || !(0..<360).contains(headingDeg) {
            errors.append(FieldError(field: "\(field).headingDeg", reason: "must be a compass heading from 0 up to (not including) 360"))
        }
        if !fieldOfViewDeg.isFinite || !(1...360).contains(fieldOfViewDeg) {
            errors.append(FieldError(field: "\(field).fieldOfViewDeg", reason: "must be from 1 to 360 degrees"))
        }
        return errors
    }
}

/// What a business or homeowner sends to join the program (no account needed).
public struct ApplicationDraft: Codable, Sendable, Hashable {
    /// Business or household.
    public var kind: Partner.Kind
    /// Business or household name.
    public var name: String
    /// Contact person.
    public var contactName: String
    /// Contact e-mail, verified before review.
    public var email: String
    /// Contact phone.
    public var phone: String?
    /// Street address.
    public var address: String
    /// The version of the terms accepted; must be ``CommunityTerms/currentVersion``.
    public var termsVersion: String
    /// Whether the terms were accepted; must be true.
    public var acceptTerms: Bool
    /// Days to keep footage (at most the program default).
    public var retentionDays: Int?
    /// The cameras to register.
    public var cameras: [ApplicationCamera]

    /// The JSON keys a client may send.
    public static let allowedKeys: Set<String> = [
        "kind", "name", "contactName", "email", "phone", "address", "termsVersion", "acceptTerms", "retentionDays", "cameras",
    ]

    /// Creates a draft.
    public init(
        kind: Partner.Kind, name: String, contactName: String, email: String, phone: String? = nil, address: String,
        termsVersion: String = CommunityTerms.currentVersion, acceptTerms: Bool = true, retentionDays: Int? = nil, cameras: [ApplicationCamera]
    ) {
        self.kind = kind
        self.name = name
        self.contactName = contactName
        self.email = email
        self.phone = phone
        self.address = address
        self.termsVersion = termsVersion
        self.acceptTerms = acceptTerms
        self.retentionDays = retentionDays
        self.cameras = cameras
    }

    /// Checks every field and reports all problems at once.
    public func validate() throws(ValidationError) {
        var errors: [FieldError] = []
        let partner = PartnerDraft(name: name, kind: kind, contactName: contactName, email: email, phone: phone, address: address)
        do { try partner.validate() } catch { errors += error.errors }
        let street = address.trimmingCharacters(in: .whitespaces)
        if !street.isEmpty, !(street.contains(where: \.isNumber) && street.contains(where: \.isLetter)) {
            errors.append(FieldError(field: "address", reason: "must be a street address with a number and a street name, e.g. 401 Texas St"))
        }
        if termsVersion != CommunityTerms.currentVersion {
            errors.append(FieldError(field: "termsVersion", reason: "the terms in force are version \(CommunityTerms.currentVersion); read and accept those"))
        }
        if !acceptTerms { errors.append(FieldError(field: "acceptTerms", reason: "the sharing terms must be accepted to join")) }
        if let retentionDays, !(1...CommunityTerms.defaultRetentionDays).contains(retentionDays) {
            errors.append(FieldError(field: "retentionDays", reason: "must be from 1 to \(CommunityTerms.defaultRetentionDays) days"))
        }
        if cameras.isEmpty || cameras.count > 20 { errors.append(FieldError(field: "cameras", reason: "register 1 to 20 cameras")) }
        for (index, camera) in cameras.prefix(20).enumerated() { errors += camera.validate(field: "cameras[\(index)]") }
        try ValidationError.check(errors)
    }
}

/// A sign-up as RTCC staff review it.
public struct PartnerApplication: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// Where it stands.
    public var status: ApplicationStatus
    /// What was sent.
    public var draft: ApplicationDraft
    /// When it was sent.
    public var createdAt: Date
    /// When the e-mail address was verified.
    public var verifiedAt: Date?
    /// When staff approved or rejected it.
    public var decidedAt: Date?
    /// Who decided.
    public var decidedBy: String?
    /// The reason given with a rejection.
    public var decisionNote: String?
    /// The partner made on approval.
    public var partnerID: UUID?

    /// Creates an application value.
    public init(
        id: UUID, status: ApplicationStatus, draft: ApplicationDraft, createdAt: Date, verifiedAt: Date?, decidedAt: Date?, decidedBy: String?,
        decisionNote: String?, partnerID: UUID?
    ) {
        self.id = id
        self.status = status
        self.draft = draft
        self.createdAt = createdAt
        self.verifiedAt = verifiedAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.decisionNote = decisionNote
        self.partnerID = partnerID
    }
}

/// Whether an owner is sharing a camera right now.
public enum SharingState: String, Codable, Sendable, CaseIterable {
    /// Shared as its tier says.
    case active
    /// Paused by the owner: no live view and no recording until resumed.
    case paused
    /// Consent withdrawn by the owner: no live view, no recording, no new requests.
    case revoked

    /// Whether live view and recording are allowed.
    public var allowsAccess: Bool { self == .active }
}

/// Where a footage request stands.
public enum FootageRequestStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for the owner.
    case pending
    /// The owner agreed; a clip is expected.
    case approved
    /// The owner declined.
    case declined
    /// Nobody answered in time.
    case expired
    /// The owner uploaded the clip; it is in the case's chain of custody.
    case fulfilled
}

/// What an analyst sends to ask an owner for footage.
public struct FootageRequestInput: Codable, Sendable, Hashable {
    /// The partner camera.
    public var cameraID: UUID
    /// The case the footage is for.
    public var caseNumber: String
    /// Why it is needed, shown to the owner.
    public var reason: String
    /// Start of the window.
    public var from: Date
    /// End of the window (at most 12 h after `from`).
    public var until: Date
    /// Hours the owner has to answer (1-168, default 72).
    public var expiresInHours: Int?

    /// The JSON keys a client may send.
    public static let allowedKeys: Set<String> = ["cameraID", "caseNumber", "reason", "from", "until", "expiresInHours"]

    /// Creates a draft.
    public init(cameraID: UUID, caseNumber: String, reason: String, from: Date, until: Date, expiresInHours: Int? = nil) {
        self.cameraID = cameraID
        self.caseNumber = caseNumber
        self.reason = reason
        self.from = from
        self.until = until
        self.expiresInHours = expiresInHours
    }

    /// Checks the fields, all problems at once.
    public func validate() throws(ValidationError) {
        var errors: [FieldError] = []
        let number = caseNumber.trimmingCharacters(in: .whitespaces)
        if number.isEmpty || number.count > 40 { errors.append(FieldError(field: "caseNumber", reason: "must be 1-40 characters")) }
        let why = reason.trimmingCharacters(in: .whitespaces)
        if why.count < 3 || why.count > 500 { errors.append(FieldError(field: "reason", reason: "must say why, in 3-500 characters")) }
        if until <= from {
            errors.append(FieldError(field: "until", reason: "must be after from"))
        } else if until.timeIntervalSince(from) > CommunityTerms.maxRequestWindow {
            errors.append(FieldError(field: "until", reason: "a request may cover at most 12 hours; split longer windows"))
        }
        if let expiresInHours, !(1...168).contains(expiresInHours) {
            errors.append(FieldError(field: "expiresInHours", reason: "must be from 1 to 168 hours"))
        }
        try ValidationError.check(errors)
    }
}

/// A stored request for a partner camera's footage.
public struct FootageRequest: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// The camera.
    public var cameraID: UUID
    /// The camera's owner.
    public var partnerID: UUID?
    /// The case number given.
    public var caseNumber: String
    /// The case, when the number names a case in the RTCC.
    public var caseID: UUID?
    /// Why.
    public var reason: String
    /// Window start.
    public var from: Date
    /// Window end.
    public var until: Date
    /// Where it stands.
    public var status: FootageRequestStatus
    /// Who asked.
    public var requestedBy: String
    /// When.
    public var createdAt: Date
    /// When an unanswered request expires.
    public var expiresAt: Date
    /// When the owner answered.
    public var decidedAt: Date?
    /// The owner's reason for declining.
    public var declineReason: String?
    /// SHA-256 of the uploaded clip.
    public var clipSHA256: String?
    /// Size of the uploaded clip.
    public var clipBytes: Int64?

    /// Creates a request value.
    public init(
        id: UUID, cameraID: UUID, partnerID: UUID?, caseNumber: String, caseID: UUID?, reason: String, from: Date, until: Date,
        status: FootageRequestStatus, requestedBy: String, createdAt: Date, expiresAt: Date, decidedAt: Date?, declineReason: String?,
        clipSHA256: String?, clipBytes: Int64?
    ) {
        self.id = id
        self.cameraID = cameraID
        self.partnerID = partnerID
        self.caseNumber = caseNumber
        self.caseID = caseID
        self.reason = reason
        self.from = from
        self.until = until
        self.status = status
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.decidedAt = decidedAt
        self.declineReason = declineReason
        self.clipSHA256 = clipSHA256
        self.clipBytes = clipBytes
    }
}

/// A mail waiting in (or sent from) the outbox.
public struct OutboxMail: Codable, Sendable, Hashable, Identifiable {
    /// Stable identifier.
    public var id: UUID
    /// Recipient address.
    public var to: String
    /// Subject line.
    public var subject: String
    /// Plain-text body.
    public var body: String
    /// When it was queued.
    public var createdAt: Date
    /// When it was handed to the mail server; nil while queued.
    public var sentAt: Date?
    /// Delivery attempts so far.
    public var attempts = 0
    /// The mail server's last refusal, or why it could not be reached.
    public var lastError: String?
    /// When delivery was given up (after ``OutboxMail/maximumAttempts``); nil while it is still tried.
    public var failedAt: Date?

    /// Attempts after which delivery is given up and the mail is marked failed.
    public static let maximumAttempts = 8

    /// Where the mail stands: `queued`, `sent` or `failed`.
    public var status: String { sentAt != nil ? "sent" : failedAt != nil ? "failed" : "queued" }

    /// Creates a mail value.
    public init(id: UUID, to: String, subject: String, body: String, createdAt: Date, sentAt: Date?) {
        self.id = id
        self.to = to
        self.subject = subject
        self.body = body
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// One deletion the retention policy made.
public struct DeletionRecord: Codable, Sendable, Hashable {
    /// The camera.
    public var cameraID: UUID
    /// The deleted segment.
    public var segmentID: UUID
    /// First picture in it.
    public var startedAt: Date
    /// Last picture in it.
    public var endedAt: Date
    /// Bytes freed.
    public var bytes: Int64
    /// Why: `retention <n> days` or `disk quota`.
    public var reason: String
    /// When it was deleted.
    public var deletedAt: Date

    /// Creates a record.
    public init(cameraID: UUID, segmentID: UUID, startedAt: Date, endedAt: Date, bytes: Int64, reason: String, deletedAt: Date) {
        self.cameraID = cameraID
        self.segmentID = segmentID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.bytes = bytes
        self.reason = reason
        self.deletedAt = deletedAt
    }
}
