import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

extension Endpoint {
    /// Everything the administration screen shows about one partner, its user accounts among it: for who manages partners.
    static let partnerOverview = Endpoint(method: .get, path: "/api/v1/partners/{id}/overview", access: .permission(.partnersWrite))
}

/// A partner in the list: the stored partner, how many cameras it owns and the retention it agreed to.
struct PartnerSummary: Encodable, Sendable {
    /// The stored partner.
    var partner: Partner
    /// Cameras the partner owns.
    var cameraCount: Int
    /// Days the partner agreed its cameras' footage may be kept; nil when each camera's own retention applies.
    var retentionDays: Int?

    private enum Keys: String, CodingKey { case cameraCount, retentionDays }

    /// The partner's own fields, then the two counts beside them (one flat object, so a client reading a Partner reads this).
    func encode(to encoder: any Encoder) throws {
        try partner.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(cameraCount, forKey: .cameraCount)
        try container.encode(retentionDays, forKey: .retentionDays)
    }
}

/// `GET /api/v1/partners/{id}/overview`: the partner with its consent, agreed retention, cameras (tier, sharing state and
/// the retention that applies) and user accounts.
struct PartnerOverview: Encodable, Sendable {
    /// One of the partner's cameras and how it is shared now.
    struct SharedCamera: Encodable, Sendable {
        /// The camera (no stream credentials).
        var camera: Camera
        /// Whether its owner shares it now, paused it or withdrew it.
        var state: SharingState
        /// Days its recordings are kept: its own retention, or the partner's agreed limit when shorter.
        var retentionDays: Int
    }

    /// The partner.
    var partner: Partner
    /// The retention the partner agreed to; nil when each camera's own applies.
    var retentionDays: Int?
    /// The programme's default retention for partner cameras.
    var defaultRetentionDays: Int
    /// Every camera the partner owns.
    var cameras: [SharedCamera]
    /// The partner's user accounts.
    var users: [User]

    private enum Keys: String, CodingKey { case partner, retentionDays, defaultRetentionDays, cameras, users }

    /// Every field, `retentionDays` as `null` when none is agreed (the key is always there, as the schema says).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(partner, forKey: .partner)
        try container.encode(retentionDays, forKey: .retentionDays)
        try container.encode(defaultRetentionDays, forKey: .defaultRetentionDays)
        try container.encode(cameras, forKey: .cameras)
        try container.encode(users, forKey: .users)
    }
}

/// `/api/v1/partners`: businesses and homeowners in the community camera program.
struct PartnerRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.partnersList, list)
        router.add(.partnersCreate, create)
        router.add(.partnerGet, get)
        router.add(.partnerUpdate, update)
        router.add(.partnerDelete, delete)
        router.add(.partnerOverview, overview)
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let page = try await services.store.partners.list(
            status: try request.queryEnum("status", Partner.Status.self), limit: try request.queryInt("limit", in: 1...1000, default: 50),
            offset: try request.queryInt("offset", in: 0...10_000_000, default: 0))
        let policies = try await services.store.community.retentionPolicies()
        var items: [PartnerSummary] = []
        for partner in page.items {
            let cameras = try await services.store.cameras.search(CameraQuery(partnerID: partner.id, limit: 1)).total
            items.append(PartnerSummary(partner: partner, cameraCount: cameras, retentionDays: policies[partner.id]))
        }
        try await services.record("partners.search", detail: request.uri.query ?? "", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(Page(items: items, total: page.total, limit: page.limit, offset: page.offset))
    }

    @Sendable func overview(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard let partner = try await services.store.partners.find(id: id) else { throw Problem.notFound("partner") }
        let policies = try await services.store.community.retentionPolicies()
        var cameras: [PartnerOverview.SharedCamera] = []
        for camera in try await ownedCameras(id) {
            cameras.append(PartnerOverview.SharedCamera(
                camera: camera, state: try await services.store.community.sharing(cameraID: camera.id),
                retentionDays: RetentionSweeper.retentionDays(camera, policies: policies)))
        }
        let users = try await services.store.users.list().filter { $0.partnerID == id }
        try await services.record("partners.view", target: "partner:\(id)", detail: "overview", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(PartnerOverview(
            partner: partner, retentionDays: policies[id], defaultRetentionDays: CommunityTerms.defaultRetentionDays, cameras: cameras, users: users))
    }

    /// Every camera `partnerID` owns, page after page.
    private func ownedCameras(_ partnerID: UUID) async throws -> [Camera] {
        var cameras: [Camera] = []
        while true {
            let page = try await services.store.cameras.search(CameraQuery(partnerID: partnerID, limit: 1000, offset: cameras.count))
            cameras += page.items
            if page.items.isEmpty || cameras.count >= page.total { return cameras }
        }
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard let partner = try await services.store.partners.find(id: id) else { throw Problem.notFound("partner") }
        try await services.record("partners.view", target: "partner:\(id)", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(partner)
    }

    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let draft = try await request.decodeStrict(PartnerDraft.self, allowed: PartnerDraft.allowedKeys, context: context)
        try draft.validate()
        let partner = try await services.store.partners.create(draft)
        try await services.record("partners.create", target: "partner:\(partner.id)", detail: partner.name, by: identity, context: context)
        return try Reply.json(partner, status: .created)
    }

    @Sendable func update(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        guard let existing = try await services.store.partners.find(id: id) else { throw Problem.notFound("partner") }
        let (draft, keys) = try await request.mergePatch(
            PartnerDraft.self, over: existing, allowed: PartnerDraft.allowedKeys, noun: "partner", context: context)
        try draft.validate()
        guard let partner = try await services.store.partners.update(id: id, with: draft) else { throw Problem.notFound("partner") }
        try await services.record(
            "partners.update", target: "partner:\(id)", detail: "fields: \(keys.joined(separator: ","))", by: identity, context: context)
        return try Reply.json(partner)
    }

    @Sendable func delete(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("partner")
        let deleted: Bool
        do {
            deleted = try await services.store.partners.delete(id: id)
        } catch is PartnerInUse {
            throw try await inUse(id)
        }
        guard deleted else { throw Problem.notFound("partner") }
        try await services.record("partners.delete", target: "partner:\(id)", by: identity, context: context)
        return Reply.noContent
    }

    /// The 409 for a partner that still owns cameras or user accounts, naming them so the person knows what to move.
    private func inUse(_ id: UUID) async throws -> Problem {
        let cameras = try await ownedCameras(id).map { "“\($0.name)”" }
        let users = try await services.store.users.list().filter { $0.partnerID == id }.map(\.username)
        var held: [String] = []
        if !cameras.isEmpty { held.append("\(cameras.count == 1 ? "the camera" : "\(cameras.count) cameras:") \(cameras.joined(separator: ", "))") }
        if !users.isEmpty { held.append("\(users.count == 1 ? "the user account" : "\(users.count) user accounts:") \(users.joined(separator: ", "))") }
        guard !held.isEmpty else { return Problem(.conflict, "this partner's cameras or user accounts changed while it was being deleted; try again") }
        return Problem(
            .conflict,
            "this partner still owns \(held.joined(separator: " and ")): delete them or give them to another owner first, "
                + "or set the partner's status to withdrawn to end its sharing and keep its record")
    }
}
