import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// A server over a fresh in-memory database with one signed-in user per role and a few records.
struct TestApp: Sendable {
    let services: AppServices
    var cookies: [Role: String] = [:]
    var users: [Role: User] = [:]
    var partner: Partner
    var emptyPartner: Partner
    var cityCamera: Camera
    var partnerCamera: Camera
    var spareUser: User
    var token: APIToken?
    var hold: Hold?
    var evidence: EvidenceFixture?
    var alert: Alert?
    var community: CommunityFixture?
    static let password = "correct horse battery"

    static func make(configure: (inout AppConfig) -> Void = { _ in }) async throws -> TestApp {
        var config = AppConfig()
        config.database = .memory
        config.credentialKey = CredentialCipher.generateKey()
        config.bcryptCost = 4
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-test-data/\(UUID().uuidString)").path
        configure(&config)
        let services = try await openServices(config: config, logger: Logger(label: "test"), metrics: PrometheusCollectorRegistry())
        let store = services.store
        // A loaded parallel test run can keep even an in-memory database from answering within the production probe's
        // 2 s; tests of the health report's reaction to a slow database set their own probe.
        await services.health.probeDatabase(with: DatabaseProbe(timeout: .seconds(60)) { try await store.cameras.count() })
        let partner = try await store.partners.create(PartnerDraft(
            name: "Red River Grocery", kind: .business, contactName: "Dana", email: "dana@example.org", address: "401 Texas St",
            consent: Consent(termsVersion: "2026-01", acceptedAt: Date()), status: .active))
        let emptyPartner = try await store.partners.create(PartnerDraft(
            name: "Nguyen residence", kind: .homeowner, contactName: "Linh", email: "linh@example.org", address: "1908 Murphy St"))
        let city = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Texas St & Market St", kind: .city, location: GeoPoint(latitude: 32.5115, longitude: -93.7488)).validated(),
            sealedSecrets: nil))
        let own = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Grocery door", kind: .partner, partnerID: partner.id, location: GeoPoint(latitude: 32.512, longitude: -93.748)).validated(),
            sealedSecrets: nil))
        let hash = try await services.passwords.hash(password)
        var app = TestApp(
            services: services, partner: partner, emptyPartner: emptyPartner,
            cityCamera: city, partnerCamera: own,
            spareUser: try await store.users.create(username: "spare", displayName: "Spare", role: .officer, passwordHash: hash))
        for role in Role.allCases {
            let user = try await store.users.create(
                username: role.rawValue, displayName: role.rawValue.capitalized, role: role, partnerID: role == .partner ? partner.id : nil,
                passwordHash: hash)
            app.users[role] = user
            app.cookies[role] = try await store.sessions.start(userID: user.id, source: "test")
        }
        app.hold = try await store.holds.place(
            cameraID: city.id, from: Date(timeIntervalSince1970: 1_795_000_000), until: Date(timeIntervalSince1970: 1_795_003_600), reason: "case 26-9",
            by: "supervisor")
        app.evidence = try await EvidenceFixture.make(store: store, camera: city)
        let alert = Alert(kind: .tip, severity: .medium, title: "Tip: fixture", raisedAt: Date().millisecondPrecision, cameraID: city.id)
        try await store.alerts.create(alert, bookmarks: [], by: "fixture")
        app.alert = alert
        app.community = try await CommunityFixture.make(store: store, partnerCamera: own, partnerUser: app.users[.partner]!)
        app.token = try await store.tokens.issue(name: "spare", ownerID: app.users[.admin]!.id, scopes: [.camerasRead], expiresAt: nil).token
        return app
    }

    /// Runs `body` with a client of this app's router.
    func test<Value: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        return try await Application(router: try await buildRouter(services: services)).test(.router, body)
    }

    /// Headers carrying `role`'s session cookie (none for nil).
    func headers(_ role: Role?, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        if let role, let cookie = cookies[role] { fields[.cookie] = "rtcc_session=\(cookie)" }
        return fields
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) }

    /// The body as a problem document's fields.
    func problem() throws -> [String: Any] {
        #expect(headers[.contentType] == "application/problem+json")
        return try json() as? [String: Any] ?? [:]
    }
}

/// A JSON request body.
func jsonBody(_ object: Any) -> ByteBuffer {
    ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]
