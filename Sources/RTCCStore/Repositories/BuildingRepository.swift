import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// One building footprint: an outer ring and any courtyards, each a ring of points (first point not repeated).
public struct BuildingFootprint: Sendable, Hashable, Codable {
    /// Outer ring first, then holes.
    public var rings: [[GeoPoint]]

    /// Creates a footprint.
    public init(rings: [[GeoPoint]]) { self.rings = rings }
}

/// What the stored footprints are, cheaply: changes whenever they are replaced.
public struct BuildingsVersion: Sendable, Hashable {
    /// How many footprints are stored.
    public var count: Int
    /// When the current set was stored; nil when there is none.
    public var storedAt: Date?
}

/// Building footprints in SQL, replaced as a whole.
public struct BuildingRepository: Sendable {
    let database: any Database

    /// Replaces every footprint with `footprints`, all or nothing.
    public func replaceAll(_ footprints: [BuildingFootprint], now: Date = Date()) async throws {
        let now = now.millisecondPrecision
        let rows = try footprints.enumerated().map { index, footprint in
            BuildingRow(id: UUID(), position: index, rings: String(decoding: try JSONEncoder().encode(footprint.rings), as: UTF8.self), createdAt: now)
        }
        try await database.transaction { db in
            try await db.sql.delete(from: "buildings").run()
            for chunk in rows.chunked(by: 200) {
                try await db.sql.insert(into: "buildings").models(Array(chunk), with: rowEncoder).run()
            }
        }
    }

    /// Every footprint, in the order stored.
    public func all() async throws -> [BuildingFootprint] {
        try await database.sql.select().column("*").from("buildings").orderBy("position")
            .all(decoding: BuildingRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            .map { BuildingFootprint(rings: try JSONDecoder().decode([[GeoPoint]].self, from: Data($0.rings.utf8))) }
    }

    /// The count and storage time of the current footprints.
    public func version() async throws -> BuildingsVersion {
        let times = try await database.sql.select().column("created_at").from("buildings").all(decodingColumn: "created_at", as: Date.self)
        return BuildingsVersion(count: times.count, storedAt: times.max())
    }
}

/// A `buildings` row.
struct BuildingRow: Codable, Sendable {
    var id: UUID
    var position: Int
    var rings: String
    var createdAt: Date
}
