import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore

/// One API route and what it requires. The table in ``Endpoint/all`` is the single source for routing,
/// the role × endpoint matrix (docs/SECURITY.md) and the OpenAPI coverage check.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// How access is decided.
    public enum Access: Sendable, Hashable {
        /// Anyone, signed in or not.
        case everyone
        /// A caller with this permission.
        case permission(Permission)
        /// A caller with any of these permissions (the handler narrows what each sees).
        case anyOf([Permission])
    }

    /// HTTP method.
    public var method: HTTPRequest.Method
    /// Path with `{id}` placeholders, as in the OpenAPI document.
    public var path: String
    /// Who may call it.
    public var access: Access

    /// `GET /api/v1/cameras`.
    public var description: String { "\(method.rawValue) \(path)" }

    /// The Hummingbird route path (`:id` placeholders).
    var routerPath: RouterPath {
        RouterPath(path.replacing(#/\{([a-z]+)\}/#) { ":\($0.output.1)" })
    }

    /// Whether a role may call it.
    public func allows(_ role: Role) -> Bool {
        switch access {
        case .everyone: return true
        case .permission(let permission): return role.permissions.contains(permission)
        case .anyOf(let permissions): return !role.permissions.isDisjoint(with: permissions)
        }
    }

    /// Checks the caller against ``access``: 401 when anonymous, 403 when not allowed.
    func authorize(_ context: AppRequestContext) throws -> Identity? {
        switch access {
        case .everyone: return context.identity
        case .permission(let permission): return try context.require(permission)
        case .anyOf(let permissions):
            let identity = try context.requireIdentity()
            guard !identity.permissions.isDisjoint(with: permissions) else { throw Problem.forbidden(permissions[0]) }
            return identity
        }
    }
}

extension Endpoint {
    static let health = Endpoint(method: .get, path: "/api/v1/health", access: .everyone)
    static let openAPI = Endpoint(method: .get, path: "/api/v1/openapi.yaml", access: .everyone)
    static let metrics = Endpoint(method: .get, path: "/metrics", access: .everyone)
    static let login = Endpoint(method: .post, path: "/api/v1/auth/login", access: .everyone)
    static let logout = Endpoint(method: .post, path: "/api/v1/auth/logout", access: .permission(.sessionRead))
    static let me = Endpoint(method: .get, path: "/api/v1/auth/me", access: .permission(.sessionRead))
    static let camerasList = Endpoint(method: .get, path: "/api/v1/cameras", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let camerasCreate = Endpoint(method: .post, path: "/api/v1/cameras", access: .permission(.camerasWrite))
    static let camerasImport = Endpoint(method: .post, path: "/api/v1/cameras/import", access: .permission(.camerasWrite))
    static let camerasExport = Endpoint(method: .get, path: "/api/v1/cameras/export", access: .permission(.camerasExport))
    static let cameraGet = Endpoint(method: .get, path: "/api/v1/cameras/{id}", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraUpdate = Endpoint(method: .patch, path: "/api/v1/cameras/{id}", access: .permission(.camerasWrite))
    static let cameraDelete = Endpoint(method: .delete, path: "/api/v1/cameras/{id}", access: .permission(.camerasDelete))
    static let cameraRecordings = Endpoint(method: .get, path: "/api/v1/cameras/{id}/recordings", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraEvents = Endpoint(method: .get, path: "/api/v1/cameras/{id}/events", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraHealth = Endpoint(method: .get, path: "/api/v1/cameras/{id}/health", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let camerasHealth = Endpoint(method: .get, path: "/api/v1/cameras/health", access: .permission(.camerasRead))
    static let holdsList = Endpoint(method: .get, path: "/api/v1/holds", access: .permission(.camerasRead))
    static let holdsCreate = Endpoint(method: .post, path: "/api/v1/holds", access: .permission(.holdsWrite))
    static let holdRelease = Endpoint(method: .delete, path: "/api/v1/holds/{id}", access: .permission(.holdsWrite))
    static let partnersList = Endpoint(method: .get, path: "/api/v1/partners", access: .permission(.partnersRead))
    static let partnersCreate = Endpoint(method: .post, path: "/api/v1/partners", access: .permission(.partnersWrite))
    static let partnerGet = Endpoint(method: .get, path: "/api/v1/partners/{id}", access: .permission(.partnersRead))
    static let partnerUpdate = Endpoint(method: .patch, path: "/api/v1/partners/{id}", access: .permission(.partnersWrite))
    static let partnerDelete = Endpoint(method: .delete, path: "/api/v1/partners/{id}", access: .permission(.partnersWrite))
    static let usersList = Endpoint(method: .get, path: "/api/v1/users", access: .permission(.usersRead))
    static let usersCreate = Endpoint(method: .post, path: "/api/v1/users", access: .permission(.usersWrite))
    static let userUpdate = Endpoint(method: .patch, path: "/api/v1/users/{id}", access: .permission(.usersWrite))
    static let tokensList = Endpoint(method: .get, path: "/api/v1/tokens", access: .permission(.usersRead))
    static let tokensCreate = Endpoint(method: .post, path: "/api/v1/tokens", access: .permission(.usersWrite))
    static let tokenRevoke = Endpoint(method: .delete, path: "/api/v1/tokens/{id}", access: .permission(.usersWrite))
    static let auditList = Endpoint(method: .get, path: "/api/v1/audit", access: .permission(.auditRead))
    static let auditVerify = Endpoint(method: .get, path: "/api/v1/audit/verify", access: .permission(.auditRead))
    static let incidentsList = Endpoint(method: .get, path: "/api/v1/incidents", access: .permission(.incidentsRead))
    static let venuesList = Endpoint(method: .get, path: "/api/v1/venues", access: .permission(.incidentsRead))
    static let cameraLive = Endpoint(method: .get, path: "/api/v1/cameras/{id}/live", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraHLS = Endpoint(method: .get, path: "/api/v1/cameras/{id}/hls/{file}", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraSnapshot = Endpoint(method: .get, path: "/api/v1/cameras/{id}/snapshot.jpg", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraMedia = Endpoint(method: .get, path: "/api/v1/cameras/{id}/media", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let playbackStart = Endpoint(method: .post, path: "/api/v1/playback", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let layoutsGet = Endpoint(method: .get, path: "/api/v1/me/layouts", access: .permission(.sessionRead))
    static let layoutsPut = Endpoint(method: .put, path: "/api/v1/me/layouts", access: .permission(.sessionRead))
    static let telemetryLive = Endpoint(method: .post, path: "/api/v1/telemetry/live", access: .permission(.sessionRead))
    static let telemetryLiveSummary = Endpoint(method: .get, path: "/api/v1/telemetry/live", access: .permission(.camerasRead))

    /// Every API route.
    public static let all: [Endpoint] = [
        health, openAPI, metrics, login, logout, me, camerasList, camerasCreate, camerasImport, camerasExport, cameraGet,
        cameraUpdate, cameraDelete, cameraRecordings, cameraEvents, cameraHealth, camerasHealth, holdsList, holdsCreate, holdRelease, partnersList, partnersCreate, partnerGet, partnerUpdate, partnerDelete, partnerOverview, usersList, usersCreate,
        userUpdate, tokensList, tokensCreate, tokenRevoke, auditList, auditVerify, incidentsList, venuesList,
        cameraLive, cameraHLS, cameraSnapshot, cameraMedia, playbackStart, layoutsGet, layoutsPut, telemetryLive, telemetryLiveSummary,
    ] + evidence + map + planning + deployments + alerts + impact + community + auditing + system + cameraTools + accounts + addresses + onvif
}

extension Router where Context == AppRequestContext {
    /// Registers `endpoint`, checking access before `handler` runs; the handler receives the caller's identity.
    func add(
        _ endpoint: Endpoint,
        _ handler: @escaping @Sendable (Request, AppRequestContext, Identity?) async throws -> Response
    ) {
        on(endpoint.routerPath, method: endpoint.method) { request, context in
            let identity = try endpoint.authorize(context)
            return try await handler(request, context, identity)
        }
    }
}
