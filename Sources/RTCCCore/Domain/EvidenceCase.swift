import Foundation

/// An investigation the RTCC works for: a police report number with what happened, where and when, what it is linked
/// to, notes, and the evidence exported for it.
public struct EvidenceCase: Codable, Sendable, Hashable, Identifiable {
    /// Where a case stands.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Being worked.
        case open
        /// Evidence has been released to police or a prosecutor.
        case released
        /// Finished; kept for the record.
        case closed
    }

    /// Stable identifier.
    public var id: UUID
    /// The police report (case) number, unique.
    public var number: String
    /// Kind of case, e.g. `shooting`, `burglary`.
    public var type: String
    /// Where it happened, as text (address or intersection).
    public var location: String
    /// Where it happened on the map, when known.
    public var point: GeoPoint?
    /// When it happened (start).
    public var occurredAt: Date
    /// When it ended, when known.
    public var occurredUntil: Date?
    /// Status.
    public var status: Status
    /// Who opened it.
    public var createdBy: String
    /// When it was opened.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// Linked cameras, incidents, events and alerts.
    public var links: [CaseLink]
    /// Notes, oldest first.
    public var notes: [CaseNote]

    /// Creates a case value.
    public init(
        id: UUID, number: String, type: String, location: String, point: GeoPoint?, occurredAt: Date, occurredUntil: Date?, status: Status,
        createdBy: String, createdAt: Date, updatedAt: Date, links: [CaseLink] = [], notes: [CaseNote] = []
    ) {
        self.id = id
        self.number = number
        self.type = type
        self.location = location
        self.point = point
        self.occurredAt = occurredAt
        self.occurredUntil = occurredUntil
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.links = links
        self.notes = notes
    }
}

/// Something a case refers to.
public struct CaseLink: Codable, Sendable, Hashable {
    /// What kind of thing.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A camera of the registry (reference: its id).
        case camera
        /// A reported incident (reference: its id).
        case incident
        /// A camera or system event (reference: as the event's source names it).
        case event
        /// An alert (reference: as the alerting system names it).
        case alert
        /// An evidence package exported for the case (reference: its id). Added by the export itself.
        case package
        /// A playback session opened under the case's number (reference: its id). Added when the session opens.
        case playback
        /// A hold placed on footage for the case (reference: its id). Added when the hold is placed.
        case hold
        /// A footage request sent to a camera's owner for the case (reference: its id). Added when it is sent.
        case footageRequest = "footage_request"

        /// The kinds a person links by hand; the others are added by the work they record, so a case's links cannot
        /// claim an export, a viewing, a hold or a request that did not happen.
        public static let linkedByHand: Set<Kind> = [.camera, .incident, .event, .alert]
    }

    /// What kind of thing.
    public var kind: Kind
    /// Its identifier.
    public var reference: String
    /// Who linked it.
    public var addedBy: String
    /// When.
    public var addedAt: Date

    /// Creates a link.
    public init(kind: Kind, reference: String, addedBy: String, addedAt: Date) {
        self.kind = kind
        self.reference = reference
        self.addedBy = addedBy
        self.addedAt = addedAt
    }
}

/// A note on a case. Notes are append-only.
public struct CaseNote: Codable, Sendable, Hashable {
    /// Note id.
    public var id: UUID
    /// Who wrote it.
    public var author: String
    /// When.
    public var at: Date
    /// The text.
    public var text: String

    /// Creates a note.
    public init(id: UUID, author: String, at: Date, text: String) {
        self.id = id
        self.author = author
        self.at = at
        self.text = text
    }
}

/// The fields of a case a person enters, before validation.
public struct CaseDraft: Codable, Sendable, Hashable {
    /// Police report number.
    public var number: String
    /// Kind of case.
    public var type: String
    /// Where, as text.
    public var location: String
    /// Where on the map.
    public var point: GeoPoint?
    /// When it happened.
    public var occurredAt: Date
    /// When it ended.
    public var occurredUntil: Date?
    /// Status (new cases are `open`).
    public var status: EvidenceCase.Status?

    /// Creates a draft.
    public init(
        number: String, type: String, location: String, point: GeoPoint? = nil, occurredAt: Date, occurredUntil: Date? = nil,
        status: EvidenceCase.Status? = nil
    ) {
        self.number = number
        self.type = type
        self.location = location
        self.point = point
        self.occurredAt = occurredAt
        self.occurredUntil = occurredUntil
        self.status = status
    }

    /// Letters, digits and `-`, `/`, `.`, `_`, space: what report numbers are made of.
    static let numberCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-/._ "))

    /// The draft with text trimmed, or every problem found.
    public func validated() throws(ValidationError) -> CaseDraft {
        var draft = self
        draft.number = number.trimmingCharacters(in: .whitespaces)
        draft.type = type.trimmingCharacters(in: .whitespaces)
        draft.location = location.trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        if draft.number.isEmpty || draft.number.count > 40 || !draft.number.unicodeScalars.allSatisfy(Self.numberCharacters.contains) {
            errors.append(FieldError(field: "number", reason: "must be 1-40 letters, digits, '-', '/', '.', '_' or spaces (the police report number)"))
        }
        if draft.type.isEmpty || draft.type.count > 60 { errors.append(FieldError(field: "type", reason: "must be 1-60 characters")) }
        if draft.location.count > 200 { errors.append(FieldError(field: "location", reason: "must be at most 200 characters")) }
        if let point { errors += point.validate(field: "point") }
        if let until = occurredUntil, until < occurredAt {
            errors.append(FieldError(field: "occurredUntil", reason: "must not be before occurredAt"))
        }
        try ValidationError.check(errors)
        return draft
    }
}
