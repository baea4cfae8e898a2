import Foundation

/// A business or homeowner sharing cameras with the RTCC.
public struct Partner: Codable, Sendable, Hashable, Identifiable {
    /// Whether the partner is a business or a household.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case business, homeowner
    }

    /// Where the partner stands in the program.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Signed up, not yet reviewed.
        case pending
        /// Sharing under the recorded consent.
        case active
        /// Temporarily paused by the RTCC.
        case suspended
        /// Consent withdrawn by the owner.
        case withdrawn
    }

    /// Stable identifier.
    public var id: UUID
    /// Business or household name.
    public var name: String
    /// Business or homeowner.
    public var kind: Kind
    /// Contact person.
    public var contactName: String
    /// Contact e-mail.
    public var email: String
    /// Contact phone.
    public var phone: String?
    /// Street address.
    public var address: String
    /// The consent the partner gave.
    public var consent: Consent?
    /// Program status.
    public var status: Status
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates a partner value.
    public init(
        id: UUID, name: String, kind: Kind, contactName: String, email: String, phone: String?, address: String,
        consent: Consent?, status: Status, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.contactName = contactName
        self.email = email
        self.phone = phone
        self.address = address
        self.consent = consent
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A record of consent: which version of the sharing terms was accepted, and when.
public struct Consent: Codable, Sendable, Hashable {
    /// Version of the terms accepted, e.g. "2026-01".
    public var termsVersion: String
    /// When they were accepted.
    public var acceptedAt: Date

    /// Creates a consent record.
    public init(termsVersion: String, acceptedAt: Date) {
        self.termsVersion = termsVersion
        self.acceptedAt = acceptedAt
    }
}

/// The fields a client sends to create or replace a partner.
public struct PartnerDraft: Codable, Sendable, Hashable {
    /// Name.
    public var name: String
    /// Business or homeowner.
    public var kind: Partner.Kind
    /// Contact person.
    public var contactName: String
    /// Contact e-mail.
    public var email: String
    /// Contact phone.
    public var phone: String?
    /// Street address.
    public var address: String
    /// Consent record.
    public var consent: Consent?
    /// Status (defaults to pending).
    public var status: Partner.Status?

    /// The JSON keys a client may send.
    public static let allowedKeys: Set<String> = ["name", "kind", "contactName", "email", "phone", "address", "consent", "status"]

    /// Creates a draft.
    public init(
        name: String, kind: Partner.Kind, contactName: String, email: String, phone: String? = nil, address: String,
        consent: Consent? = nil, status: Partner.Status? = nil
    ) {
        self.name = name
        self.kind = kind
        self.contactName = contactName
        self.email = email
        self.phone = phone
        self.address = address
        self.consent = consent
        self.status = status
    }

    /// Checks the fields; an active partner must have a consent record.
    public func validate() throws(ValidationError) {
        var errors: [FieldError] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 160 {
            errors.append(FieldError(field: "name", reason: "must be 1-160 characters"))
        }
        if contactName.trimmingCharacters(in: .whitespaces).isEmpty || contactName.count > 160 {
            errors.append(FieldError(field: "contactName", reason: "must be 1-160 characters"))
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        if email.count > 254 || parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.contains(" ") {
            errors.append(FieldError(field: "email", reason: "must be an e-mail address like name@example.org"))
        }
        if let phone, phone.count > 40 || phone.contains(where: { !"0123456789+-() .x".contains($0) }) {
            errors.append(FieldError(field: "phone", reason: "may hold only digits, spaces and + - ( ) . x"))
        }
        if address.trimmingCharacters(in: .whitespaces).isEmpty || address.count > 300 {
            errors.append(FieldError(field: "address", reason: "must be 1-300 characters"))
        }
        if let consent, consent.termsVersion.isEmpty || consent.termsVersion.count > 40 {
            errors.append(FieldError(field: "consent.termsVersion", reason: "must be 1-40 characters"))
        }
        if (status ?? .pending) == .active && consent == nil {
            errors.append(FieldError(field: "consent", reason: "an active partner needs a consent record"))
        }
        try ValidationError.check(errors)
    }
}
