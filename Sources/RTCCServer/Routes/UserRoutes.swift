import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/users` and `/api/v1/tokens`: accounts and integration tokens.
struct UserRoutes {
    let services: AppServices

    struct NewUser: Decodable {
        var username: String
        var displayName: String
        var role: Role
        var password: String
        var partnerID: UUID?
    }

    struct UserChange: Decodable {
        var displayName: String?
        var role: Role?
        var disabled: Bool?
    }

    struct NewToken: Decodable {
        var name: String
        var scopes: [Permission]
        var expiresAt: Date?
    }

    struct IssuedToken: Encodable {
        var token: APIToken
        /// Shown once; only its digest is stored.
        var secret: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.usersList, listUsers)
        router.add(.usersCreate, createUser)
        router.add(.userUpdate, updateUser)
        router.add(.tokensList, listTokens)
        router.add(.tokensCreate, createToken)
        router.add(.tokenRevoke, revokeToken)
        router.add(.userUnlock, unlockUser)
        router.add(.userPassword, resetPassword)
        router.add(.userSessions, listSessions)
        router.add(.userSessionsEnd, endSessions)
        router.add(.userMFAReset, resetMFA)
    }

    @Sendable func listUsers(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        try await services.record("users.search", by: identity, context: context)
        return try Reply.json(try await services.store.users.accountStates().map(summary))
    }

    @Sendable func createUser(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(
            NewUser.self, allowed: ["username", "displayName", "role", "password", "partnerID"], context: context)
        var errors: [FieldError] = []
        do { try User.validateUsername(input.username) } catch { errors += error.errors }
        errors += try PasswordPolicy.shipped().problems(input.password, username: input.username)
        if input.displayName.trimmingCharacters(in: .whitespaces).isEmpty || input.displayName.count > 120 {
            errors.append(FieldError(field: "displayName", reason: "must be 1-120 characters"))
        }
        if input.role == .partner, input.partnerID == nil {
            errors.append(FieldError(field: "partnerID", reason: "is required for partner users"))
        }
        if let partnerID = input.partnerID, try await services.store.partners.find(id: partnerID) == nil {
            errors.append(FieldError(field: "partnerID", reason: "no partner has id \(partnerID.uuidString)"))
        }
        try ValidationError.check(errors)
        let user = try await services.store.users.create(
            username: input.username, displayName: input.displayName, role: input.role, partnerID: input.partnerID,
            passwordHash: try await services.passwords.hash(input.password))
        try await services.record("users.create", target: "user:\(user.id)", detail: "\(user.username) as \(user.role.rawValue)", by: identity, context: context)
        return try Reply.json(user, status: .created)
    }

    @Sendable func updateUser(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("user")
        let change = try await request.decodeStrict(UserChange.self, allowed: ["displayName", "role", "disabled"], context: context)
        if let name = change.displayName, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 120 {
            throw Problem.invalid(ValidationError(field: "displayName", reason: "must be 1-120 characters"))
        }
        if id == identity?.user.id, change.disabled == true || (change.role.map { $0 != .admin } ?? false) {
            throw Problem(.conflict, "you cannot disable yourself or remove your own admin role; ask another administrator")
        }
        guard let user = try await services.store.users.update(id: id, displayName: change.displayName, role: change.role, disabled: change.disabled)
        else { throw Problem.notFound("user") }
        // Disabling ended the user's sessions and revoked its tokens in the database; forget what was remembered too,
        // so the very next request with either is refused.
        services.tokenIdentities.forgetAll()
        let ended = change.disabled == true ? "; sessions ended, tokens revoked" : ""
        try await services.record(
            "users.update", target: "user:\(id)", detail: "role \(user.role.rawValue), disabled \(user.disabled)\(ended)", by: identity, context: context)
        return try Reply.json(user)
    }

    @Sendable func listTokens(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        try Reply.json(try await services.store.tokens.list())
    }

    @Sendable func createToken(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let input = try await request.decodeStrict(NewToken.self, allowed: ["name", "scopes", "expiresAt"], context: context)
        var errors: [FieldError] = []
        if input.name.trimmingCharacters(in: .whitespaces).isEmpty || input.name.count > 80 {
            errors.append(FieldError(field: "name", reason: "must be 1-80 characters"))
        }
        if input.scopes.isEmpty { errors.append(FieldError(field: "scopes", reason: "must name at least one permission")) }
        for scope in input.scopes where !identity.permissions.contains(scope) {
            errors.append(FieldError(field: "scopes", reason: "\(scope.rawValue) is beyond your own permissions"))
        }
        if let expiry = input.expiresAt, expiry <= Date() { errors.append(FieldError(field: "expiresAt", reason: "must be in the future")) }
        try ValidationError.check(errors)
        let issued = try await services.store.tokens.issue(name: input.name, ownerID: identity.user.id, scopes: input.scopes, expiresAt: input.expiresAt)
        try await services.record(
            "tokens.issue", target: "token:\(issued.token.id)", detail: input.scopes.map(\.rawValue).joined(separator: " "), by: identity, context: context)
        return try Reply.json(IssuedToken(token: issued.token, secret: issued.secret), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("token")
        guard try await services.store.tokens.revoke(id: id) else { throw Problem.notFound("token") }
        services.tokenIdentities.forgetAll()
        try await services.record("tokens.revoke", target: "token:\(id)", by: identity, context: context)
        return Reply.noContent
    }
}
