import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RTCCCore
import RTCCGeo
import RTCCStore

/// `/api/v1/deployments`: temporary deployments for events. An event has a name, an area (drawn, or a stored venue)
/// and a window; the temporary cameras linked to it take its window, so the recorder ingests and records them only
/// inside it. Its cameras are planned with the placement optimiser over its area (counting the cameras active during
/// the window), and its after-event report says what coverage it really had.
struct DeploymentRoutes {
    let services: AppServices

    static let fields: Set<String> = ["name", "notes", "polygon", "venueID", "startsAt", "endsAt"]
    /// The most cameras one event may have.
    static let maximumCameras = 500

    func register(on router: Router<AppRequestContext>) {
        router.add(.deploymentsList, list)
        router.add(.deploymentsCreate, create)
        router.add(.deploymentGet, get)
        router.add(.deploymentUpdate, update)
        router.add(.deploymentDelete, delete)
        router.add(.deploymentCamerasSet, setCameras)
        router.add(.deploymentCamerasAdd, addCameras)
        router.add(.deploymentPlan, plan)
        router.add(.deploymentReport, report)
    }

    /// A deployment as the API shows it: its fields, where it is in time, and its cameras by name.
    struct View: Encodable {
        struct CameraSummary: Encodable {
            var id: UUID
            var name: String
            var kind: CameraKind
            var recordable: Bool
        }

        var id: UUID
        var name: String
        var notes: String
        var venueID: UUID?
        var area: [[GeoPoint]]
        var startsAt: Date
        var endsAt: Date
        var phase: Deployment.Phase
        var cameras: [CameraSummary]
        var createdBy: String
        var createdAt: Date
        var updatedAt: Date

        init(_ deployment: Deployment, cameras: [UUID: Camera], now: Date) {
            id = deployment.id
            name = deployment.name
            notes = deployment.notes
            venueID = deployment.venueID
            area = deployment.area
            startsAt = deployment.startsAt
            endsAt = deployment.endsAt
            phase = deployment.phase(at: now)
            self.cameras = deployment.cameraIDs.compactMap { id in
                cameras[id].map { CameraSummary(id: id, name: $0.name, kind: $0.kind, recordable: $0.sharing == .live && $0.mainStreamURL != nil) }
            }
            createdBy = deployment.createdBy
            createdAt = deployment.createdAt
            updatedAt = deployment.updatedAt
        }
    }

    struct Listing: Encodable {
        var items: [View]
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let phase = try request.queryEnum("phase", Deployment.Phase.self)
        let now = Date()
        let cameras = try await cameraTable()
        let views = try await services.store.deployments.all().filter { phase == nil || $0.phase(at: now) == phase }
            .map { View($0, cameras: cameras, now: now) }
        return try Reply.json(Listing(items: views))
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let draft = try await readDraft(object, over: nil)
        let created = try await services.store.deployments.create(draft, by: identity?.actor ?? "anonymous")
        try await services.record(
            "deployments.create", target: target(created.id), detail: "\(created.name): \(created.startsAt.formatted(.iso8601)) to \(created.endsAt.formatted(.iso8601))",
            by: identity, context: context)
        return try Reply.json(View(created, cameras: [:], now: Date()), status: .created)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let found = try await find(context)
        return try Reply.json(View(found, cameras: try await cameraTable(), now: Date()))
    }

    @Sendable func update(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await find(context)
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let draft = try await readDraft(object, over: existing)
        guard let updated = try await services.store.deployments.update(id: existing.id, with: draft) else { throw Problem.notFound("deployment") }
        var detail = "changed \(object.keys.sorted().joined(separator: ", "))"
        if updated.window != existing.window {
            detail += "; window now \(updated.startsAt.formatted(.iso8601)) to \(updated.endsAt.formatted(.iso8601)) for \(updated.cameraIDs.count) cameras"
        }
        try await services.record("deployments.update", target: target(existing.id), detail: detail, by: identity, context: context)
        return try Reply.json(View(updated, cameras: try await cameraTable(), now: Date()))
    }

    @Sendable func delete(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await find(context)
        guard try await services.store.deployments.delete(id: existing.id) else { throw Problem.notFound("deployment") }
        try await services.record("deployments.delete", target: target(existing.id), detail: existing.name, by: identity, context: context)
        return Reply.noContent
    }

