import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus
import RTCCCore
import RTCCStore

/// `/api/v1/auth`: sign-in with throttling per address, lockout (per account and address, or per account in the cjis
/// profile) and a second factor, sign-out, who am I, and the system-use notice.
struct AuthRoutes {
    let services: AppServices
    /// A real bcrypt hash of a random string, checked when the user does not exist so timing does not reveal names.
    let decoyHash: String

    struct Credentials: Decodable {
        var username: String
        var password: String
        /// A 6-digit TOTP code or a recovery code, for accounts with a second factor.
        var code: String?
    }

    struct SignedIn: Encodable {
        var user: User
        var permissions: [Permission]
        var idleTimeoutSeconds: Int
        /// Whether the user has a second factor.
        var mfaEnrolled: Bool
        /// Whether the user must enrol a second factor before using anything but their account (see ``AuthMiddleware``).
        var mustEnrolMFA: Bool
    }

    var secondFactor: SecondFactor { SecondFactor(cipher: services.cipher) }

    func register(on router: Router<AppRequestContext>) {
        router.add(.login, login)
        router.add(.logout, logout)
        router.add(.me, me)
        router.add(.authNotice, notice)
        router.add(.mfaEnrolment, startEnrolment)
        router.add(.mfaEnrolmentConfirm, confirmEnrolment)
    }

    @Sendable func login(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        if let wait = await services.throttle.admit(context.source) {
            try await services.record("auth.login_throttled", detail: "too many attempts", by: nil, context: context)
            throw Problem(.tooManyRequests, "too many sign-in attempts from your address; wait \(wait) s", headers: [.retryAfter: String(wait)])
        }
        let input = try await request.decodeStrict(Credentials.self, allowed: ["username", "password", "code"], context: context)
        let username = input.username.lowercased().trimmingCharacters(in: .whitespaces)
        let cjis = services.config.securityProfile == .cjis
        // Standard profile: lockout is per account *and* address, so a guesser locks only itself out and the owner signs
        // in from elsewhere. cjis profile: the account itself locks (CJIS 5.5.3, AC-7), until an administrator unlocks it.
        let lockKey = Self.lockKey(username: username, source: context.source)
        guard let account = try await services.store.users.credentials(username: username) else {
            _ = try await services.passwords.verify(input.password, hash: decoyHash)
            services.signInLocks.fail(lockKey)
            return try await failed(username, reason: "unknown user", context: context)
        }
        let target = "user:\(account.user.id)"
        if cjis ? account.isLocked() : services.signInLocks.retryAfter(lockKey) != nil {
            // Answered exactly like a wrong password, after the same bcrypt work: a lock does not reveal that the account exists.
            _ = try await services.passwords.verify(input.password, hash: decoyHash)
            return try await failed(username, reason: cjis ? "account locked" : "account locked for this address", target: target, context: context)
        }
        guard try await services.passwords.verify(input.password, hash: account.passwordHash), !account.user.disabled else {
            let counted = try await countFailure(account, lockKey: lockKey, context: context)
            let reason = account.user.disabled ? "account disabled" : "wrong password (\(counted))"
            return try await failed(username, reason: reason, target: target, context: context)
        }
        if account.sealedMFASecret != nil {
            guard let code = input.code?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { return try mfaRequired() }
            switch try await secondFactor.verify(code, account: account, users: services.store.users) {
            case .code: break
            case .recoveryCode:
                try await services.record("auth.recovery_code_used", target: target, by: nil, context: context, actorName: username)
            case .refused:
                let counted = try await countFailure(account, lockKey: lockKey, context: context)
                try await services.record(
                    "auth.login_failed", target: target, detail: "wrong or reused code (\(counted))", by: nil, context: context, actorName: username)
                services.signIns.failed.increment()
                return try mfaRequired()
            }
        }
        services.signInLocks.succeed(lockKey)
        try await services.store.users.recordSuccessfulSignIn(id: account.user.id)
        let token = try await services.store.sessions.start(userID: account.user.id, source: context.source)
        try await services.record("auth.login", target: target, by: nil, context: context, actorName: username)
        services.signIns.succeeded.increment()
        let identity = Identity(user: account.user, permissions: account.user.role.permissions, credential: .session(id: UUID()))
        var response = try Reply.json(signedIn(identity, mfaEnrolled: account.sealedMFASecret != nil))
        response.setCookie(Cookie(
            name: AuthMiddleware.cookieName, value: token, path: "/", secure: services.config.usesTLS, httpOnly: true, sameSite: .strict))
        return response
    }

