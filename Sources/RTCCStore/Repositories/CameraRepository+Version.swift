import FluentKit
import Foundation
import SQLKit

/// What the camera registry is, cheaply: any create, change or delete changes it.
public struct RegistryVersion: Sendable, Hashable {
    /// How many cameras there are.
    public var count: Int
    /// The latest change to any camera; nil for an empty registry.
    public var lastChange: Date?
}

extension CameraRepository {
    /// The registry's version, read from the change times alone (for caches built from the whole registry).
    public func version() async throws -> RegistryVersion {
        let times = try await database.sql.select().column("updated_at").from("cameras").all(decodingColumn: "updated_at", as: Date.self)
        return RegistryVersion(count: times.count, lastChange: times.max())
    }
}

extension Store {
    /// Building footprints.
    public var buildings: BuildingRepository { BuildingRepository(database: database) }
}
