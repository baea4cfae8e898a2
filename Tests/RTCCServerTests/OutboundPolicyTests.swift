import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing

/// The outbound policy as an attacker would probe it: metadata and link-local addresses, credentials in service URLs,
/// redirects, public hosts and RTSPS.
@Suite struct OutboundPolicyTests {
    static var settings: [String: Any] { [
        "enabled": true, "fps": 2, "width": 160, "cooldownSeconds": 60,
        "motion": ["zones": [["name": "yard", "polygon": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 1], ["x": 0, "y": 1]]]],
                   "sensitivity": 60, "minimumArea": 0.01],
        "schedule": ["startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "America/Chicago"],
    ] }

    static func detection(_ url: String) -> [String: Any] {
        var json = settings
        json["detection"] = ["url": url, "intervalSeconds": 1, "rules": [[
            "name": "Person", "label": "person", "zone": ["name": "all", "polygon": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 1], ["x": 0, "y": 1]]],
            "minimumConfidence": 0.5, "loiterSeconds": 0, "schedule": ["startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "America/Chicago"],
        ]]]
        return json
    }

    @Test(arguments: [
        ("http://169.254.169.254/", "never connected to"),
        ("http://[fe80::1]:5000/", "never connected to"),
        ("http://metadata.google.internal/", "cloud metadata"),
        ("http://user:pw@127.0.0.1:6379/", "user:password@"),
        ("http://8.8.8.8:5000/", "outside the allowed outbound networks"),
    ])
    func detectionServiceURLsOutsideThePolicyAreRefused(_ url: String, _ words: String) async throws {
        let app = try await TestApp.make()
        let uri = "/api/v1/cameras/\(app.cityCamera.id)/analytics"
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: uri, method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(Self.detection(url)))
            #expect(response.status == .unprocessableContent, "\(url): \(response.text)")
            let errors = try #require(try response.problem()["errors"] as? [[String: String]])
            #expect(errors.contains { $0["field"] == "detection.url" && ($0["reason"] ?? "").contains(words) }, "\(url): \(response.text)")
            let local = try await client.execute(
                uri: uri, method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(Self.detection("http://127.0.0.1:5000")))
            #expect(local.status == .ok, "\(local.text)")
        }
    }

    @Test func aListedPublicDetectionServiceIsAccepted() async throws {
        let app = try await TestApp.make { $0.outboundNetworks = try! NetworkPolicy(parsing: "8.8.8.0/24") }
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/cameras/\(app.cityCamera.id)/analytics", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(Self.detection("http://8.8.8.8:5000")))
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    /// A detection service that answers with a redirect (to a "service" that would answer with a detection) is an
    /// error: the redirect is not followed.
    @Test func aRedirectingDetectionServiceIsNotFollowed() async throws {
        let router = Router()
        router.post("v1/vision/detection") { _, _ in Response(status: .found, headers: [.location: "/landing"]) }
        let found = #"{"success":true,"predictions":[{"label":"person","confidence":0.9,"x_min":1,"y_min":1,"x_max":5,"y_max":5}]}"#
        router.on("landing", method: .get) { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: found))) }
        router.on("landing", method: .post) { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: found))) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let detector = DetectionClient(base: URL(string: "http://127.0.0.1:\(port)")!)
            await #expect {
                try await detector.detect(GrayFrame(width: 16, height: 9, filledWith: 0))
            } throws: { error in
                (error as? DetectionClient.Failure)?.description.contains("redirect") == true
            }
        }
    }

    @Test func theDetectionClientChecksThePolicyBeforeEveryCall() async throws {
        let client = DetectionClient(base: URL(string: "http://127.0.0.1:9")!, policy: try NetworkPolicy(parsing: "10.0.0.0/8"))
        await #expect {
            try await client.detect(GrayFrame(width: 16, height: 9, filledWith: 0))
        } throws: { error in
            (error as? DetectionClient.Failure)?.description.contains("outside the allowed outbound networks") == true
        }
    }

    @Test(arguments: [("169.254.169.254", NetworkPolicy.default, "never connected to"), ("127.0.0.1", try! NetworkPolicy(parsing: "10.0.0.0/8"), "outside")])
    func theMailRelayMustBeInTheOutboundNetworks(_ host: String, _ policy: NetworkPolicy, _ words: String) async throws {
        let client = SMTPClient(settings: SMTPSettings(host: host, port: 25, security: .none, from: "rtcc@city.gov"), policy: policy)
        await #expect {
            try await client.send(MailMessage(to: "officer@city.gov", subject: "s", body: "b"))
        } throws: { error in
            (error as? SMTPFailure).map { $0.description.contains("not connecting to the mail relay") && $0.description.contains(words) } == true
        }
    }

    @Test(arguments: [
        ("rtsp://169.254.169.254/cam", "never connected to"),
        ("rtsp://[fe80::1%25eth0]/cam", "never connected to"),
        ("rtsp://203.0.113.9/cam", "outside the allowed outbound networks"),
        ("rtsps://10.0.0.9:322/cam", "rtsps is not supported yet; use rtsp with Digest"),
    ])
    func cameraURLsOutsideThePolicyAreRefusedOnEveryRegistrationPath(_ url: String, _ words: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let created = try await client.execute(
                uri: "/api/v1/cameras", method: .post, headers: app.headers(.admin, jsonHeaders),
                body: jsonBody(["name": "Probe", "kind": "city", "location": ["latitude": 32.5, "longitude": -93.7], "mainStreamURL": url]))
            #expect(created.status == .unprocessableContent, "\(url): \(created.text)")
            #expect(created.text.contains("mainStreamURL") && created.text.contains(words), "\(url): \(created.text)")
            let patched = try await client.execute(
                uri: "/api/v1/cameras/\(app.cityCamera.id)", method: .patch, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["subStreamURL": url]))
            #expect(patched.status == .unprocessableContent && patched.text.contains("subStreamURL"), "\(url): \(patched.text)")
            let csv = "name,kind,latitude,longitude,main_stream_url\nProbe,city,32.5,-93.7,\(url)\n"
            let imported = try await client.execute(
                uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.supervisor, [.contentType: "text/csv"]), body: ByteBuffer(string: csv))
            #expect(imported.status == .unprocessableContent && imported.text.contains("line 2: mainStreamURL") && imported.text.contains(words), "\(imported.text)")
            let geo: [String: Any] = ["type": "FeatureCollection", "features": [[
                "type": "Feature", "geometry": ["type": "Point", "coordinates": [-93.7, 32.5]],
                "properties": ["name": "Probe", "kind": "city", "mainStreamURL": url],
            ]]]
            let geoImport = try await client.execute(
                uri: "/api/v1/cameras/import", method: .post, headers: app.headers(.supervisor, [.contentType: "application/geo+json"]), body: jsonBody(geo))
            #expect(geoImport.status == .unprocessableContent && geoImport.text.contains("mainStreamURL"), "\(geoImport.text)")
        }
    }

    /// A camera stored before the policy changed is not connected to: its health says why.
    @Test func theRecorderDoesNotConnectToARefusedHostAndSaysWhy() async throws {
        let app = try await TestApp.make { $0.outboundNetworks = try! NetworkPolicy(parsing: "10.0.0.0/8") }
        let camera = try await app.services.store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: "Loopback", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), mainStreamURL: "rtsp://127.0.0.1:9/cam").validated(),
            sealedSecrets: nil))
        let logs = CapturedLogs()
        var settings = RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-outbound-\(UUID())"))
        settings.refreshInterval = .milliseconds(200)
        let supervisor = RecorderSupervisor(services: app.services, settings: settings, logger: logs.logger)
        let running = Task { try await supervisor.run() }
        defer { running.cancel() }
        let refused = try await RecordedFootage.waitFor(seconds: 30) {
            await app.services.recorders.health(of: camera.id)?.reason?.contains("outside the allowed outbound networks") == true
        }
        #expect(refused)
        #expect(logs.text.contains("outbound policy"))
        #expect(await app.services.recorders.recorder(of: camera.id) == nil, "no recorder was started")
    }
}

/// A swift-log handler that keeps every line (message and metadata) for the test to read.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    /// A logger writing here at trace level.
    var logger: Logger {
        var logger = Logger(label: "captured") { _ in Handler(logs: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything logged so far.
    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