    /// Counts a failed sign-in against the lockout of the profile; returns how it was counted, for the audit log.
    private func countFailure(_ account: UserCredentials, lockKey: String, context: AppRequestContext) async throws -> String {
        let config = services.config
        guard config.securityProfile == .cjis else {
            let (failures, locked) = services.signInLocks.fail(lockKey)
            try await services.store.users.recordSignIn(id: account.user.id, succeeded: false, failedLogins: account.failedLogins + 1, lockedUntil: nil)
            return "\(failures) from this address" + (locked ? "; locked for this address for \(config.lockoutSeconds) s" : "")
        }
        let result = try await services.store.users.recordFailedSignIn(
            id: account.user.id, window: AppServices.failedSignInWindow, limit: config.maxFailedLogins, lockFor: config.accountLockoutSeconds)
        guard result.lockedNow else { return "\(result.failures) in 15 minutes" }
        let until = config.accountLockoutSeconds.map { "for \(Int($0)) s" } ?? "until an administrator unlocks it"
        try await services.record(
            "auth.account_locked", target: "user:\(account.user.id)", detail: "\(result.failures) failed sign-ins in 15 minutes; locked \(until)",
            by: nil, context: context, actorName: account.user.username)
        return "\(result.failures) in 15 minutes; account locked \(until)"
    }

    /// The sign-in lockout key of an account seen from one address.
    static func lockKey(username: String, source: String) -> String { "\(username)\u{1F}\(source)" }

    /// Every refused sign-in (unknown account, wrong password, locked, disabled) gets this same answer; only the audit
    /// log says which it was.
    private func failed(_ username: String, reason: String, target: String = "", context: AppRequestContext) async throws -> Response {
        try await services.record("auth.login_failed", target: target, detail: reason, by: nil, context: context, actorName: username)
        services.signIns.failed.increment()
        throw Problem.unauthenticated("wrong user name or password")
    }

    /// The 401 problem for a right password without a valid second-factor code, with the member `mfaRequired: true`.
    private func mfaRequired() throws -> Response {
        struct Body: Encodable {
            var type = "about:blank"
            var title = HTTPResponse.Status.unauthorized.reasonPhrase
            var status = HTTPResponse.Status.unauthorized.code
            var detail = "enter the 6-digit code from your authenticator app, or one of your recovery codes"
            var mfaRequired = true
        }
        var fields: HTTPFields = [.contentType: "application/problem+json"]
        SecurityHeaders.fill(&fields, from: SecurityHeaders.api)
        return Response(status: .unauthorized, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder.encode(Body()))))
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
        guard let state = try await services.store.users.accountState(id: identity.user.id) else { throw Problem.unauthenticated() }
        return try Reply.json(signedIn(identity, mfaEnrolled: state.mfaEnrolledAt != nil))
    }

    /// The signed-in answer for `identity`. API tokens are single-factor secrets and never have to enrol.
    func signedIn(_ identity: Identity, mfaEnrolled: Bool) -> SignedIn {
        var mustEnrol = false
        if case .session = identity.credential { mustEnrol = !mfaEnrolled && services.config.effectiveMFARoles.contains(identity.user.role) }
        return SignedIn(
            user: identity.user, permissions: identity.permissions.sorted { $0.rawValue < $1.rawValue },
            idleTimeoutSeconds: services.config.sessionIdleSeconds, mfaEnrolled: mfaEnrolled, mustEnrolMFA: mustEnrol)
    }
}
