import Foundation
import HTTPTypes
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore

/// Sign-ups in each state and footage requests in each state, so every community endpoint has a valid call in the
/// role matrix.
struct CommunityFixture: Sendable {
    /// An unverified sign-up's verification token.
    var verifyToken: String
    /// A verified sign-up waiting for review.
    var pending: PartnerApplication
    /// An approved sign-up's activation token.
    var activationToken: String
    /// Requests on the fixture's partner camera: pending, approved (awaiting a clip), fulfilled (with a clip on disk).
    var pendingRequest: FootageRequest
    var approvedRequest: FootageRequest
    var fulfilledRequest: FootageRequest

    /// A valid sign-up body.
    static func signUp(name: String = "Corner Bakery", email: String = "baker@example.org") -> ApplicationDraft {
        ApplicationDraft(
            kind: .business, name: name, contactName: "Sam Baker", email: email, address: "12 Market St",
            cameras: [ApplicationCamera(label: "Front door", location: GeoPoint(latitude: 32.513, longitude: -93.747), headingDeg: 90, sharing: .onRequest)])
    }

    /// The raw H.264 clip the demo ships: a real video for uploads.
    static var videoFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RTCCServer/Resources/demo-clip-640x360-15fps.264")
    }

    static func make(store: Store, partnerCamera: Camera, partnerUser: User) async throws -> CommunityFixture {
        let unverified = try await store.applications.submit(signUp(name: "Unverified Shop", email: "shop@example.org"), source: "fixture")
        let pending = try await store.applications.submit(signUp(name: "Pending Bakery"), source: "fixture")
        _ = try await store.applications.verify(token: pending.token)
        let approved = try await store.applications.submit(signUp(name: "Approved Cafe", email: "cafe@example.org"), source: "fixture")
        _ = try await store.applications.verify(token: approved.token)
        let activationToken = SecretToken.generate(prefix: "rtcca_")
        _ = try await store.applications.decide(
            id: approved.application.id, approved: true, by: "supervisor", note: nil, partnerID: partnerCamera.partnerID, userID: partnerUser.id,
            activationToken: activationToken)
        let window = FootageRequestInput(
            cameraID: partnerCamera.id, caseNumber: "26-000042", reason: "robbery next door", from: Date().addingTimeInterval(-7200),
            until: Date().addingTimeInterval(-3600))
        let requests = store.footageRequests
        let pendingRequest = try await requests.create(window, partnerID: partnerCamera.partnerID, caseID: nil, by: "analyst")
        let approvedRequest = try await requests.create(window, partnerID: partnerCamera.partnerID, caseID: nil, by: "analyst")
        _ = try await requests.transition(id: approvedRequest.id, from: [.pending], to: .approved)
        let fulfilledRequest = try await requests.create(window, partnerID: partnerCamera.partnerID, caseID: nil, by: "analyst")
        _ = try await requests.transition(id: fulfilledRequest.id, from: [.pending], to: .approved)
        _ = try await requests.fulfil(id: fulfilledRequest.id, sha256: String(repeating: "b", count: 64), bytes: 304_859, path: videoFile.path)
        return CommunityFixture(
            verifyToken: unverified.token, pending: try await store.applications.find(id: pending.application.id)!, activationToken: activationToken,
            pendingRequest: pendingRequest, approvedRequest: approvedRequest, fulfilledRequest: fulfilledRequest)
    }

    /// A valid call for a community endpoint, or nil for other endpoints.
    func call(for endpoint: Endpoint, partner: Partner, partnerCamera: Camera) -> (uri: String, body: ByteBuffer?, headers: HTTPFields)? {
        let json: HTTPFields = [.contentType: "application/json"]
        func body(_ object: Any) -> ByteBuffer { ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data()) }
        let camera = partnerCamera.id.uuidString
        switch endpoint.description {
        case "POST /api/v1/community/applications":
            let draft = Self.signUp(name: "Shop \(UUID().uuidString.prefix(6))")
            return (endpoint.path, ByteBuffer(bytes: (try? JSONCoding.encoder.encode(draft)) ?? Data()), json)
        case "POST /api/v1/community/verify": return (endpoint.path, body(["token": verifyToken]), json)
        case "POST /api/v1/community/activate": return (endpoint.path, body(["token": activationToken, "password": "a long enough password"]), json)
        case "POST /api/v1/community/applications/{id}/approve": return ("/api/v1/community/applications/\(pending.id)/approve", nil, [:])
        case "POST /api/v1/community/applications/{id}/reject":
            return ("/api/v1/community/applications/\(pending.id)/reject", body(["reason": "outside the service area"]), json)
        case "PATCH /api/v1/portal/cameras/{id}": return ("/api/v1/portal/cameras/\(camera)", body(["state": "paused"]), json)
        case "GET /api/v1/cameras/{id}/mask": return ("/api/v1/cameras/\(camera)/mask", nil, [:])
        case "PUT /api/v1/cameras/{id}/mask":
            return ("/api/v1/cameras/\(camera)/mask", body(["polygons": [[["x": 0.1, "y": 0.1], ["x": 0.4, "y": 0.1], ["x": 0.4, "y": 0.5]]]]), json)
        case "POST /api/v1/footage-requests":
            return (endpoint.path, body(["cameraID": camera, "caseNumber": "26-000042", "reason": "robbery next door",
                                         "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"]), json)
        case "GET /api/v1/footage-requests/{id}": return ("/api/v1/footage-requests/\(pendingRequest.id)", nil, [:])
        case "POST /api/v1/footage-requests/{id}/decision": return ("/api/v1/footage-requests/\(pendingRequest.id)/decision", body(["approve": true]), json)
        case "PUT /api/v1/footage-requests/{id}/clip":
            let data = (try? Data(contentsOf: Self.videoFile)) ?? Data()
            return ("/api/v1/footage-requests/\(approvedRequest.id)/clip", ByteBuffer(bytes: data), [.contentType: "application/octet-stream"])
        case "GET /api/v1/footage-requests/{id}/clip": return ("/api/v1/footage-requests/\(fulfilledRequest.id)/clip", nil, [:])
        case "PUT /api/v1/partners/{id}/retention": return ("/api/v1/partners/\(partner.id)/retention", body(["days": 14]), json)
        default: return nil
        }
    }
}
