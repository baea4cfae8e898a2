import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/portal/…`: a camera owner's own cameras, their sharing switches and the log of everything the RTCC did
/// with them; `/api/v1/cameras/{id}/mask`: privacy masks.
struct PortalRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.portalCameras, cameras)
        router.add(.portalCameraUpdate, update)
        router.add(.portalAccessLog, accessLog)
        router.add(.cameraMaskGet, getMask)
        router.add(.cameraMaskPut, putMask)
    }

    /// One of the owner's cameras as the portal shows it.
    struct OwnedCamera: Encodable {
        var camera: Camera
        var state: SharingState
        var retentionDays: Int
        var mask: PrivacyMask
        var recording: Bool
        var deletions: [DeletionRecord]
        /// For a "live during alarms" camera in an alarm: when the RTCC's access ends.
        var alarmUntil: Date?
    }

    /// The signed-in owner's partner id.
    static func partnerID(_ identity: Identity?) throws -> UUID {
        guard let partnerID = identity?.user.partnerID else {
            throw Problem(.forbidden, "this account belongs to no partner; the owner portal is for camera owners")
        }
        return partnerID
    }

    private func ownCameras(_ partnerID: UUID) async throws -> [Camera] {
        try await services.store.cameras.search(CameraQuery(partnerID: partnerID, limit: 1000)).items
    }

    @Sendable func cameras(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let partnerID = try Self.partnerID(identity)
        let policies = try await services.store.community.retentionPolicies()
        let alarms = try await services.store.community.alarms()
        var owned: [OwnedCamera] = []
        for camera in try await ownCameras(partnerID) {
            owned.append(OwnedCamera(
                camera: camera, state: try await services.store.community.sharing(cameraID: camera.id),
                retentionDays: RetentionSweeper.retentionDays(camera, policies: policies), mask: try await services.store.community.mask(cameraID: camera.id),
                recording: await services.recorders.recorder(of: camera.id) != nil,
                deletions: try await services.store.community.deletions(cameraID: camera.id, limit: 20),
                alarmUntil: camera.sharing == .alarmOnly ? alarms[camera.id] : nil))
        }
        return try Reply.json(owned)
    }

    struct SharingChange: Decodable {
        var state: SharingState?
        var sharing: SharingTier?
    }

    @Sendable func update(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let partnerID = try Self.partnerID(identity)
        let id = try context.pathID("camera")
        guard let camera = try await services.store.cameras.find(id: id), camera.partnerID == partnerID else { throw Problem.notFound("camera") }
        let change = try await request.decodeStrict(SharingChange.self, allowed: ["state", "sharing"], context: context)
        guard change.state != nil || change.sharing != nil else {
            throw Problem.badRequest(field: "body", "send state (active, paused, revoked) and/or sharing (a sharing tier)")
        }
        let actor = identity?.actor ?? "owner"
        var updated = camera
        if let tier = change.sharing, tier != camera.sharing {
            updated = try await CameraSharing(services: services).setTier(camera, tier)
        }
        if let state = change.state {
            try await services.store.community.setSharing(cameraID: id, state, by: actor)
        }
        let state = try await services.store.community.sharing(cameraID: id)
        let stopped = !state.allowsAccess || updated.sharing != .live
        if stopped {
            // Live viewers lose the picture now; the supervisor stops ingest on its immediate re-read.
            await services.live.close(cameraID: id)
        }
        // On every node of a cluster too.
        await services.registryChanged(camera: id, stopped: stopped)
        var details: [String] = []
        if let state = change.state { details.append("state \(state.rawValue)") }
        if let tier = change.sharing { details.append("sharing \(tier.rawValue)") }
        try await services.record("portal.sharing", target: "camera:\(id)", detail: details.joined(separator: ", "), by: identity, context: context)
        let policies = try await services.store.community.retentionPolicies()
        return try Reply.json(OwnedCamera(
            camera: updated, state: state, retentionDays: RetentionSweeper.retentionDays(updated, policies: policies),
            mask: try await services.store.community.mask(cameraID: id), recording: await services.recorders.recorder(of: id) != nil,
            deletions: try await services.store.community.deletions(cameraID: id, limit: 20),
            alarmUntil: updated.sharing == .alarmOnly ? try await services.store.community.alarms()[id] : nil))
    }

    @Sendable func accessLog(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let partnerID = try Self.partnerID(identity)
        let ids = try await ownCameras(partnerID).map(\.id)
        var cameraIDs = ids
        if let only = try request.queryUUID("cameraID") {
            guard ids.contains(only) else { throw Problem.notFound("camera") }
            cameraIDs = [only]
        }
        let entries = try await services.store.community.accessLog(
            cameraIDs: cameraIDs, limit: try request.queryInt("limit", in: 1...1000, default: 200),
            offset: try request.queryInt("offset", in: 0...1_000_000, default: 0))
        return try Reply.json(entries)
    }

    @Sendable func getMask(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let camera = try await services.visibleCamera(context, identity)
        return try Reply.json(try await services.store.community.mask(cameraID: camera.id))
    }

    @Sendable func putMask(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        guard let camera = try await services.store.cameras.find(id: id) else { throw Problem.notFound("camera") }
        if let identity, !identity.permissions.contains(.camerasWrite), camera.partnerID == nil || camera.partnerID != identity.user.partnerID {
            throw Problem.notFound("camera")
        }
        let mask = try await request.decodeStrict(PrivacyMask.self, allowed: ["polygons"], context: context)
        try mask.validate()
        try await services.store.community.setMask(cameraID: id, mask, by: identity?.actor ?? "system")
        // Masked and unmasked viewers need different channels: end the current ones so everyone reconnects correctly.
        await services.live.close(cameraID: id)
        // Analytics restart their watcher with the new mask at once (no unmasked picture goes to a detector meanwhile),
        // and every node's viewers reconnect.
        await services.registryChanged(camera: id, stopped: true)
        try await services.record("cameras.mask", target: "camera:\(id)", detail: "\(mask.polygons.count) polygon(s)", by: identity, context: context)
        return try Reply.json(mask)
    }
}

/// Changes a camera's sharing tier, keeping its stored credentials.
struct CameraSharing: Sendable {
    let services: AppServices

    func setTier(_ camera: Camera, _ tier: SharingTier) async throws -> Camera {
        let draft = CameraDraft(
            name: camera.name, kind: camera.kind, partnerID: camera.partnerID, location: camera.location, mountHeightM: camera.mountHeightM,
            headingDeg: camera.headingDeg, fieldOfViewDeg: camera.fieldOfViewDeg, rangeM: camera.rangeM, mainStreamURL: camera.mainStreamURL,
            subStreamURL: camera.subStreamURL, sharing: tier, retentionDays: camera.retentionDays, activeWindow: camera.activeWindow, tags: camera.tags)
        let record = CameraRecord(camera: try draft.validated(), sealedSecrets: try await services.store.cameras.sealedSecrets(id: camera.id))
        guard let updated = try await services.store.cameras.update(id: camera.id, with: record) else { throw Problem.notFound("camera") }
        return updated
    }
}
