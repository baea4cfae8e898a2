import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore
import RTCCStore

/// Identifies the caller from a `Bearer` API token or the session cookie, locks idle sessions, ends sessions older than
/// the profile allows, and confines a session that must enrol a second factor to its own account's endpoints.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "rtcc_session"
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var mustEnrol = false
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer "),
                let identity = try await tokenIdentity(String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
            else { throw Problem.unauthenticated("the API token is invalid, expired or revoked") }
            context.identity = identity
        } else if let cookie = request.cookies[Self.cookieName]?.value {
            (context.identity, context.sessionLocked, mustEnrol) = try await sessionIdentity(cookie)
        }
        try await services.recordClosedAuditBursts()
        do {
            if mustEnrol, !Self.allowedBeforeEnrolment(request.uri.path) {
                throw Problem(.forbidden, "enrol a second factor (Account > Two-factor sign-in) before using the RTCC")
            }
            return try await next(request, context)
        } catch let problem as Problem where problem.status == .forbidden {
            try await recordDenial(problem, request: request, context: context)
            throw problem
        }
    }

    /// Audits a refused request (403) as `access.denied` with the path and what was needed, at most one entry per caller
    /// and endpoint a minute (the repeats are counted into a later summary entry).
    private func recordDenial(_ problem: Problem, request: Request, context: Context) async throws {
        let actor = context.identity?.actor ?? "anonymous"
        let entries = services.auditBursts.note(
            action: "access.denied", actor: actor, target: "\(request.method.rawValue) \(Self.endpointPath(request.uri.path))",
            source: context.source, detail: "\(problem.detail) at \(String(request.uri.path.prefix(200)))")
        try await services.record(entries)
    }

    /// A request path with its ids folded to `{id}` and cut to five segments, so that a caller varying ids or file
    /// names still counts against one endpoint.
    static func endpointPath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).prefix(5).map { segment -> String in
            let isID = UUID(uuidString: String(segment)) != nil || segment.count > 32 || (segment.contains(where: \.isNumber) && segment != "v1")
            return isID ? "{id}" : String(segment)
        }
        return "/" + segments.joined(separator: "/")
    }

    private func tokenIdentity(_ secret: String) async throws -> Identity? {
        let store = services.store
        return try await services.tokenIdentities.identity(for: secret) {
            guard let token = try await store.tokens.authenticate(secret: secret),
                let owner = try await store.users.find(id: token.ownerID), !owner.disabled
            else { return nil }
            let identity = Identity(user: owner, permissions: owner.role.permissions.intersection(token.scopes), credential: .token(id: token.id, name: token.name))
            return (identity, token.expiresAt)
        }
    }

    /// Paths a session that must enrol a second factor may call: its own account, sign-in and sign-out, the notice and
    /// the enrolment itself. Everything outside the API (the web app's files) stays reachable, so that it can enrol.
    static func allowedBeforeEnrolment(_ path: String) -> Bool {
        guard path.hasPrefix("/api/") else { return true }
        let allowed: Set<String> = [Endpoint.me.path, Endpoint.logout.path, Endpoint.login.path, Endpoint.authNotice.path]
        return allowed.contains(path) || path.hasPrefix("/api/v1/me/mfa/")
    }

    /// The session's identity, whether it was locked for idling, and whether it must enrol a second factor first.
    private func sessionIdentity(_ token: String) async throws -> (Identity?, Bool, Bool) {
        let sessions = services.store.sessions
        guard let session = try await sessions.find(token: token) else { return (nil, false, false) }
        let now = Date()
        let idle = now.timeIntervalSince(session.lastSeenAt)
        if idle > Double(services.config.sessionIdleSeconds) {
            try await sessions.end(id: session.id, now: now)
            return (nil, true, false)
        }
        // However active, a session signs in again after the profile's limit (cjis: 12 hours).
        if let limit = services.config.effectiveSessionMaxSeconds, now.timeIntervalSince(session.createdAt) > Double(limit) {
            try await sessions.end(id: session.id, now: now)
            return (nil, false, false)
        }
        guard let state = try await services.store.users.accountState(id: session.userId), !state.user.disabled else { return (nil, false, false) }
        if idle > 15 { try await sessions.touch(id: session.id, now: now) }
        let mustEnrol = state.mfaEnrolledAt == nil && services.config.effectiveMFARoles.contains(state.user.role)
        return (Identity(user: state.user, permissions: state.user.role.permissions, credential: .session(id: session.id)), false, mustEnrol)
    }
}