    /// `PUT …/cameras {"cameraIDs": [...]}`: the event's temporary cameras, which take its window.
    @Sendable func setCameras(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await find(context)
        let fields = try JSONFields(try Request.jsonObject(try await request.bodyData(context: context)), allowed: ["cameraIDs"])
        guard let values = fields.object["cameraIDs"] as? [Any] else {
            throw ValidationError(field: "cameraIDs", reason: "is required: an array of temporary camera ids (may be empty)")
        }
        guard values.count <= Self.maximumCameras else {
            throw ValidationError(field: "cameraIDs", reason: "has \(values.count) cameras, more than the \(Self.maximumCameras) one event may have")
        }
        let cameras = try await cameraTable()
        var ids: [UUID] = []
        var problems: [FieldError] = []
        for (position, value) in values.enumerated() {
            let field = "cameraIDs[\(position)]"
            guard let text = value as? String, let id = UUID(uuidString: text) else {
                problems.append(FieldError(field: field, reason: "must be a camera id (a UUID)"))
                continue
            }
            guard let camera = cameras[id] else {
                problems.append(FieldError(field: field, reason: "no camera has id \(id.uuidString.lowercased())"))
                continue
            }
            guard camera.kind == .temporary else {
                problems.append(FieldError(
                    field: field, reason: "\"\(camera.name)\" is a \(camera.kind.rawValue) camera: only temporary cameras follow an event's window"))
                continue
            }
            if ids.contains(id) {
                problems.append(FieldError(field: field, reason: "\"\(camera.name)\" is listed twice"))
                continue
            }
            ids.append(id)
        }
        try ValidationError.check(problems)
        try await refuseCamerasInOtherRunningEvents(ids, deployment: existing, cameras: cameras)
        guard let updated = try await services.store.deployments.setCameras(deploymentID: existing.id, cameraIDs: ids) else {
            throw Problem.notFound("deployment")
        }
        let added = Set(ids).subtracting(existing.cameraIDs).count
        let removed = Set(existing.cameraIDs).subtracting(ids).count
        try await services.record(
            "deployments.cameras", target: target(existing.id), detail: "\(ids.count) cameras (\(added) added, \(removed) removed)", by: identity,
            context: context)
        return try Reply.json(View(updated, cameras: try await cameraTable(), now: Date()))
    }

