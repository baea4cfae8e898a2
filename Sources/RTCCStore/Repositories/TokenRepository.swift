import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// An API token for an integration, as shown to administrators (never the secret).
public struct APIToken: Sendable, Codable, Equatable {
    /// Token id.
    public var id: UUID
    /// What it is for, e.g. "ShotSpotter feed".
    public var name: String
    /// The user whose role bounds the token.
    public var ownerID: UUID
    /// Permissions granted (a subset of the owner's).
    public var scopes: [Permission]
    /// Issue time.
    public var createdAt: Date
    /// Expiry, if any.
    public var expiresAt: Date?
    /// Last use, to the minute.
    public var lastUsedAt: Date?
    /// Revocation time, if revoked.
    public var revokedAt: Date?
}

/// API tokens in SQL. Only a SHA-256 digest of each token is stored.
public struct TokenRepository: Sendable {
    let database: any Database

    /// Issues a token; returns it with the one-time secret.
    public func issue(
        name: String, ownerID: UUID, scopes: [Permission], expiresAt: Date?, now: Date = Date()
    ) async throws -> (token: APIToken, secret: String) {
        let now = now.millisecondPrecision
        let secret = SecretToken.generate(prefix: "rtcc_")
        let row = TokenRow(
            id: UUID(), name: name, tokenHash: SecretToken.digest(secret), ownerId: ownerID,
            scopes: scopes.map(\.rawValue).joined(separator: " "), createdAt: now, expiresAt: expiresAt, lastUsedAt: nil, revokedAt: nil)
        try await database.sql.insert(into: "api_tokens").model(row, with: rowEncoder).run()
        return (row.token, secret)
    }

    /// The valid (unrevoked, unexpired) token for a secret, marking it used (at most once a minute).
    public func authenticate(secret: String, now: Date = Date()) async throws -> APIToken? {
        guard let row = try await database.sql.select().column("*").from("api_tokens")
            .where("token_hash", .equal, SecretToken.digest(secret)).where("revoked_at", .is, SQLLiteral.null)
            .first(decoding: TokenRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        else { return nil }
        if let expiry = row.expiresAt, expiry <= now { return nil }
        // Last use is kept to the minute: a feed sending many requests a second does not write on every one.
        if row.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await database.sql.update("api_tokens").set("last_used_at", to: now).where("id", .equal, row.id).run()
        }
        return row.token
    }

    /// Every token, newest first.
    public func list() async throws -> [APIToken] {
        try await database.sql.select().column("*").from("api_tokens").orderBy("created_at", .descending)
            .all(decoding: TokenRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.token)
    }

    /// Revokes a token. Returns false when there is no such token.
    public func revoke(id: UUID, now: Date = Date()) async throws -> Bool {
        let exists = try await database.sql.select().column("id").from("api_tokens").where("id", .equal, id).first() != nil
        guard exists else { return false }
        try await database.sql.update("api_tokens").set("revoked_at", to: now).where("id", .equal, id)
            .where("revoked_at", .is, SQLLiteral.null).run()
        return true
    }
}

/// An `api_tokens` row.
struct TokenRow: Codable, Sendable {
    var id: UUID
    var name: String
    var tokenHash: String
    var ownerId: UUID
    var scopes: String
    var createdAt: Date
    var expiresAt: Date?
    var lastUsedAt: Date?
    var revokedAt: Date?

    var token: APIToken {
        APIToken(
            id: id, name: name, ownerID: ownerId, scopes: scopes.split(separator: " ").compactMap { Permission(rawValue: String($0)) },
            createdAt: createdAt.millisecondPrecision, expiresAt: expiresAt?.millisecondPrecision, lastUsedAt: lastUsedAt?.millisecondPrecision,
            revokedAt: revokedAt?.millisecondPrecision)
    }
}
