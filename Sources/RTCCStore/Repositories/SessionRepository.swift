import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A sign-in session as stored: only the token's digest is kept.
public struct SessionRecord: Sendable, Codable {
    /// Session id.
    public var id: UUID
    /// SHA-256 of the cookie token.
    public var tokenHash: String
    /// The signed-in user.
    public var userId: UUID
    /// Where the sign-in came from.
    public var source: String
    /// Sign-in time.
    public var createdAt: Date
    /// Last request time (for the idle lock).
    public var lastSeenAt: Date
    /// Sign-out or lock time.
    public var endedAt: Date?
}

/// Cookie sessions in SQL.
public struct SessionRepository: Sendable {
    let database: any Database

    /// Starts a session for `userID`; returns the secret token to put in the cookie.
    public func start(userID: UUID, source: String, now: Date = Date()) async throws -> String {
        let now = now.millisecondPrecision
        let token = SecretToken.generate()
        let record = SessionRecord(
            id: UUID(), tokenHash: SecretToken.digest(token), userId: userID, source: source, createdAt: now, lastSeenAt: now, endedAt: nil)
        try await database.sql.insert(into: "sessions").model(record, with: rowEncoder).run()
        return token
    }

    /// The live session for a cookie token, or nil.
    public func find(token: String) async throws -> SessionRecord? {
        try await database.sql.select().column("*").from("sessions").where("token_hash", .equal, SecretToken.digest(token))
            .where("ended_at", .is, SQLLiteral.null)
            .first(decoding: SessionRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Marks the session used now.
    public func touch(id: UUID, now: Date = Date()) async throws {
        try await database.sql.update("sessions").set("last_seen_at", to: now).where("id", .equal, id).run()
    }

    /// Ends a session (sign-out, or locked after idling).
    public func end(id: UUID, now: Date = Date()) async throws {
        try await database.sql.update("sessions").set("ended_at", to: now).where("id", .equal, id).run()
    }

    /// A user's sessions that have not ended, oldest first (some may have idled past the lock and end on next use).
    public func open(userID: UUID) async throws -> [SessionRecord] {
        try await database.sql.select().column("*").from("sessions").where("user_id", .equal, userID)
            .where("ended_at", .is, SQLLiteral.null).orderBy("created_at")
            .all(decoding: SessionRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// Ends every open session of a user; returns how many were ended.
    @discardableResult
    public func endAll(userID: UUID, now: Date = Date()) async throws -> Int {
        try await database.sql.update("sessions").set("ended_at", to: now.millisecondPrecision).where("user_id", .equal, userID)
            .where("ended_at", .is, SQLLiteral.null).returning("id").all().count
    }
}
