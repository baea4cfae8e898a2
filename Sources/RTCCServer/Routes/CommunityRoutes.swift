import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/community/…`: public sign-up with e-mail verification, staff review, account activation; the dev mail
/// viewer (`/api/v1/outbox`); partner retention policies and the deletion log.
struct CommunityRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.signUp, signUp)
        router.add(.signUpVerify, verify)
        router.add(.signUpActivate, activate)
        router.add(.applicationsList, list)
        router.add(.applicationApprove, approve)
        router.add(.applicationReject, reject)
        router.add(.outboxList, outbox)
        router.add(.partnerRetention, retention)
        router.add(.deletionsList, deletions)
    }

    private var onboarding: Onboarding { Onboarding(services: services) }

    /// What a sign-up answers: never the token (it goes only by mail).
    struct SignUpAccepted: Encodable {
        var id: UUID
        var status: ApplicationStatus
        var message: String
    }

    @Sendable func signUp(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let draft = try await request.decodeStrict(ApplicationDraft.self, allowed: ApplicationDraft.allowedKeys, context: context)
        try draft.validate()
        if let wait = await services.signUps.admit(context.source) {
            try await services.record("community.signup_throttled", detail: "too many sign-ups", by: nil, context: context)
            throw Problem(
                .tooManyRequests, "too many sign-ups from your address; wait \(wait) s or ask the RTCC to register your cameras",
                headers: [.retryAfter: String(wait)])
        }
        let (application, token) = try await services.store.applications.submit(draft, source: context.source)
        try await onboarding.mailVerification(application, token: token)
        try await services.record(
            "community.signup", target: "application:\(application.id)", detail: "\(draft.kind.rawValue), \(draft.cameras.count) camera(s)", by: nil,
            context: context, actorName: "public")
        return try Reply.json(
            SignUpAccepted(
                id: application.id, status: application.status,
                message: "we sent a link to \(draft.email): open it within 24 hours to confirm your address; RTCC staff review your sign-up after that"),
            status: .accepted)
    }

    struct TokenInput: Decodable { var token: String }

    @Sendable func verify(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(TokenInput.self, allowed: ["token"], context: context)
        let application: PartnerApplication
        do {
            application = try await services.store.applications.verify(token: input.token)
        } catch let error as ApplicationTokenError {
            throw Self.problem(error)
        }
        try await services.record("community.verify", target: "application:\(application.id)", by: nil, context: context, actorName: "public")
        return try Reply.json(SignUpAccepted(
            id: application.id, status: application.status, message: "thank you: your address is confirmed and RTCC staff will review your sign-up"))
    }

    struct ActivateInput: Decodable {
        var token: String
        var password: String
    }

    struct Activated: Encodable {
        var username: String
        var message: String
    }

    @Sendable func activate(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(ActivateInput.self, allowed: ["token", "password"], context: context)
        try User.validatePassword(input.password)
        let hash = try await services.passwords.hash(input.password)
        let userID: UUID
        do {
            userID = try await services.store.applications.activate(token: input.token)
        } catch let error as ApplicationTokenError {
            throw Self.problem(error)
        }
        guard let user = try await services.store.users.find(id: userID), try await services.store.users.setPassword(username: user.username, passwordHash: hash)
        else { throw Problem(.gone, "the account of this link no longer exists; ask the RTCC") }
        try await services.record("community.activate", target: "user:\(user.id)", by: nil, context: context, actorName: user.username)
        return try Reply.json(Activated(username: user.username, message: "your password is set: sign in as \(user.username)"))
    }

    static func problem(_ error: ApplicationTokenError) -> Problem {
        switch error {
        case .unknown: return Problem(.notFound, error.description)
        case .used: return Problem(.conflict, error.description)
        case .expired: return Problem(.gone, error.description)
        }
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let page = try await services.store.applications.list(
            status: try request.queryEnum("status", ApplicationStatus.self), limit: try request.queryInt("limit", in: 1...500, default: 50),
            offset: try request.queryInt("offset", in: 0...1_000_000, default: 0))
        try await services.record("community.applications_search", detail: request.uri.query ?? "", by: identity, context: context)
        return try Reply.json(page)
    }

    private func application(_ context: AppRequestContext) async throws -> PartnerApplication {
        guard let application = try await services.store.applications.find(id: try context.pathID("application")) else {
            throw Problem.notFound("application")
        }
        return application
    }

    struct ApprovalResult: Encodable {
        var application: PartnerApplication
        var partner: Partner
        var cameras: [Camera]
        var username: String
    }

    @Sendable func approve(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let application = try await application(context)
        let approved = try await onboarding.approve(application, by: identity?.actor ?? "system")
        try await services.record(
            "community.approve", target: "partner:\(approved.partner.id)",
            detail: "application \(application.id): \(approved.cameras.count) camera(s), user \(approved.user.username)", by: identity, context: context)
        let updated = try await services.store.applications.find(id: application.id) ?? application
        return try Reply.json(ApprovalResult(application: updated, partner: approved.partner, cameras: approved.cameras, username: approved.user.username))
    }

    struct RejectInput: Decodable { var reason: String }

    @Sendable func reject(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let application = try await application(context)
        let input = try await request.decodeStrict(RejectInput.self, allowed: ["reason"], context: context)
        let reason = input.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...500).contains(reason.count) else { throw ValidationError(field: "reason", reason: "tell the applicant why, in 3-500 characters") }
        try await onboarding.reject(application, reason: reason, by: identity?.actor ?? "system")
        try await services.record("community.reject", target: "application:\(application.id)", detail: reason, by: identity, context: context)
        return try Reply.json(try await services.store.applications.find(id: application.id) ?? application)
    }

    @Sendable func outbox(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let to = request.uri.queryParameters.get("to").map { String($0) }
        let mails = try await services.store.applications.mails(to: to, limit: try request.queryInt("limit", in: 1...500, default: 50))
        try await services.record("outbox.read", detail: to.map { "to \($0)" } ?? "", by: identity, context: context)
        return try Reply.json(mails)
    }

    struct RetentionInput: Decodable { var days: Int? }

    struct RetentionPolicy: Encodable {
        var partnerID: UUID
        var days: Int?
        var defaultDays: Int
    }

    @Sendable func retention(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard try await services.store.partners.find(id: id) != nil else { throw Problem.notFound("partner") }
        let input = try await request.decodeStrict(RetentionInput.self, allowed: ["days"], context: context)
        if let days = input.days, !(1...3650).contains(days) {
            throw ValidationError(field: "days", reason: "must be 1-3650 days, or null for the cameras' own retention")
        }
        try await services.store.community.setRetention(partnerID: id, days: input.days, by: identity?.actor ?? "system")
        try await services.record(
            "partners.retention", target: "partner:\(id)", detail: input.days.map { "\($0) days" } ?? "cameras' own retention", by: identity,
            context: context)
        return try Reply.json(RetentionPolicy(partnerID: id, days: input.days, defaultDays: CommunityTerms.defaultRetentionDays))
    }

    @Sendable func deletions(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let records = try await services.store.community.deletions(
            cameraID: try request.queryUUID("cameraID"), limit: try request.queryInt("limit", in: 1...1000, default: 200))
        try await services.record("retention.deletions_search", detail: request.uri.query ?? "", by: identity, context: context)
        return try Reply.json(records)
    }
}
