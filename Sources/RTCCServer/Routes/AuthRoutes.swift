import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import RTCCCore
import RTCCStore

/// `/api/v1/auth`: sign-in with throttling and lockout, sign-out, and who am I.
struct AuthRoutes {
    let services: AppServices
    /// A real bcrypt hash of a random string, checked when the user does not exist so timing does not reveal names.
    let decoyHash: String

    struct Credentials: Decodable {
        var username: String
        var password: String
    }

    struct SignedIn: Encodable {
        var user: User
        var permissions: [Permission]
        var idleTimeoutSeconds: Int
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.login, login)
        router.add(.logout, logout)
        router.add(.me, me)
    }

    @Sendable func login(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        if let wait = await services.throttle.admit(context.source) {
            try await services.record("auth.login_throttled", detail: "too many attempts", by: nil, context: context)
            throw Problem(.tooManyRequests, "too many sign-in attempts from your address; wait \(wait) s", headers: [.retryAfter: String(wait)])
        }
        let input = try await request.decodeStrict(Credentials.self, allowed: ["username", "password"], context: context)
        let username = input.username.lowercased().trimmingCharacters(in: .whitespaces)
        let now = Date()
        guard let account = try await services.store.users.credentials(username: username) else {
            _ = try await services.passwords.verify(input.password, hash: decoyHash)
            return try await failed(username, reason: "unknown user", context: context)
        }
        if let until = account.lockedUntil, until > now {
            try await services.record("auth.login_failed", target: "user:\(account.user.id)", detail: "account locked", by: nil, context: context, actorName: username)
            let wait = Int(until.timeIntervalSince(now).rounded(.up))
            throw Problem(Self.locked, "this account is locked after repeated failed sign-ins; try again in \(wait) s or ask an administrator",
                          headers: [.retryAfter: String(wait)])
        }
        guard try await services.passwords.verify(input.password, hash: account.passwordHash), !account.user.disabled else {
            let failures = account.failedLogins + 1
            let lock = failures >= services.config.maxFailedLogins ? now.addingTimeInterval(Double(services.config.lockoutSeconds)) : nil
            try await services.store.users.recordSignIn(id: account.user.id, succeeded: false, failedLogins: failures, lockedUntil: lock)
            return try await failed(username, reason: account.user.disabled ? "account disabled" : "wrong password (\(failures))", context: context)
        }
        try await services.store.users.recordSignIn(id: account.user.id, succeeded: true, failedLogins: 0, lockedUntil: nil)
        let token = try await services.store.sessions.start(userID: account.user.id, source: context.source)
        try await services.record("auth.login", target: "user:\(account.user.id)", by: nil, context: context, actorName: username)
        services.signIns.succeeded.increment()
        var response = try Reply.json(SignedIn(
            user: account.user, permissions: account.user.role.permissions.sorted { $0.rawValue < $1.rawValue },
            idleTimeoutSeconds: services.config.sessionIdleSeconds))
        response.setCookie(Cookie(
            name: AuthMiddleware.cookieName, value: token, path: "/", secure: services.config.usesTLS, httpOnly: true, sameSite: .strict))
        return response
    }

    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")

    private func failed(_ username: String, reason: String, context: AppRequestContext) async throws -> Response {
        try await services.record("auth.login_failed", detail: reason, by: nil, context: context, actorName: username)
        services.signIns.failed.increment()
        throw Problem.unauthenticated("wrong user name or password")
    }

    @Sendable func logout(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        if case .session(let id) = identity?.credential { try await services.store.sessions.end(id: id) }
        try await services.record("auth.logout", by: identity, context: context)
        var response = Reply.noContent
        response.setCookie(Cookie(
            name: AuthMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: services.config.usesTLS, httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func me(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        return try Reply.json(SignedIn(
            user: identity.user, permissions: identity.permissions.sorted { $0.rawValue < $1.rawValue },
            idleTimeoutSeconds: services.config.sessionIdleSeconds))
    }
}
