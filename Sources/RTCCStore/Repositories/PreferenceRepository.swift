import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Per-user settings stored as JSON text under a key (`wall.layouts`), one row per user and key.
public struct PreferenceRepository: Sendable {
    let database: any Database

    /// The JSON text stored under `key` for a user, if any.
    public func value(userID: UUID, key: String) async throws -> String? {
        try await database.sql.select().column("value").from("user_preferences").where("user_id", .equal, userID).where("key", .equal, key)
            .first()?.decode(column: "value", as: String.self)
    }

    /// Stores `value` under `key` for a user, replacing what was there.
    public func set(userID: UUID, key: String, value: String, now: Date = Date()) async throws {
        try await database.transaction { db in
            try await db.sql.delete(from: "user_preferences").where("user_id", .equal, userID).where("key", .equal, key).run()
            try await db.sql.insert(into: "user_preferences").columns("user_id", "key", "value", "updated_at")
                .values(SQLBind(userID), SQLBind(key), SQLBind(value), SQLBind(now.millisecondPrecision)).run()
        }
    }
}
