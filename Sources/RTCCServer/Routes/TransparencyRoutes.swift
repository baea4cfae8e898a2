import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// `GET /api/v1/transparency`: public figures about the cameras and what the RTCC did with footage, computed live.
/// Cameras are counted by kind and district only: no position, owner name or camera name is ever published, and a
/// district with fewer than ``Transparency/minimumGroup`` partner cameras is folded into "other areas".
struct TransparencyRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.transparency, report)
    }

    @Sendable func report(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        try Reply.json(try await Transparency.compute(services))
    }
}

/// The public report.
struct Transparency: Encodable {
    /// Smallest number of partner cameras a district must have to be shown by name.
    static let minimumGroup = 3

    struct District: Encodable {
        var district: String
        var city: Int
        var partner: Int
        var temporary: Int
    }

    struct Cameras: Encodable {
        var total: Int
        var byKind: [String: Int]
        var bySharingTier: [String: Int]
        var byDistrict: [District]
        var sharingPausedOrRevoked: Int
        var masked: Int
    }

    struct Program: Encodable {
        var activePartners: Int
        var businesses: Int
        var homeowners: Int
        var signUps: [String: Int]
    }

    struct Requests: Encodable {
        var made: Int
        var byStatus: [String: Int]
    }

    struct Releases: Encodable {
        var evidencePackages: Int
        var shareLinks: Int
        var shareDownloads: Int
    }

    struct Audits: Encodable {
        var entries: Int
        var liveViews: Int
        var playbackSessions: Int
        var exports: Int
        var unmaskedViews: Int
    }

    struct Retention: Encodable {
        var defaultDays: Int
        var partnersWithShorterRetention: Int
        var deletedSegmentsLast30Days: Int
        var deletedBytesLast30Days: Int64
        var rule: String
    }

    struct Policy: Encodable {
        var termsVersion: String
        var terms: [String]
    }

    var generatedAt: Date
    var cameras: Cameras
    var program: Program
    var footageRequests: Requests
    var evidenceReleases: Releases
    var audits: Audits
    var retention: Retention
    var policy: Policy

    /// A camera's district: its `district:<name>` tag, else the ~2 km grid square it lies in.
    static func district(_ camera: Camera) -> String {
        if let tag = camera.tags.first(where: { $0.hasPrefix("district:") }) { return String(tag.dropFirst("district:".count)) }
        let lat = (camera.location.latitude / 0.02).rounded(.down) * 0.02, lon = (camera.location.longitude / 0.02).rounded(.down) * 0.02
        return String(format: "area %.2f, %.2f", lat, lon)
    }

    static func compute(_ services: AppServices, now: Date = Date()) async throws -> Transparency {
        let store = services.store
        let cameras = try await store.cameras.all()
        var byKind: [String: Int] = [:], byTier: [String: Int] = [:]
        var groups: [String: District] = [:]
        for camera in cameras {
            byKind[camera.kind.rawValue, default: 0] += 1
            byTier[camera.sharing.rawValue, default: 0] += 1
            let name = district(camera)
            var group = groups[name] ?? District(district: name, city: 0, partner: 0, temporary: 0)
            switch camera.kind {
            case .city: group.city += 1
            case .partner: group.partner += 1
            case .temporary: group.temporary += 1
            }
            groups[name] = group
        }
        var shown: [District] = [], other = District(district: "other areas", city: 0, partner: 0, temporary: 0)
        for group in groups.values.sorted(by: { $0.district < $1.district }) {
            if group.partner > 0 && group.partner < minimumGroup {
                other.city += group.city
                other.partner += group.partner
                other.temporary += group.temporary
            } else {
                shown.append(group)
            }
        }
        if other.city + other.partner + other.temporary > 0 { shown.append(other) }
        let partners = try await store.partners.list(status: .active, limit: 1000).items
        let requests = try await store.footageRequests.countsByStatus()
        let actions = try await store.community.auditCounts(actions: ["live.view", "playback.start", "evidence.export", "video.unmask"])
        let deleted = try await store.community.deletionTotals(since: now.addingTimeInterval(-30 * 86_400))
        let activePartners = try await store.partners.list(status: .active, limit: 1).total
        return Transparency(
            generatedAt: now,
            cameras: Cameras(
                total: cameras.count, byKind: byKind, bySharingTier: byTier, byDistrict: shown,
                sharingPausedOrRevoked: try await store.community.blockedCameras().count, masked: try await store.community.maskedCameras().count),
            program: Program(
                activePartners: activePartners, businesses: partners.filter { $0.kind == .business }.count,
                homeowners: partners.filter { $0.kind == .homeowner }.count,
                signUps: Dictionary(uniqueKeysWithValues: try await store.community.applicationCounts().map { ($0.key.rawValue, $0.value) })),
            footageRequests: Requests(
                made: requests.values.reduce(0, +),
                byStatus: Dictionary(uniqueKeysWithValues: FootageRequestStatus.allCases.map { ($0.rawValue, requests[$0] ?? 0) })),
            evidenceReleases: Releases(
                evidencePackages: try await store.community.count(.evidencePackages), shareLinks: try await store.community.count(.shareLinks),
                shareDownloads: try await store.community.shareDownloads()),
            audits: Audits(
                entries: try await store.community.count(.auditLog), liveViews: actions["live.view"] ?? 0, playbackSessions: actions["playback.start"] ?? 0,
                exports: actions["evidence.export"] ?? 0, unmaskedViews: actions["video.unmask"] ?? 0),
            retention: Retention(
                defaultDays: CommunityTerms.defaultRetentionDays, partnersWithShorterRetention: try await store.community.retentionPolicies().count,
                deletedSegmentsLast30Days: deleted.segments, deletedBytesLast30Days: deleted.bytes,
                rule: "Footage is deleted automatically after each camera's retention period (or its owner's shorter agreement), except footage under an evidence hold and, on city cameras only, the minutes around an alert that was not dismissed (kept \(services.config.bookmarkKeepDays) days after it, or while it is linked to a case); every deletion is logged."),
            policy: Policy(termsVersion: CommunityTerms.currentVersion, terms: CommunityTerms.summary))
    }
}
