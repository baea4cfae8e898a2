import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Hot-list plates in SQL, one row per plate and state; importing a plate again replaces its entry.
public struct HotListRepository: Sendable {
    let database: any Database

    /// Adds or replaces `entries` in one transaction; returns how many rows were written.
    @discardableResult
    public func upsert(_ entries: [HotListEntry], by actor: String, now: Date = Date()) async throws -> Int {
        let now = now.millisecondPrecision
        try await database.transaction { db in
            for entry in entries {
                try await db.sql.delete(from: "hot_list_entries").where("plate", .equal, entry.plate.value).where("state", .equal, entry.state).run()
                try await db.sql.insert(into: "hot_list_entries").columns("id", "plate", "state", "reason", "note", "expires_at", "imported_by", "imported_at")
                    .values(
                        SQLBind(UUID()), SQLBind(entry.plate.value), SQLBind(entry.state), SQLBind(entry.reason.rawValue), SQLBind(entry.note),
                        SQLBind(entry.expiresAt?.millisecondPrecision), SQLBind(actor), SQLBind(now)
                    ).run()
            }
        }
        return entries.count
    }

    /// The unexpired entries for `plate`: in `state` when given, else in any state.
    public func matches(_ plate: PlateNumber, state: String?, now: Date = Date()) async throws -> [HotListEntry] {
        var query = database.sql.select().column("*").from("hot_list_entries").where("plate", .equal, plate.value)
        if let state { query = query.where("state", .equal, state) }
        return try await query.all(decoding: HotListRow.self, keyDecodingStrategy: .convertFromSnakeCase).compactMap(\.entry)
            .filter { $0.isActive(at: now) }
    }

    /// Every entry, by plate.
    public func all() async throws -> [HotListEntry] {
        try await database.sql.select().column("*").from("hot_list_entries").orderBy("plate").orderBy("state")
            .all(decoding: HotListRow.self, keyDecodingStrategy: .convertFromSnakeCase).compactMap(\.entry)
    }
}

/// A `hot_list_entries` row.
struct HotListRow: Codable, Sendable {
    var plate: String
    var state: String
    var reason: String
    var note: String
    var expiresAt: Date?

    var entry: HotListEntry? {
        guard let plate = PlateNumber(plate) else { return nil }
        return HotListEntry(
            plate: plate, state: state, reason: HotListEntry.Reason(rawValue: reason) ?? .other, note: note, expiresAt: expiresAt?.millisecondPrecision)
    }
}
