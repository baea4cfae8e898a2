import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Why a sign-up token (e-mail verification or account activation) did not work.
public enum ApplicationTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No sign-up has this token.
    case unknown
    /// The token was used already.
    case used
    /// The token's time ran out.
    case expired

    /// What happened and what to do.
    public var description: String {
        switch self {
        case .unknown: return "this link is not valid: copy the whole link from the e-mail"
        case .used: return "this link was used already; each link works once"
        case .expired: return "this link has expired; sign up again (verification links last 24 hours, activation links 7 days)"
        }
    }
}

/// Public sign-ups to the community camera program, and the mail outbox.
public struct ApplicationRepository: Sendable {
    let database: any Database

    /// Stores a new, unverified sign-up; returns it with the verification token (only its SHA-256 is stored).
    public func submit(_ draft: ApplicationDraft, source: String, verifyFor lifetime: TimeInterval = 86_400, now: Date = Date()) async throws
        -> (application: PartnerApplication, token: String)
    {
        let token = SecretToken.generate(prefix: "rtccv_")
        let now = now.millisecondPrecision
        let row = ApplicationRow(
            id: UUID(), status: ApplicationStatus.unverified.rawValue, kind: draft.kind.rawValue, name: draft.name.trimmingCharacters(in: .whitespaces),
            contactName: draft.contactName, email: draft.email.lowercased(), phone: draft.phone, address: draft.address,
            termsVersion: draft.termsVersion, retentionDays: draft.retentionDays,
            cameras: String(decoding: try JSONCoding.encoder.encode(draft.cameras), as: UTF8.self), source: source,
            verifyTokenHash: SecretToken.digest(token), verifyExpiresAt: now.addingTimeInterval(lifetime), createdAt: now)
        try await database.sql.insert(into: "partner_applications").model(row, with: rowEncoder).run()
        return (try row.application(), token)
    }

    /// Marks the sign-up whose verification token this is as verified (pending review), once.
    public func verify(token: String, now: Date = Date()) async throws -> PartnerApplication {
        let hash = SecretToken.digest(token)
        guard let row = try await row(where: "verify_token_hash", hash) else { throw ApplicationTokenError.unknown }
        guard row.verifiedAt == nil else { throw ApplicationTokenError.used }
        guard row.verifyExpiresAt > now else { throw ApplicationTokenError.expired }
        let updated = try await database.sql.update("partner_applications")
            .set("status", to: ApplicationStatus.pending.rawValue).set("verified_at", to: now.millisecondPrecision)
            .where("id", .equal, row.id).where("verified_at", .is, SQLLiteral.null).returning("id").all()
        guard !updated.isEmpty else { throw ApplicationTokenError.used }
        return try await find(id: row.id)!
    }

    /// One sign-up, or nil.
    public func find(id: UUID) async throws -> PartnerApplication? {
        try await row(where: "id", id)?.application()
    }

