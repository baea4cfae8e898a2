import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/cameras`: the camera registry.
struct CameraRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.camerasList, list)
        router.add(.camerasCreate, create)
        router.add(.camerasImport, importCameras)
        router.add(.camerasExport, export)
        router.add(.cameraGet, get)
        router.add(.cameraUpdate, update)
        router.add(.cameraDelete, delete)
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        var query = CameraQuery(
            text: request.uri.queryParameters["q"].map(String.init), kind: try request.queryEnum("kind", CameraKind.self),
            sharing: try request.queryEnum("sharing", SharingTier.self), partnerID: try request.queryUUID("partnerID"),
            tag: request.uri.queryParameters["tag"].map(String.init), boundingBox: try boundingBox(request),
            limit: try request.queryInt("limit", in: 1...1000, default: 50), offset: try request.queryInt("offset", in: 0...10_000_000, default: 0))
        if let identity, !identity.permissions.contains(.camerasRead) {
            // Partner users see only their own organisation's cameras.
            guard let partnerID = identity.user.partnerID else { return try Reply.json(Page<Camera>(items: [], total: 0, limit: query.limit, offset: query.offset)) }
            query.partnerID = partnerID
        }
        var page = try await services.store.cameras.search(query)
        page.items = page.items.map(Self.redacted)
        try await services.record("cameras.search", detail: request.uri.query ?? "", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(page)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        guard let camera = try await services.store.cameras.find(id: id), visible(camera, to: identity) else { throw Problem.notFound("camera") }
        try await services.record("cameras.view", target: "camera:\(id)", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(Self.redacted(camera))
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let draft = try await request.decodeStrict(CameraDraft.self, allowed: CameraDraft.allowedKeys, context: context)
        let valid = try draft.validated()
        try checkOutbound([valid], labels: [nil])
        let record = try sealed(valid, label: "body")
        let camera = try await services.store.cameras.create(record)
        try await services.record("cameras.create", target: "camera:\(camera.id)", detail: camera.name, by: identity, context: context)
        return try Reply.json(camera, status: .created)
    }

    @Sendable func update(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        guard let existing = try await services.store.cameras.find(id: id) else { throw Problem.notFound("camera") }
        let (draft, keys) = try await request.mergePatch(
            CameraDraft.self, over: existing, allowed: CameraDraft.allowedKeys, noun: "camera", context: context)
        let valid = try draft.validated()
        if keys.contains("mainStreamURL") || keys.contains("subStreamURL") { try checkOutbound([valid], labels: [nil]) }
        var secrets = try await storedSecrets(id: id)
        if keys.contains("mainStreamURL") { secrets.main = valid.mainCredentials ?? (valid.draft.mainStreamURL == nil ? nil : secrets.main) }
        if keys.contains("subStreamURL") { secrets.sub = valid.subCredentials ?? (valid.draft.subStreamURL == nil ? nil : secrets.sub) }
        if keys.contains("allowPlainBasicAuth") { secrets.allowPlainBasicAuth = valid.draft.allowPlainBasicAuth ? true : nil }
        let record = CameraRecord(camera: valid, sealedSecrets: secrets.isEmpty ? nil : try services.cipher.seal(secrets))
        guard let camera = try await services.store.cameras.update(id: id, with: record) else { throw Problem.notFound("camera") }
        await services.registryChanged()
        try await services.record(
            "cameras.update", target: "camera:\(id)", detail: "fields: \(keys.joined(separator: ","))", by: identity, context: context)
        return try Reply.json(Self.redacted(camera))
    }

    @Sendable func delete(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        guard try await services.store.cameras.delete(id: id) else { throw Problem.notFound("camera") }
        try await services.record("cameras.delete", target: "camera:\(id)", by: identity, context: context, purpose: request.purpose)
        return Reply.noContent
    }

    @Sendable func importCameras(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let data = try await request.bodyData(context: context)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let cameras: [ValidCamera]
        let labels: [String]
        if contentType.hasPrefix("text/csv") {
            guard let text = String(data: data, encoding: .utf8) else { throw Problem.badRequest(field: "body", "is not UTF-8 text") }
            (cameras, labels) = try CameraInterchange.parseCSVWithLabels(text)
        } else if contentType.hasPrefix("application/geo+json") || contentType.hasPrefix("application/json") {
            cameras = try CameraInterchange.parseGeoJSON(data)
            labels = cameras.indices.map { "features[\($0)]" }
        } else {
            throw Problem(.unsupportedMediaType, "send text/csv or application/geo+json")
        }
        try checkOutbound(cameras, labels: labels)
        let records = try zip(cameras, labels).map { try sealed($0, label: $1) }
        let dryRun = request.uri.queryParameters["dryRun"] == "true"
        if dryRun {
            try await services.store.cameras.check(records)
        } else {
            _ = try await services.store.cameras.createAll(records)
        }
        try await services.record(
            dryRun ? "cameras.import_checked" : "cameras.import", detail: "\(records.count) cameras", by: identity, context: context)
        return try Reply.json(ImportResult(imported: dryRun ? 0 : records.count, checked: records.count), status: dryRun ? .ok : .created)
    }

    @Sendable func export(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "csv"
        guard format == "csv" || format == "geojson" else { throw Problem.badRequest(field: "format", "must be csv or geojson") }
        let cameras = try await services.store.cameras.all()
        try await services.record(
            "cameras.export", detail: "\(format), \(cameras.count) cameras", by: identity, context: context, purpose: request.purpose)
        if format == "csv" {
            return Reply.text(CameraInterchange.csv(cameras), contentType: "text/csv; charset=utf-8", filename: "cameras.csv")
        }
        let data = try CameraInterchange.geoJSON(cameras)
        return Reply.text(String(decoding: data, as: UTF8.self), contentType: "application/geo+json", filename: "cameras.geojson")
    }

    private func sealed(_ camera: ValidCamera, label: String) throws -> CameraRecord {
        let secrets = camera.secrets
        return CameraRecord(camera: camera, sealedSecrets: secrets.isEmpty ? nil : try services.cipher.seal(secrets), label: label)
    }

    /// Refuses (422, naming the field) stream URLs whose hosts resolve to an address outside the outbound networks.
    private func checkOutbound(_ cameras: [ValidCamera], labels: [String?]) throws(ValidationError) {
        var errors: [FieldError] = []
        for (camera, label) in zip(cameras, labels) {
            errors += camera.outboundRefusals(policy: services.config.outboundNetworks).map {
                error in FieldError(field: label.map { "\($0): \(error.field)" } ?? error.field, reason: error.reason)
            }
        }
        try ValidationError.check(errors)
    }

    /// The camera with any credential a stored URL still carries (rows written before query credentials were sealed)
    /// shown as `***`.
    static func redacted(_ camera: Camera) -> Camera {
        var camera = camera
        camera.mainStreamURL = camera.mainStreamURL.map(StreamURL.redacted)
        camera.subStreamURL = camera.subStreamURL.map(StreamURL.redacted)
        return camera
    }

    private func storedSecrets(id: UUID) async throws -> CameraSecrets {
        guard let sealed = try await services.store.cameras.sealedSecrets(id: id) else { return CameraSecrets(main: nil, sub: nil) }
        return try services.cipher.open(CameraSecrets.self, from: sealed)
    }

    private func visible(_ camera: Camera, to identity: Identity?) -> Bool {
        guard let identity, !identity.permissions.contains(.camerasRead) else { return true }
        return camera.partnerID != nil && camera.partnerID == identity.user.partnerID
    }

    private func boundingBox(_ request: Request) throws -> (south: Double, west: Double, north: Double, east: Double)? {
        guard let text = request.uri.queryParameters["bbox"] else { return nil }
        let parts = text.split(separator: ",").compactMap { Double($0) }
        guard parts.count == 4, (-90...90).contains(parts[0]), (-90...90).contains(parts[2]), (-180...180).contains(parts[1]),
            (-180...180).contains(parts[3]), parts[0] <= parts[2], parts[1] <= parts[3]
        else { throw Problem.badRequest(field: "bbox", "must be south,west,north,east in degrees, south ≤ north and west ≤ east") }
        return (parts[0], parts[1], parts[2], parts[3])
    }
}

/// The outcome of an import.
struct ImportResult: Codable {
    /// Cameras stored.
    var imported: Int
    /// Cameras checked.
    var checked: Int
}
