import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// Event deployments in SQL. Linking cameras also sets their active window to the event's, in one transaction, so
/// the recorder (which reads the registry) records them only inside the window.
public struct DeploymentRepository: Sendable {
    let database: any Database

    /// Stores a new deployment (no cameras yet).
    public func create(_ draft: DeploymentDraft, by actor: String, now: Date = Date()) async throws -> Deployment {
        let now = now.millisecondPrecision
        let row = try DeploymentRow(id: UUID(), draft: draft, createdBy: actor, createdAt: now, updatedAt: now)
        try await database.sql.insert(into: "deployments").model(row, with: rowEncoder).run()
        return try row.deployment(cameraIDs: [])
    }

    /// Replaces a deployment's fields and moves its cameras' window with it. Nil when there is no such deployment.
    public func update(id: UUID, with draft: DeploymentDraft, now: Date = Date()) async throws -> Deployment? {
        let now = now.millisecondPrecision
        guard let existing = try await row(id: id) else { return nil }
        let row = try DeploymentRow(id: id, draft: draft, createdBy: existing.createdBy, createdAt: existing.createdAt, updatedAt: now)
        let cameras = try await cameraIDs(deploymentID: id)
        try await database.transaction { db in
            try await db.sql.update("deployments").set(model: row, with: rowEncoder).where("id", .equal, id).run()
            try await Self.setWindow(db, cameras: cameras, window: ActiveWindow(from: draft.startsAt, until: draft.endsAt), now: now)
        }
        return try row.deployment(cameraIDs: cameras)
    }

    /// Removes a deployment and its camera links (the cameras stay in the registry, their window unchanged).
    public func delete(id: UUID) async throws -> Bool {
        guard try await row(id: id) != nil else { return false }
        try await database.transaction { db in
            try await db.sql.delete(from: "deployment_cameras").where("deployment_id", .equal, id).run()
            try await db.sql.delete(from: "deployments").where("id", .equal, id).run()
        }
        return true
    }

    /// One deployment with its cameras.
    public func find(id: UUID) async throws -> Deployment? {
        guard let row = try await row(id: id) else { return nil }
        return try row.deployment(cameraIDs: try await cameraIDs(deploymentID: id))
    }

    /// Every deployment, latest start first.
    public func all() async throws -> [Deployment] {
        let rows = try await database.sql.select().column("*").from("deployments").orderBy("starts_at", .descending)
            .all(decoding: DeploymentRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let links = try await database.sql.select().columns("deployment_id", "camera_id").from("deployment_cameras").orderBy("position")
            .all(decoding: LinkRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        let byDeployment = Dictionary(grouping: links, by: \.deploymentId)
        return try rows.map { try $0.deployment(cameraIDs: byDeployment[$0.id]?.map(\.cameraId) ?? []) }
    }

    /// The cameras of a deployment, in the order linked.
    public func cameraIDs(deploymentID: UUID) async throws -> [UUID] {
        try await database.sql.select().column("camera_id").from("deployment_cameras").where("deployment_id", .equal, deploymentID)
            .orderBy("position").all(decodingColumn: "camera_id", as: UUID.self)
    }

    /// The deployments other than `deploymentID` that `cameraIDs` belong to, by camera.
    public func otherDeployments(of cameraIDs: [UUID], than deploymentID: UUID) async throws -> [UUID: UUID] {
        guard !cameraIDs.isEmpty else { return [:] }
        let links = try await database.sql.select().columns("deployment_id", "camera_id").from("deployment_cameras")
            .where("camera_id", .in, cameraIDs).where("deployment_id", .notEqual, deploymentID)
            .all(decoding: LinkRow.self, keyDecodingStrategy: .convertFromSnakeCase)
        return Dictionary(links.map { ($0.cameraId, $0.deploymentId) }, uniquingKeysWith: { first, _ in first })
    }

    /// Makes `cameraIDs` the deployment's cameras, in that order, and gives each the event's window. Cameras dropped
    /// from the list keep the window they had. Nil when there is no such deployment.
    public func setCameras(deploymentID: UUID, cameraIDs: [UUID], now: Date = Date()) async throws -> Deployment? {
        let now = now.millisecondPrecision
        guard let row = try await row(id: deploymentID) else { return nil }
        let deployment = try row.deployment(cameraIDs: cameraIDs)
        try await database.transaction { db in
            try await db.sql.delete(from: "deployment_cameras").where("deployment_id", .equal, deploymentID).run()
            for (position, camera) in cameraIDs.enumerated() {
                try await db.sql.insert(into: "deployment_cameras").columns("deployment_id", "camera_id", "position", "added_at")
                    .values(SQLBind(deploymentID), SQLBind(camera), SQLBind(position), SQLBind(now)).run()
            }
            try await Self.setWindow(db, cameras: cameraIDs, window: deployment.window, now: now)
        }
        return deployment
    }

    private static func setWindow(_ db: any Database, cameras: [UUID], window: ActiveWindow, now: Date) async throws {
        for chunk in cameras.chunked(by: 200) where !chunk.isEmpty {
            try await db.sql.update("cameras")
                .set("active_from", to: SQLBind(window.from.millisecondPrecision)).set("active_until", to: SQLBind(window.until.millisecondPrecision))
                .set("updated_at", to: SQLBind(now)).where("id", .in, Array(chunk)).run()
        }
    }

    private func row(id: UUID) async throws -> DeploymentRow? {
        try await database.sql.select().column("*").from("deployments").where("id", .equal, id)
            .first(decoding: DeploymentRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}

/// A `deployments` row.
struct DeploymentRow: Codable, Sendable {
    var id: UUID
    var name: String
    var notes: String
    var venueId: UUID?
    var area: String
    var startsAt: Date
    var endsAt: Date
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date

    init(id: UUID, draft: DeploymentDraft, createdBy: String, createdAt: Date, updatedAt: Date) throws {
        self.id = id
        name = draft.name
        notes = draft.notes
        venueId = draft.venueID
        area = String(decoding: try JSONEncoder().encode(draft.area), as: UTF8.self)
        startsAt = draft.startsAt.millisecondPrecision
        endsAt = draft.endsAt.millisecondPrecision
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    func deployment(cameraIDs: [UUID]) throws -> Deployment {
        Deployment(
            id: id, name: name, notes: notes, venueID: venueId, area: try JSONDecoder().decode([[GeoPoint]].self, from: Data(area.utf8)),
            startsAt: startsAt.millisecondPrecision, endsAt: endsAt.millisecondPrecision, cameraIDs: cameraIDs, createdBy: createdBy,
            createdAt: createdAt.millisecondPrecision, updatedAt: updatedAt.millisecondPrecision)
    }
}

/// A `deployment_cameras` row's keys.
struct LinkRow: Codable, Sendable {
    var deploymentId: UUID
    var cameraId: UUID
}

extension Store {
    /// Event deployments and their temporary cameras.
    public var deployments: DeploymentRepository { DeploymentRepository(database: database) }
}
