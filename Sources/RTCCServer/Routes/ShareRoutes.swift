import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// Releasing a package outside the RTCC: `/api/v1/packages/{id}/shares` issues and lists time-limited links,
/// `DELETE /api/v1/shares/{id}` revokes one, and `GET /api/v1/share/{token}` is the recipient's download, which needs no
/// RTCC account. Every download and every refused attempt is in the audit log with the time and address; unknown tokens
/// are counted per address (``wrongTokensPerMinute``, then 429) and audited once a minute per address with a count.
struct ShareRoutes {
    let services: AppServices

    struct NewShare: Decodable {
        var recipient: String
        var reason: String
        var expiresInHours: Int?
        var maxDownloads: Int?
    }

    /// A link as listed (never with its token).
    struct LinkView: Encodable {
        var link: ShareLink
        /// `active`, or why it no longer works.
        var state: String
    }

    /// A newly issued link: the only time its token is shown.
    struct IssuedLink: Encodable {
        var link: ShareLink
        var token: String
        var url: String
    }

    static let maximumHours = 30 * 24
    /// Wrong share tokens one address may send in a minute; the next request from it gets 429 for a minute.
    static let wrongTokensPerMinute = 10
    static let maximumDownloads = 100

    func register(on router: Router<AppRequestContext>) {
        router.add(.packageShares, list)
        router.add(.packageShare, issue)
        router.add(.shareRevoke, revoke)
        router.add(.shareDownload, download)
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let package = try await findPackage(context)
        let now = Date()
        return try Reply.json(try await services.store.shareLinks.list(packageID: package.id).map {
            LinkView(link: $0, state: $0.closed(at: now)?.rawValue ?? "active")
        })
    }

    @Sendable func issue(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let package = try await findPackage(context)
        let input = try await request.decodeStrict(NewShare.self, allowed: ["recipient", "reason", "expiresInHours", "maxDownloads"], context: context)
        let recipient = input.recipient.trimmingCharacters(in: .whitespaces)
        let reason = input.reason.trimmingCharacters(in: .whitespaces)
        let hours = input.expiresInHours ?? 72
        let downloads = input.maxDownloads ?? 3
        var errors: [FieldError] = []
        if recipient.isEmpty || recipient.count > 200 {
            errors.append(FieldError(field: "recipient", reason: "must be 1-200 characters (agency and person it is released to)"))
        }
        if reason.isEmpty || reason.count > 200 { errors.append(FieldError(field: "reason", reason: "must be 1-200 characters (why it is released)")) }
        if !(1...Self.maximumHours).contains(hours) {
            errors.append(FieldError(field: "expiresInHours", reason: "must be a whole number from 1 to \(Self.maximumHours)"))
        }
        if !(1...Self.maximumDownloads).contains(downloads) {
            errors.append(FieldError(field: "maxDownloads", reason: "must be a whole number from 1 to \(Self.maximumDownloads)"))
        }
        try ValidationError.check(errors)
        let now = Date()
        let (link, token) = try await services.store.shareLinks.issue(
            packageID: package.id, recipient: recipient, reason: reason, by: identity?.actor ?? "anonymous",
            expiresAt: now.addingTimeInterval(Double(hours) * 3600), maxDownloads: downloads, now: now)
        try await services.record(
            "evidence.share", target: Self.target(package, link.id),
            detail: "to \(recipient), until \(link.expiresAt.ISO8601Format()), at most \(downloads) download(s)", by: identity, context: context,
            purpose: reason)
        return try Reply.json(IssuedLink(link: link, token: token, url: "/api/v1/share/\(token)"), status: .created)
    }

    @Sendable func revoke(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("share link")
        guard let link = try await services.store.shareLinks.find(id: id), let package = try await services.store.packages.find(id: link.packageID),
            try await services.store.shareLinks.revoke(id: id)
        else { throw Problem.notFound("active share link") }
        try await services.record("evidence.share_revoke", target: Self.target(package, id), by: identity, context: context, purpose: request.purpose)
        return Reply.noContent
    }

    @Sendable func download(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let token = context.parameters.get("id") ?? ""
        if let wait = services.shareGuesses.retryAfter(context.source) {
            throw Problem(
                .tooManyRequests, "too many unknown share links from your address; wait \(wait) s and check the link you were sent",
                headers: [.retryAfter: String(wait)])
        }
        guard token.count <= 100, let link = try await services.store.shareLinks.find(token: token),
            let package = try await services.store.packages.find(id: link.packageID)
        else {
            // A guess: counted against the address, and audited once a minute per address with the count.
            services.shareGuesses.fail(context.source)
            try await services.record(services.auditBursts.note(
                action: "evidence.share_guess", actor: "anonymous", target: "address:\(context.source)", source: context.source,
                detail: "unknown share token from \(context.source)"))
            throw Problem.notFound("share link")
        }
        let actor = "share:\(link.recipient)"
        let now = Date()
        if let closed = link.closed(at: now) { throw try await refuse(link, package, closed, context: context, actor: actor) }
        let number = try await services.store.cases.find(id: package.caseID)?.number ?? "case"
        let response = try await PackageDownload.response(for: package, caseNumber: number)
        guard let counted = try await services.store.shareLinks.consume(id: link.id, now: now) else {
            let latest = try await services.store.shareLinks.find(id: link.id) ?? link
            throw try await refuse(latest, package, latest.closed(at: now) ?? .exhausted, context: context, actor: actor)
        }
        try await services.record(
            "evidence.release", target: Self.target(package, link.id),
            detail: "download \(counted.downloads) of \(counted.maxDownloads) by \(link.recipient), \(response.bytes) bytes", by: nil, context: context,
            purpose: link.reason, actorName: actor)
        return response.response
    }

    /// Audits a refused download and returns the 410 to throw.
    private func refuse(
        _ link: ShareLink, _ package: EvidencePackageRecord, _ closed: ShareLink.Closed, context: AppRequestContext, actor: String
    ) async throws -> Problem {
        try await services.record(
            "evidence.release_refused", target: Self.target(package, link.id), detail: "link \(closed.rawValue)", by: nil, context: context,
            purpose: link.reason, actorName: actor)
        let reason: String
        switch closed {
        case .expired: reason = "this share link expired at \(link.expiresAt.ISO8601Format())"
        case .revoked: reason = "this share link was revoked"
        case .exhausted: reason = "this share link has been used for all \(link.maxDownloads) download(s) it allows"
        }
        return Problem(.gone, reason + "; ask the RTCC for a new link")
    }

    private func findPackage(_ context: AppRequestContext) async throws -> EvidencePackageRecord {
        guard let package = try await services.store.packages.find(id: try context.pathID("package")) else { throw Problem.notFound("package") }
        return package
    }

    static func target(_ package: EvidencePackageRecord, _ link: UUID) -> String {
        "\(ExportService.target(package.caseID, package: package.id))/share:\(link.uuidString.lowercased())"
    }
}
