import FluentKit
import SQLKit

/// Retention asks, for every expired segment, whether an alert bookmarked it: bookmarks are found by camera and time.
struct SchemaBookmarkIndex: AsyncMigration {
    var name: String { "rtcc.v6.bookmark-index" }

    func prepare(on database: any Database) async throws {
        try await database.sql.create(index: "alert_bookmarks_camera").on("alert_bookmarks").column("camera_id").column("from_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "alert_bookmarks_camera").run()
    }
}
