import FluentKit
import FluentSQL
import SQLKit

/// The archive tier: a segment moved from the recordings folder to the archive folder (a second volume, a NAS) is
/// marked `archived`. Its row keeps every other field; the path names the archived file. The disk quota and the free
/// space of the recordings volume count and prune only segments still in the recordings folder.
struct SchemaArchiveTier: AsyncMigration {
    var name: String { "rtcc.v13.archive-tier" }

    func prepare(on database: any Database) async throws {
        try await database.schema("segments").field("archived", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("segments").deleteField("archived").update()
    }
}