    /// `POST …/cameras {"cameras": [sites]}`: registers new temporary cameras at planned sites (a plan's `chosen`
    /// rows, or sites typed in) and adds them to the event. Streams can be given now or set on each camera when it
    /// is mounted.
    @Sendable func addCameras(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await find(context)
        let fields = try JSONFields(try Request.jsonObject(try await request.bodyData(context: context)), allowed: ["cameras"])
        guard let sites = try fields.objects("cameras", most: Self.maximumCameras), !sites.isEmpty else {
            throw ValidationError(field: "cameras", reason: "is required: an array of sites with latitude, longitude and headingDeg")
        }
        guard existing.cameraIDs.count + sites.count <= Self.maximumCameras else {
            throw ValidationError(field: "cameras", reason: "would give the event more than \(Self.maximumCameras) cameras")
        }
        let taken = Set(try await services.store.cameras.all().map { $0.name.lowercased() })
        var records: [CameraRecord] = []
        var problems: [FieldError] = []
        let siteFields: Set<String> = [
            "name", "latitude", "longitude", "headingDeg", "fovDeg", "rangeM", "mountHeightM", "mainStreamURL", "subStreamURL", "rank", "site",
            "uniqueWeight",
        ]
        for (position, site) in sites.enumerated() {
            let label = "cameras[\(position)]"
            do {
                let row = try JSONFields(site, allowed: siteFields, path: label + ".")
                let latitude = try row.number("latitude", in: -90...90)
                let longitude = try row.number("longitude", in: -180...180)
                guard let latitude, let longitude else { throw ValidationError(field: label + ".latitude", reason: "latitude and longitude are required") }
                var name = try row.string("name")?.trimmingCharacters(in: .whitespaces) ?? ""
                if name.isEmpty || taken.contains(name.lowercased()) {
                    let stem = name.isEmpty ? "\(existing.name) camera" : name
                    var number = existing.cameraIDs.count + position + 1
                    repeat {
                        name = String(format: "%@ %02d", stem, number)
                        number += 1
                    } while taken.contains(name.lowercased()) || records.contains { $0.camera.draft.name.lowercased() == name.lowercased() }
                }
                let draft = CameraDraft(
                    name: name, kind: .temporary, location: GeoPoint(latitude: latitude, longitude: longitude),
                    mountHeightM: try row.number("mountHeightM", in: 0...500, default: 6) ?? 6, headingDeg: try row.number("headingDeg", in: -360...720, default: 0) ?? 0,
                    fieldOfViewDeg: try row.number("fovDeg", in: 0...360, default: 90) ?? 90, rangeM: try row.number("rangeM", in: 0...5000, default: 60) ?? 60,
                    mainStreamURL: try row.string("mainStreamURL"), subStreamURL: try row.string("subStreamURL"), sharing: .live, retentionDays: 30,
                    activeWindow: existing.window, tags: ["temporary", "event"])
                var normalised = draft
                normalised.headingDeg = (draft.headingDeg.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
                do {
                    records.append(CameraRecord(camera: try normalised.validated(), sealedSecrets: nil, label: label))
                } catch {
                    problems += error.errors.map { FieldError(field: "\(label).\($0.field)", reason: $0.reason) }
                }
            } catch let error as ValidationError {
                problems += error.errors
            }
        }
        try ValidationError.check(problems)
        let created = try await services.store.cameras.createAll(records)
        guard let updated = try await services.store.deployments.setCameras(deploymentID: existing.id, cameraIDs: existing.cameraIDs + created.map(\.id)) else {
            throw Problem.notFound("deployment")
        }
        for camera in created {
            try await services.record("cameras.create", target: "camera:\(camera.id)", detail: "\(camera.name) for \(existing.name)", by: identity, context: context)
        }
        try await services.record("deployments.cameras", target: target(existing.id), detail: "\(created.count) new cameras at planned sites", by: identity, context: context)
        return try Reply.json(View(updated, cameras: try await cameraTable(), now: Date()), status: .created)
    }

    /// `POST …/plan`: where the event's cameras should go, over its area, counting the cameras active in its window.
    /// The body is a plan request (`budget`, `camera`, `candidates` or `candidateGrid`, `demand`) without an area;
    /// demand defaults to uniform over the area and candidates to a 25 m grid.
    @Sendable func plan(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await find(context)
        let format = try request.queryEnum("format", PlanRoutes.Format.self) ?? .json
        var object = try Request.jsonObject(try await request.bodyData(context: context))
        for key in ["polygon", "venueID"] where object[key] != nil {
            throw Problem.badRequest(field: key, "is the event's own area here: change the event's area instead")
        }
        var ring = existing.area.first?.map { [$0.longitude, $0.latitude] } ?? []
        if let first = ring.first { ring.append(first) }
        object["polygon"] = ["type": "Polygon", "coordinates": [ring]]
        if object["demand"] == nil { object["demand"] = ["kind": "uniform"] }
        if object["candidates"] == nil, object["candidateGrid"] == nil { object["candidateGrid"] = ["spacingM": 25] }
        var planRequest = try await PlanRequest.read(object, store: services.store)
        planRequest.area?.name = target(existing.id)
        planRequest.existingActiveDuring = DateInterval(start: existing.startsAt, end: existing.endsAt)
        let index = try await services.sightingIndexes.index(services.store)
        let result = try await PlacementPlanning.solve(planRequest, index: index, store: services.store)
        try await services.record(
            "plan.compute", target: target(existing.id),
            detail: "\(result.plan.choices.count) of \(result.candidates) sites for \(existing.name)", by: identity, context: context, purpose: request.purpose)
        return try PlanRoutes.reply(result, for: planRequest, format: format)
    }

    /// `GET …/report`: the after-event report (while the event runs, the report so far).
    @Sendable func report(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let existing = try await find(context)
        let resolution: Double
        if let text = request.uri.queryParameters.get("resolutionM") {
            guard let value = Double(String(text)) else { throw ValidationError(field: "resolutionM", reason: "must be a number of metres from 1 to 1000") }
            resolution = value
        } else {
            resolution = 5
        }
        let index = try await services.sightingIndexes.index(services.store)
        let body = try await DeploymentReport.build(existing, index: index, store: services.store, resolution: resolution, now: Date())
        try await services.record("deployments.report", target: target(existing.id), detail: existing.name, by: identity, context: context, purpose: request.purpose)
        return PlanRoutes.json(body)
    }

    // MARK: - Input

    /// The deployment a body describes; for a change, absent fields keep `existing`'s values.
    private func readDraft(_ object: [String: Any], over existing: Deployment?) async throws -> DeploymentDraft {
        if let unknown = object.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw Problem.badRequest(field: unknown, "is not a known field (known: \(Self.fields.sorted().joined(separator: ", ")))")
        }
        let fields = try JSONFields(object, allowed: Self.fields)
        var problems: [FieldError] = []
        func attempt<T>(_ read: () async throws -> T?) async -> T? {
            do {
                return try await read()
            } catch let error as ValidationError {
                problems += error.errors
            } catch {
                problems.append(FieldError(field: "body", reason: "\(error)"))
            }
            return nil
        }
        let name = await attempt { try fields.string("name") } ?? existing?.name
        let notes = await attempt { try fields.string("notes") } ?? existing?.notes ?? ""
        let startsAt = await attempt { try fields.date("startsAt") } ?? existing?.startsAt
        let endsAt = await attempt { try fields.date("endsAt") } ?? existing?.endsAt
        var area = existing?.area
        var venueID = existing?.venueID
        if object["polygon"] != nil || object["venueID"] != nil || existing == nil {
            if let input = await attempt({ try await AreaInput.read(object, store: services.store) }) {
                area = input.polygon.rings.map { ring in ring.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) } }
                venueID = input.name.hasPrefix("venue:") ? UUID(uuidString: String(input.name.dropFirst(6))) : nil
            } else {
                area = nil
            }
        }
        if name == nil { problems.append(FieldError(field: "name", reason: "is required: the event's name")) }
        if startsAt == nil, !problems.contains(where: { $0.field == "startsAt" }) {
            problems.append(FieldError(field: "startsAt", reason: "is required: an ISO 8601 time"))
        }
        if endsAt == nil, !problems.contains(where: { $0.field == "endsAt" }) {
            problems.append(FieldError(field: "endsAt", reason: "is required: an ISO 8601 time"))
        }
        if area == nil, let name, let startsAt, let endsAt {
            // Report the other fields' problems too, checked against a stand-in area.
            let standIn = [[GeoPoint(latitude: 0, longitude: 0), GeoPoint(latitude: 0, longitude: 1), GeoPoint(latitude: 1, longitude: 0)]]
            do {
                _ = try DeploymentDraft(name: name, notes: notes, area: standIn, startsAt: startsAt, endsAt: endsAt).validated()
            } catch {
                problems += error.errors
            }
        }
        guard problems.isEmpty, let name, let startsAt, let endsAt, let area else {
            throw ValidationError(problems.isEmpty ? [FieldError(field: "polygon", reason: "is required")] : problems)
        }
        return try DeploymentDraft(name: name, notes: notes, venueID: venueID, area: area, startsAt: startsAt, endsAt: endsAt).validated()
    }

    /// Refuses cameras still mounted for another event that has not ended.
    private func refuseCamerasInOtherRunningEvents(_ ids: [UUID], deployment: Deployment, cameras: [UUID: Camera]) async throws {
        let others = try await services.store.deployments.otherDeployments(of: ids, than: deployment.id)
        guard !others.isEmpty else { return }
        let now = Date()
        var problems: [FieldError] = []
        for (position, id) in ids.enumerated() {
            guard let otherID = others[id], let other = try await services.store.deployments.find(id: otherID), other.phase(at: now) != .ended else { continue }
            problems.append(FieldError(
                field: "cameraIDs[\(position)]",
                reason: "\"\(cameras[id]?.name ?? id.uuidString)\" is mounted for \"\(other.name)\" until \(other.endsAt.formatted(.iso8601)): remove it there first"))
        }
        try ValidationError.check(problems)
    }

    private func find(_ context: AppRequestContext) async throws -> Deployment {
        guard let found = try await services.store.deployments.find(id: try context.pathID("deployment")) else { throw Problem.notFound("deployment") }
        return found
    }

    private func cameraTable() async throws -> [UUID: Camera] {
        Dictionary(uniqueKeysWithValues: try await services.store.cameras.all().map { ($0.id, $0) })
    }

    private func target(_ id: UUID) -> String { "deployment:\(id.uuidString.lowercased())" }
}
