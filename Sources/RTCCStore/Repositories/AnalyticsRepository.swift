import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A camera's on-camera analytics settings as stored: JSON the server validates, who changed it and when.
public struct StoredAnalytics: Sendable, Hashable {
    /// Camera.
    public var cameraID: UUID
    /// The settings document.
    public var settings: String
    /// Who changed them last.
    public var updatedBy: String
    /// When.
    public var updatedAt: Date
}

/// Per-camera analytics settings in SQL, one row per camera.
public struct AnalyticsRepository: Sendable {
    let database: any Database

    /// A camera's settings, or nil when it has none.
    public func find(cameraID: UUID) async throws -> StoredAnalytics? {
        try await database.sql.select().columns("camera_id", "settings", "updated_by", "updated_at").from("camera_analytics")
            .where("camera_id", .equal, cameraID).all().map(Self.decode).first
    }

    /// Every camera's settings.
    public func all() async throws -> [StoredAnalytics] {
        try await database.sql.select().columns("camera_id", "settings", "updated_by", "updated_at").from("camera_analytics").all().map(Self.decode)
    }

    /// Replaces a camera's settings.
    public func save(cameraID: UUID, settings: String, by actor: String, now: Date = Date()) async throws {
        try await database.transaction { db in
            try await db.sql.delete(from: "camera_analytics").where("camera_id", .equal, cameraID).run()
            try await db.sql.insert(into: "camera_analytics").columns("camera_id", "settings", "updated_by", "updated_at")
                .values(SQLBind(cameraID), SQLBind(settings), SQLBind(actor), SQLBind(now.millisecondPrecision)).run()
        }
    }

    private static func decode(_ row: any SQLRow) throws -> StoredAnalytics {
        StoredAnalytics(
            cameraID: try row.decode(column: "camera_id", as: UUID.self), settings: try row.decode(column: "settings", as: String.self),
            updatedBy: try row.decode(column: "updated_by", as: String.self), updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
