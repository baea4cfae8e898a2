import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// `GET /api/v1/system/status`: the numbers it reports are the ones the store and the volume hold.
@Suite struct SystemStatusAPITests {
    /// A folder that exists, for the recordings.
    static func recordingsFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-status-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A server with only what a test puts in it (no fixture recordings), an administrator's session and one camera.
    struct BareApp {
        var services: AppServices
        var admin: String
        var camera: Camera

        static func make(configure: (inout AppConfig) -> Void) async throws -> BareApp {
            var config = AppConfig()
            config.database = .memory
            config.credentialKey = CredentialCipher.generateKey()
            config.bcryptCost = 4
            config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-test-data/\(UUID().uuidString)").path
            configure(&config)
            let services = try await openServices(config: config, logger: Logger(label: "test"))
            let user = try await services.store.users.create(
                username: "admin", displayName: "Admin", role: .admin, passwordHash: try await services.passwords.hash(TestApp.password))
            let camera = try await services.store.cameras.create(CameraRecord(
                camera: try CameraDraft(name: "Texas St", kind: .city, location: GeoPoint(latitude: 32.51, longitude: -93.74)).validated(), sealedSecrets: nil))
            return BareApp(services: services, admin: try await services.store.sessions.start(userID: user.id, source: "test"), camera: camera)
        }

        /// Indexes a one-minute segment of `bytes` that started `hoursAgo` hours before now.
        func segment(hoursAgo: Double, bytes: Int64) async throws {
            let start = Date().addingTimeInterval(-hoursAgo * 3600)
            try await services.store.segments.upsert(SegmentRecord(
                id: UUID(), cameraID: camera.id, stream: "main", path: "/nonexistent/\(UUID()).mp4", start: start, end: start.addingTimeInterval(60),
                bytes: bytes, frames: 1500, gaps: [], codec: "h264", sha256: nil))
        }

        /// The status as the administrator reads it.
        func status() async throws -> [String: Any] {
            let cookie = admin
            let body = try await Application(router: try await buildRouter(services: services)).test(.router) { client in
                try await client.execute(uri: "/api/v1/system/status", method: .get, headers: [.cookie: "rtcc_session=\(cookie)"]) { response async throws in
                    #expect(response.status == .ok, "\(response.text)")
                    return Data(response.body.readableBytesView)
                }
            }
            return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        }
    }

    func status(_ app: TestApp) async throws -> [String: Any] {
        let body = try await app.test { client in
            try await client.execute(uri: "/api/v1/system/status", method: .get, headers: app.headers(.admin)) { response async throws in
                #expect(response.status == .ok, "\(response.text)")
                return Data(response.body.readableBytesView)
            }
        }
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }

    @Test func storageReportsRecordedBytesTheDailyRateAndDaysLeftUnderTheQuota() async throws {
        let folder = try Self.recordingsFolder()
        let app = try await BareApp.make { config in
            config.recordingsDirectory = folder
            config.recordingsMinimumFreeBytes = 0
            config.diskQuotaBytes = 3_005_000 + 6_000_000
        }
        // An old segment (before the last 24 hours) shows the system has recorded for longer than a day; the two recent
        // ones are the day's rate.
        for (hoursAgo, bytes) in [(30.0, Int64(5_000)), (20.0, 1_000_000), (1.0, 2_000_000)] { try await app.segment(hoursAgo: hoursAgo, bytes: bytes) }
        let status = try await app.status()
        let storage = try #require((status["storage"] as? [[String: Any]])?.first)
        #expect(storage["path"] as? String == folder)
        #expect(storage["usedByRecordingsBytes"] as? Int == 3_005_000)
        #expect(storage["bytesPerDay"] as? Int == 3_000_000)
        // The quota leaves 6 MB: two days at 3 MB a day (the volume itself has more free).
        #expect(storage["daysLeft"] as? Double == 2.0)
        let total = try #require(storage["totalBytes"] as? Int), free = try #require(storage["freeBytes"] as? Int)
        #expect(free > 6_000_000 && total >= free)
        let database = try #require(status["database"] as? [String: Any])
        #expect(database["kind"] as? String == "sqlite")
        #expect(database["ok"] as? Bool == true)
        #expect(status["version"] as? String == RTCCVersion.current)
        let startedAt = try #require((status["startedAt"] as? String).flatMap(ISO8601Time.parse))
        #expect(startedAt <= Date())
        #expect((status["recorders"] as? [[String: Any]])?.first?["cameras"] as? Int == 0)
    }

    @Test func dailyRateOfAYoungSystemIsScaledFromTheTimeItHasRecorded() async throws {
        let folder = try Self.recordingsFolder()
        let app = try await BareApp.make { $0.recordingsDirectory = folder }
        try await app.segment(hoursAgo: 6, bytes: 1_000_000)
        let storage = try #require((try await app.status()["storage"] as? [[String: Any]])?.first)
        // Six hours of recording: four times as much a day, within the seconds the request took.
        let perDay = try #require(storage["bytesPerDay"] as? Int)
        #expect((3_999_000...4_000_000).contains(perDay))
    }

