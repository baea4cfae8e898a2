import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// What an administrator does to an account: unlock it, set its password, see and end its sessions, and make it enrol
/// its second factor again. Every change is audited.
extension UserRoutes {
    struct NewPassword: Decodable {
        var password: String
    }

    /// An open session as the administration screens show it.
    struct SessionSummary: Encodable {
        var id: UUID
        var startedAt: Date
        var lastSeenAt: Date
        /// The address it signed in from.
        var source: String
    }

    /// The summary of an account: the database's lockout, or in the standard profile the latest lock of the account
    /// from any address.
    func summary(_ state: AccountState) -> UserSummary {
        let now = Date()
        var locked = state.isLocked(at: now)
        var until = locked ? state.lockedUntil : nil
        if !locked, let memory = services.signInLocks.lockedUntil(prefix: AuthRoutes.lockKey(username: state.user.username, source: ""), now: now) {
            locked = true
            until = memory
        }
        return UserSummary(user: state.user, locked: locked, lockedUntil: until, mfaEnrolled: state.mfaEnrolledAt != nil, lastSignInAt: state.lastSignInAt)
    }

    private func account(_ id: UUID) async throws -> AccountState {
        guard let state = try await services.store.users.accountState(id: id) else { throw Problem.notFound("user") }
        return state
    }

    @Sendable func unlockUser(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("user")
        let before = try await account(id)
        guard try await services.store.users.unlock(id: id) else { throw Problem.notFound("user") }
        services.signInLocks.forget(prefix: AuthRoutes.lockKey(username: before.user.username, source: ""))
        let was = summary(before).locked ? "was locked" : "was not locked"
        try await services.record("users.unlock", target: "user:\(id)", detail: "\(before.user.username) \(was)", by: identity, context: context)
        return try Reply.json(summary(try await account(id)))
    }

    @Sendable func resetPassword(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("user")
        let input = try await request.decodeStrict(NewPassword.self, allowed: ["password"], context: context)
        let user = try await account(id).user
        try ValidationError.check(try PasswordPolicy.shipped().problems(input.password, username: user.username))
        guard try await services.store.users.setPassword(id: id, passwordHash: try await services.passwords.hash(input.password)) else {
            throw Problem.notFound("user")
        }
        services.signInLocks.forget(prefix: AuthRoutes.lockKey(username: user.username, source: ""))
        try await services.record("users.password_reset", target: "user:\(id)", detail: "\(user.username); lockout cleared", by: identity, context: context)
        return Reply.noContent
    }

    @Sendable func listSessions(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("user")
        _ = try await account(id)
        let now = Date()
        let idle = TimeInterval(services.config.sessionIdleSeconds)
        let maxAge = services.config.effectiveSessionMaxSeconds.map(TimeInterval.init)
        // Sessions past the idle lock or the age limit are refused on their next use: they are not open any more.
        let open = try await services.store.sessions.open(userID: id).filter { session in
            now.timeIntervalSince(session.lastSeenAt) <= idle && maxAge.map { now.timeIntervalSince(session.createdAt) <= $0 } ?? true
        }
        return try Reply.json(open.map { SessionSummary(id: $0.id, startedAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, source: $0.source) })
    }

    @Sendable func endSessions(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("user")
        let user = try await account(id).user
        let ended = try await services.store.sessions.endAll(userID: id)
        try await services.record("users.sessions_ended", target: "user:\(id)", detail: "\(user.username): \(ended) session(s) ended", by: identity, context: context)
        return Reply.noContent
    }

    @Sendable func resetMFA(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("user")
        let before = try await account(id)
        guard try await services.store.users.resetMFA(id: id) else { throw Problem.notFound("user") }
        let was = before.mfaEnrolledAt == nil ? "had no second factor" : "second factor and recovery codes removed"
        try await services.record("users.mfa_reset", target: "user:\(id)", detail: "\(before.user.username): \(was)", by: identity, context: context)
        return try Reply.json(summary(try await account(id)))
    }
}