    /// Sign-ups newest first, optionally only those with `status`.
    public func list(status: ApplicationStatus? = nil, limit: Int = 50, offset: Int = 0) async throws -> Page<PartnerApplication> {
        func base(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            let from = select.from("partner_applications")
            return status.map { from.where("status", .equal, $0.rawValue) } ?? from
        }
        let total = try await base(database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n"))
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let rows = try await base(database.sql.select().column("*")).orderBy("created_at", .descending).limit(limit).offset(offset)
            .all(decoding: ApplicationRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Page(items: try rows.map { try $0.application() }, total: total, limit: limit, offset: offset)
    }

    /// Records a decision on a pending sign-up, once. Returns false when it is not pending (unverified or decided).
    public func decide(
        id: UUID, approved: Bool, by actor: String, note: String?, partnerID: UUID?, userID: UUID?, activationToken: String?,
        activationFor lifetime: TimeInterval = 7 * 86_400, now: Date = Date()
    ) async throws -> Bool {
        let now = now.millisecondPrecision
        var update = database.sql.update("partner_applications")
            .set("status", to: (approved ? ApplicationStatus.approved : .rejected).rawValue).set("decided_at", to: now).set("decided_by", to: actor)
            .set("decision_note", to: note).set("partner_id", to: partnerID).set("user_id", to: userID)
        if let activationToken {
            update = update.set("activation_token_hash", to: SecretToken.digest(activationToken))
                .set("activation_expires_at", to: now.addingTimeInterval(lifetime))
        }
        let rows = try await update.where("id", .equal, id).where("status", .equal, ApplicationStatus.pending.rawValue).returning("id").all()
        return !rows.isEmpty
    }

    /// Uses an activation token once; returns the partner user it activates.
    public func activate(token: String, now: Date = Date()) async throws -> UUID {
        guard let row = try await row(where: "activation_token_hash", SecretToken.digest(token)), let userID = row.userId else {
            throw ApplicationTokenError.unknown
        }
        guard row.activatedAt == nil else { throw ApplicationTokenError.used }
        guard let expires = row.activationExpiresAt, expires > now else { throw ApplicationTokenError.expired }
        let updated = try await database.sql.update("partner_applications").set("activated_at", to: now.millisecondPrecision)
            .where("id", .equal, row.id).where("activated_at", .is, SQLLiteral.null).returning("id").all()
        guard !updated.isEmpty else { throw ApplicationTokenError.used }
        return userID
    }

    /// Sign-ups from `source` since `since` (the rate limit's memory survives restarts).
    public func count(source: String, since: Date) async throws -> Int {
        try await database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("partner_applications")
            .where("source", .equal, source).where("created_at", .greaterThanOrEqual, since.millisecondPrecision)
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }

    private func row(where column: String, _ value: some Encodable & Sendable) async throws -> ApplicationRow? {
        try await database.sql.select().column("*").from("partner_applications").where(SQLIdentifier(column), .equal, SQLBind(value))
            .first(decoding: ApplicationRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    // MARK: Outbox

    /// Queues a mail.
    @discardableResult
    public func queueMail(to: String, subject: String, body: String, now: Date = Date()) async throws -> OutboxMail {
        let mail = OutboxMail(id: UUID(), to: to, subject: subject, body: body, createdAt: now.millisecondPrecision, sentAt: nil)
        try await database.sql.insert(into: "outbox").model(OutboxRow(mail), with: rowEncoder).run()
        return mail
    }

    /// Mails newest first, optionally only those to `to`.
    public func mails(to: String? = nil, limit: Int = 50) async throws -> [OutboxMail] {
        var select = database.sql.select().column("*").from("outbox")
        if let to { select = select.where("to_address", .equal, to.lowercased()) }
        return try await select.orderBy("created_at", .descending).limit(limit)
            .all(decoding: OutboxRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.mail)
    }

    /// Mails not yet handed to the mail server nor given up, oldest first.
    public func unsent(limit: Int = 50) async throws -> [OutboxMail] {
        try await database.sql.select().column("*").from("outbox").where("sent_at", .is, SQLLiteral.null).where("failed_at", .is, SQLLiteral.null)
            .orderBy("created_at").limit(limit)
            .all(decoding: OutboxRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.mail)
    }

    /// Unsent mails whose next attempt is due at `now` (or that were never tried), oldest first.
    public func due(limit: Int = 50, now: Date = Date()) async throws -> [OutboxMail] {
        try await database.sql.select().column("*").from("outbox").where("sent_at", .is, SQLLiteral.null).where("failed_at", .is, SQLLiteral.null)
            .where { $0.where("next_attempt_at", .is, SQLLiteral.null).orWhere("next_attempt_at", .lessThanOrEqual, now.millisecondPrecision) }
            .orderBy("created_at").limit(limit)
            .all(decoding: OutboxRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.mail)
    }

    /// Marks a mail as handed to the mail server.
    public func markSent(id: UUID, now: Date = Date()) async throws {
        try await database.sql.update("outbox").set("sent_at", to: now.millisecondPrecision).set("last_error", to: SQLLiteral.null)
            .where("id", .equal, id).run()
    }

    /// Notes a failed delivery attempt: the mail is tried again at `retryAt`, or given up when `retryAt` is nil.
    public func markAttemptFailed(id: UUID, error: String, retryAt: Date?, now: Date = Date()) async throws {
        var update = database.sql.update("outbox").set("attempts", to: SQLRaw("attempts + 1")).set("last_error", to: String(error.prefix(500)))
        if let retryAt {
            update = update.set("next_attempt_at", to: retryAt.millisecondPrecision)
        } else {
            update = update.set("failed_at", to: now.millisecondPrecision)
        }
        try await update.where("id", .equal, id).run()
    }

    /// Queues a given-up mail again (an administrator fixed the relay settings).
    public func retry(id: UUID) async throws -> Bool {
        let found = try await database.sql.select().column("id").from("outbox").where("id", .equal, id).where("sent_at", .is, SQLLiteral.null).first() != nil
        guard found else { return false }
        try await database.sql.update("outbox").set("failed_at", to: SQLLiteral.null).set("next_attempt_at", to: SQLLiteral.null)
            .set("attempts", to: 0).where("id", .equal, id).run()
        return true
    }
}

/// A `partner_applications` row.
struct ApplicationRow: Codable, Sendable {
    var id: UUID
    var status: String
    var kind: String
    var name: String
    var contactName: String
    var email: String
    var phone: String?
    var address: String
    var termsVersion: String
    var retentionDays: Int?
    var cameras: String
    var source: String
    var verifyTokenHash: String
    var verifyExpiresAt: Date
    var verifiedAt: Date? = nil
    var decidedAt: Date? = nil
    var decidedBy: String? = nil
    var decisionNote: String? = nil
    var partnerId: UUID? = nil
    var activationTokenHash: String? = nil
    var activationExpiresAt: Date? = nil
    var activatedAt: Date? = nil
    var userId: UUID? = nil
    var createdAt: Date

    func application() throws -> PartnerApplication {
        let draft = ApplicationDraft(
            kind: Partner.Kind(rawValue: kind) ?? .business, name: name, contactName: contactName, email: email, phone: phone, address: address,
            termsVersion: termsVersion, acceptTerms: true, retentionDays: retentionDays,
            cameras: try JSONCoding.decoder.decode([ApplicationCamera].self, from: Data(cameras.utf8)))
        return PartnerApplication(
            id: id, status: ApplicationStatus(rawValue: status) ?? .unverified, draft: draft, createdAt: createdAt.millisecondPrecision,
            verifiedAt: verifiedAt?.millisecondPrecision, decidedAt: decidedAt?.millisecondPrecision, decidedBy: decidedBy, decisionNote: decisionNote,
            partnerID: partnerId)
    }
}

/// An `outbox` row.
struct OutboxRow: Codable, Sendable {
    var id: UUID
    var toAddress: String
    var subject: String
    var body: String
    var createdAt: Date
    var sentAt: Date?
    var attempts: Int
    var lastError: String?
    var nextAttemptAt: Date?
    var failedAt: Date?

    init(_ mail: OutboxMail) {
        id = mail.id
        toAddress = mail.to.lowercased()
        subject = mail.subject
        body = mail.body
        createdAt = mail.createdAt
        sentAt = mail.sentAt
        attempts = mail.attempts
        lastError = mail.lastError
        nextAttemptAt = nil
        failedAt = mail.failedAt
    }

    var mail: OutboxMail {
        var mail = OutboxMail(id: id, to: toAddress, subject: subject, body: body, createdAt: createdAt.millisecondPrecision, sentAt: sentAt?.millisecondPrecision)
        mail.attempts = attempts
        mail.lastError = lastError
        mail.failedAt = failedAt?.millisecondPrecision
        return mail
    }
}