    @Test func nothingRecordedLeavesTheForecastEmptyAndAnUnreadableFolderIsSaidSo() async throws {
        let app = try await BareApp.make { $0.recordingsDirectory = "/nonexistent/rtcc-recordings-\(UUID().uuidString)" }
        let storage = try #require((try await app.status()["storage"] as? [[String: Any]])?.first)
        #expect(storage["bytesPerDay"] as? Int == 0)
        #expect(storage["daysLeft"] == nil || storage["daysLeft"] is NSNull)
        #expect(storage["freeBytes"] == nil || storage["freeBytes"] is NSNull)
        #expect((storage["problem"] as? String)?.contains("cannot be read") == true)
    }

    @Test func cameraUptimeComesFromItsOfflineAndOnlineEvents() async throws {
        let app = try await TestApp.make { $0.recordingsDirectory = try? Self.recordingsFolder() }
        let store = app.services.store
        let now = Date()
        let longAgo = now.addingTimeInterval(-3 * 86_400)
        func camera(_ name: String) async throws -> Camera {
            try await store.cameras.create(
                CameraRecord(
                    camera: try CameraDraft(name: name, kind: .city, location: GeoPoint(latitude: 32.51, longitude: -93.74)).validated(), sealedSecrets: nil),
                now: longAgo)
        }
        let flaky = try await camera("Flaky"), dead = try await camera("Dead"), silent = try await camera("Silent")
        // Down from 6 h ago until 3 h ago: up 21 of the last 24 hours.
        try await store.cameraEvents.record(CameraEvent(cameraID: flaky.id, at: now.addingTimeInterval(-6 * 3600), kind: "offline", reason: "no video"))
        try await store.cameraEvents.record(CameraEvent(cameraID: flaky.id, at: now.addingTimeInterval(-3 * 3600), kind: "online", reason: "video is back"))
        // Down since before the window.
        try await store.cameraEvents.record(CameraEvent(cameraID: dead.id, at: now.addingTimeInterval(-30 * 3600), kind: "offline", reason: "no video"))
        let cameras = try #require(try await status(app)["cameras"] as? [[String: Any]])
        func entry(_ id: UUID) -> [String: Any]? { cameras.first { $0["id"] as? String == id.uuidString } }
        let flakyUptime = try #require(entry(flaky.id)?["uptime24h"] as? Double)
        #expect(abs(flakyUptime - 21.0 / 24.0) < 0.001)
        #expect(entry(dead.id)?["uptime24h"] as? Double == 0)
        #expect(entry(silent.id)?["uptime24h"] is NSNull || entry(silent.id)?["uptime24h"] == nil)
        #expect(entry(silent.id)?["state"] as? String == "not_recorded")
        #expect(entry(silent.id)?["bitrateKbps"] as? Double == 0)
        #expect(cameras.count == 5)
    }

    @Test func onlyTheAdministratorSeesTheSystemStatus() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            for role in Role.allCases where role != .admin {
                try await client.execute(uri: "/api/v1/system/status", method: .get, headers: app.headers(role)) { response in
                    #expect(response.status == .forbidden, "\(role)")
                }
            }
            try await client.execute(uri: "/api/v1/system/status", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    /// A window of 24 hours ending at `end`, events given as hours before the end.
    struct UptimeCase: Sendable, CustomTestStringConvertible {
        var events: [Double: String]
        var upNow: Bool?
        var expected: Double?
        var testDescription: String { "\(events.sorted { $0.key > $1.key }) up now \(String(describing: upNow)) → \(String(describing: expected))" }
    }

    @Test(arguments: [
        UptimeCase(events: [:], upNow: true, expected: 1),
        UptimeCase(events: [:], upNow: false, expected: 0),
        UptimeCase(events: [:], upNow: nil, expected: nil),
        UptimeCase(events: [12: "offline"], upNow: nil, expected: 0.5),
        UptimeCase(events: [12: "online"], upNow: false, expected: 0.5),
        UptimeCase(events: [30: "offline", 6: "online"], upNow: nil, expected: 0.25),
        UptimeCase(events: [30: "online", 18: "offline", 12: "online", 6: "offline"], upNow: true, expected: 0.5),
    ])
    func uptimeShareOfAWindow(_ uptime: UptimeCase) {
        let end = Date(timeIntervalSince1970: 1_795_032_000)
        let window = DateInterval(start: end.addingTimeInterval(-86_400), end: end)
        let list = uptime.events.sorted { $0.key > $1.key }.map { CameraEvent(cameraID: UUID(), at: end.addingTimeInterval(-$0.key * 3600), kind: $0.value, reason: "") }
        #expect(CameraUptime.fraction(of: window, events: list, upNow: uptime.upNow) == uptime.expected)
    }
}
