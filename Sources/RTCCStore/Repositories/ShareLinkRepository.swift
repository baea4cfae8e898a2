import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A time-limited link that lets someone without an RTCC account (police, a prosecutor) download one package.
/// Only the token's SHA-256 is stored; the token is shown once, when the link is issued.
public struct ShareLink: Codable, Sendable, Hashable {
    /// Why a link no longer works.
    public enum Closed: String, Codable, Sendable {
        /// Its expiry time has passed.
        case expired
        /// Someone revoked it.
        case revoked
        /// It was downloaded as often as it allows.
        case exhausted
    }

    /// Link id (not the token).
    public var id: UUID
    /// The package it releases.
    public var packageID: UUID
    /// Who it is for (agency, person).
    public var recipient: String
    /// Why it was released.
    public var reason: String
    /// Who issued it.
    public var createdBy: String
    /// When.
    public var createdAt: Date
    /// When it stops working.
    public var expiresAt: Date
    /// How many downloads it allows.
    public var maxDownloads: Int
    /// Downloads so far.
    public var downloads: Int
    /// When it was revoked.
    public var revokedAt: Date?
    /// When it was last downloaded.
    public var lastDownloadAt: Date?

    /// Why it no longer works at `now`, or nil while it does.
    public func closed(at now: Date) -> Closed? {
        if revokedAt != nil { return .revoked }
        if now >= expiresAt { return .expired }
        if downloads >= maxDownloads { return .exhausted }
        return nil
    }
}

/// Share links in SQL.
public struct ShareLinkRepository: Sendable {
    let database: any Database

    /// Issues a link; returns it with its token (the only time the token is available).
    public func issue(
        packageID: UUID, recipient: String, reason: String, by actor: String, expiresAt: Date, maxDownloads: Int, now: Date = Date()
    ) async throws -> (link: ShareLink, token: String) {
        let token = SecretToken.generate(prefix: "rtccs_")
        let link = ShareLink(
            id: UUID(), packageID: packageID, recipient: recipient, reason: reason, createdBy: actor, createdAt: now.millisecondPrecision,
            expiresAt: expiresAt.millisecondPrecision, maxDownloads: maxDownloads, downloads: 0)
        try await database.sql.insert(into: "share_links").model(ShareLinkRow(link, tokenHash: SecretToken.digest(token)), with: rowEncoder).run()
        return (link, token)
    }

    /// The link a token opens, in any state, or nil.
    public func find(token: String) async throws -> ShareLink? {
        try await database.sql.select().column("*").from("share_links").where("token_hash", .equal, SecretToken.digest(token))
            .first(decoding: ShareLinkRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.link
    }

    /// One link by id, or nil.
    public func find(id: UUID) async throws -> ShareLink? {
        try await database.sql.select().column("*").from("share_links").where("id", .equal, id)
            .first(decoding: ShareLinkRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.link
    }

    /// A package's links, newest first.
    public func list(packageID: UUID) async throws -> [ShareLink] {
        try await database.sql.select().column("*").from("share_links").where("package_id", .equal, packageID).orderBy("created_at", .descending)
            .all(decoding: ShareLinkRow.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.link)
    }

    /// Counts one download if the link still works at `now`, in one statement so that concurrent downloads cannot
    /// exceed the limit. Returns the updated link, or nil when it is expired, revoked or used up.
    public func consume(id: UUID, now: Date = Date()) async throws -> ShareLink? {
        let rows = try await database.sql.update("share_links")
            .set(SQLIdentifier("downloads"), to: SQLBinaryExpression(SQLIdentifier("downloads"), .add, SQLLiteral.numeric("1")))
            .set("last_download_at", to: now.millisecondPrecision)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, now.millisecondPrecision)
            .where(SQLIdentifier("downloads"), .lessThan, SQLIdentifier("max_downloads"))
            .returning("id").all()
        guard !rows.isEmpty else { return nil }
        return try await find(id: id)
    }

    /// Revokes a link. Returns false when there is no such link or it was revoked already.
    public func revoke(id: UUID, now: Date = Date()) async throws -> Bool {
        let rows = try await database.sql.update("share_links").set("revoked_at", to: now.millisecondPrecision)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null).returning("id").all()
        return !rows.isEmpty
    }
}

/// A `share_links` row.
struct ShareLinkRow: Codable, Sendable {
    var id: UUID
    var packageId: UUID
    var tokenHash: String
    var recipient: String
    var reason: String
    var createdBy: String
    var createdAt: Date
    var expiresAt: Date
    var maxDownloads: Int
    var downloads: Int
    var revokedAt: Date?
    var lastDownloadAt: Date?

    init(_ link: ShareLink, tokenHash: String) {
        id = link.id
        packageId = link.packageID
        self.tokenHash = tokenHash
        recipient = link.recipient
        reason = link.reason
        createdBy = link.createdBy
        createdAt = link.createdAt
        expiresAt = link.expiresAt
        maxDownloads = link.maxDownloads
        downloads = link.downloads
        revokedAt = link.revokedAt
        lastDownloadAt = link.lastDownloadAt
    }

    var link: ShareLink {
        ShareLink(
            id: id, packageID: packageId, recipient: recipient, reason: reason, createdBy: createdBy, createdAt: createdAt.millisecondPrecision,
            expiresAt: expiresAt.millisecondPrecision, maxDownloads: maxDownloads, downloads: downloads,
            revokedAt: revokedAt?.millisecondPrecision, lastDownloadAt: lastDownloadAt?.millisecondPrecision)
    }
}
