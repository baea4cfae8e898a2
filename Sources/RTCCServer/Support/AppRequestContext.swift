import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import RTCCCore

/// Per-request state: who is calling, from where, and why.
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Where a live-video WebSocket upgrade keeps its handler.
    public let webSocket = WebSocketHandlerReference<AppRequestContext>()
    /// The authenticated caller, if any.
    public var identity: Identity?
    /// Set when a session cookie was sent but the session had been locked for idling.
    public var sessionLocked = false
    /// The peer's address as text.
    public let source: String

    /// Creates the context for a new request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let address = source.channel.remoteAddress
        self.source = address?.ipAddress ?? "local"
    }

    /// Request bodies above 8 MiB are refused (413); camera imports are the largest bodies.
    public var maxUploadSize: Int { 8 * 1024 * 1024 }

    /// The caller, or a 401 problem.
    public func requireIdentity() throws -> Identity {
        guard let identity else {
            throw Problem.unauthenticated(
                sessionLocked ? "your session was locked after 30 minutes without activity; sign in again" : "sign in or send an API token")
        }
        return identity
    }

    /// The caller, if they hold `permission`; otherwise a 401 or 403 problem.
    @discardableResult
    public func require(_ permission: Permission) throws -> Identity {
        let identity = try requireIdentity()
        guard identity.permissions.contains(permission) else { throw Problem.forbidden(permission) }
        return identity
    }
}

/// An authenticated caller: a signed-in user or an API token acting within its owner's role.
public struct Identity: Sendable {
    /// How the caller authenticated.
    public enum Credential: Sendable {
        /// A cookie session.
        case session(id: UUID)
        /// An API token.
        case token(id: UUID, name: String)
    }

    /// The user (the token's owner for tokens).
    public var user: User
    /// What the caller may do.
    public var permissions: Set<Permission>
    /// Session or token.
    public var credential: Credential

    /// Creates an identity.
    public init(user: User, permissions: Set<Permission>, credential: Credential) {
        self.user = user
        self.permissions = permissions
        self.credential = credential
    }

    /// The name written to the audit log.
    public var actor: String {
        switch credential {
        case .session: return user.username
        case .token(_, let name): return "token:\(name) (\(user.username))"
        }
    }
}
