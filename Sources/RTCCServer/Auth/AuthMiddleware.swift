import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore
import RTCCStore

/// Identifies the caller from a `Bearer` API token or the session cookie, and locks idle sessions.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "rtcc_session"
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer "),
                let identity = try await tokenIdentity(String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
            else { throw Problem.unauthenticated("the API token is invalid, expired or revoked") }
            context.identity = identity
        } else if let cookie = request.cookies[Self.cookieName]?.value {
            (context.identity, context.sessionLocked) = try await sessionIdentity(cookie)
        }
        return try await next(request, context)
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

    private func sessionIdentity(_ token: String) async throws -> (Identity?, Bool) {
        let sessions = services.store.sessions
        guard let session = try await sessions.find(token: token) else { return (nil, false) }
        let now = Date()
        let idle = now.timeIntervalSince(session.lastSeenAt)
        if idle > Double(services.config.sessionIdleSeconds) {
            try await sessions.end(id: session.id, now: now)
            return (nil, true)
        }
        guard let user = try await services.store.users.find(id: session.userId), !user.disabled else { return (nil, false) }
        if idle > 15 { try await sessions.touch(id: session.id, now: now) }
        return (Identity(user: user, permissions: user.role.permissions, credential: .session(id: session.id)), false)
    }
}
