import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCMedia
import RTCCServer
import RTCCStore
import Synchronization
import Testing

/// On-camera analytics: settings (`/api/v1/cameras/{id}/analytics`), motion alerts from decoded frames, and the
/// DeepStack-style detection client against the OpenCV test server.
@Suite struct AnalyticsAPITests {
    static var settings: [String: Any] { [
        "enabled": true, "fps": 2, "width": 160, "cooldownSeconds": 60,
        "motion": ["zones": [["name": "yard", "polygon": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 0.5], ["x": 0, "y": 0.5]]]],
                   "sensitivity": 60, "minimumArea": 0.01],
        "schedule": ["startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "America/Chicago"],
    ] }

    @Test func settingsAreValidatedStoredAndAudited() async throws {
        let app = try await TestApp.make()
        let uri = "/api/v1/cameras/\(app.cityCamera.id)/analytics"
        try await app.test { client async throws in
            let empty = try await client.execute(uri: uri, method: .get, headers: app.headers(.officer))
            #expect(empty.status == .ok && !empty.text.contains("\"settings\""))
            var bad = Self.settings
            bad["fps"] = 50
            bad["motion"] = ["zones": [["name": "line", "polygon": [["x": 0, "y": 0], ["x": 2, "y": 0]]]], "sensitivity": 0, "minimumArea": 0.01]
            bad["detection"] = ["url": "ftp://detector", "rules": [], "intervalSeconds": 1]
            let refused = try await client.execute(uri: uri, method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(bad))
            #expect(refused.status == .unprocessableContent)
            let fields = Set((try refused.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? [])
            #expect(fields == ["fps", "motion", "detection.url", "detection.rules"])
            var unknown = Self.settings
            unknown["colour"] = "red"
            #expect(try await client.execute(uri: uri, method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(unknown)).status == .unprocessableContent)
            #expect(try await client.execute(uri: uri, method: .put, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(Self.settings)).status == .forbidden)
            let saved = try await client.execute(uri: uri, method: .put, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(Self.settings))
            #expect(saved.status == .ok, "\(saved.text)")
            let read = try await client.execute(uri: uri, method: .get, headers: app.headers(.analyst))
            #expect(read.text.contains("\"yard\"") && read.text.contains("\"updatedBy\":\"supervisor\""))
        }
        #expect(try await app.services.audit.entries(action: "analytics.update").count == 1)
    }

    /// Seconds on a clock that advances half a second per frame (2 fps).
    final class Ticker: Sendable {
        let start: Date
        let frames = Mutex(0)
        init(start: Date = Date()) { self.start = start }
        func next() -> Date { start.addingTimeInterval(Double(frames.withLock { $0 += 1; return $0 }) * 0.5) }
    }

    static func clip(boxAt y: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(y)-\(UUID().uuidString).mp4")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-y", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
            "-i", "color=c=gray:s=320x180:r=10:d=4[bg];color=c=white:s=30x30:r=10[box];[bg][box]overlay=x='20+60*t':y=\(y):shortest=1",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", url.path,
        ]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return url
    }

    @Test(arguments: [(20, 1), (130, 0)])
    func motionInTheZoneRaisesOneAlertPerCooldownWithTheCamerasRecordingBookmarked(_ boxY: Int, _ expected: Int) async throws {
        let app = try await TestApp.make()
        let alerts = try await Self.motionAlerts(in: app, boxAt: boxY)
        #expect(alerts.count == expected, "\(alerts.map(\.title))")
        if let alert = alerts.first {
            #expect(alert.title == "Motion in yard on \(app.cityCamera.name)" && alert.cameraID == app.cityCamera.id)
            let bookmarks = try await app.services.store.alerts.bookmarks(alertID: alert.id)
            #expect(bookmarks.map(\.cameraID) == [app.cityCamera.id])
        }
        // The fixture's own alert is a tip; nothing else was raised.
        #expect(try await app.services.store.alerts.search(AlertQuery()).total == expected + 1)
    }

    @Test func motionUnderThePrivacyMaskRaisesNothing() async throws {
        let app = try await TestApp.make()
        // The owner masked the strip the box moves along (y 0.11-0.28); the rest of the yard zone (to y 0.5) is not masked.
        try await app.services.store.community.setMask(
            cameraID: app.cityCamera.id, PrivacyMask(polygons: [[.init(x: 0, y: 0.05), .init(x: 1, y: 0.05), .init(x: 1, y: 0.35), .init(x: 0, y: 0.35)]]), by: "owner")
        #expect(try await Self.motionAlerts(in: app, boxAt: 20).isEmpty, "the same clip without the mask raises one alert (test above)")
    }

    /// Runs the city camera's watcher (``settings``) over the clip of a box moving at `y`; returns the motion alerts.
    static func motionAlerts(in app: TestApp, boxAt y: Int) async throws -> [Alert] {
        let settings = try JSONCoding.decoder.decode(AnalyticsSettings.self, from: JSONSerialization.data(withJSONObject: Self.settings))
        let clip = try Self.clip(boxAt: y)
        defer { try? FileManager.default.removeItem(at: clip) }
        let watcher = CameraWatcher(services: app.services, camera: app.cityCamera, settings: settings, logger: Logger(label: "test"))
        let ticker = Ticker()
        try await watcher.run(FFmpegGrayFrames.frames(of: clip.path, width: 160, height: 90, fps: 2), clock: { ticker.next() })
        var query = AlertQuery()
        query.kind = .motion
        return try await app.services.store.alerts.search(query).items
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts `scripts/detector_test_server.py` (OpenCV's HOG people detector behind the DeepStack API); returns it and its port.
    static func startDetector() throws -> (Process, Int) {
        let server = Process()
        server.executableURL = root.appendingPathComponent(".venv/bin/python")
        server.arguments = ["-W", "ignore", root.appendingPathComponent("scripts/detector_test_server.py").path, "--port", "0"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { server.terminate() }
            try #require(!chunk.isEmpty, "the detector test server starts (scripts/setup-test-tools.sh installs OpenCV)")
            line.append(chunk)
        }
        let port = try #require(String(decoding: line, as: UTF8.self).split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        return (server, port)
    }

    /// Runs a command, requiring success.
    static func runTool(_ arguments: [String], executable: URL = URL(fileURLWithPath: "/usr/bin/env")) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(arguments.joined(separator: " "))")
    }

    /// A 5 s clip of a person (120 px tall in 320×180) walking in from the left into the right half and standing there.
    static func personClip() throws -> URL {
        let sprite = FileManager.default.temporaryDirectory.appendingPathComponent("person-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: sprite) }
        try runTool([root.appendingPathComponent("scripts/person_sprite.py").path, sprite.path, "120"], executable: root.appendingPathComponent(".venv/bin/python"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("person-\(UUID().uuidString).mp4")
        try runTool([
            "ffmpeg", "-y", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0xC8C8C8:s=320x180:r=10:d=5", "-loop", "1", "-i", sprite.path,
            "-filter_complex", "[0][1]overlay=x='min(-60+100*t\\,200)':y=180-h-5:shortest=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", url.path,
        ])
        return url
    }

    /// A person walks into the walkway and stays: the night rule fires only at night, the loitering rule at any hour,
    /// each once, through the real chain (ffmpeg-decoded frames, motion, the DeepStack API, OpenCV's HOG, the rules).
    @Test(arguments: [(23, ["Person in walkway after 22:00", "Loitering in walkway"]), (14, ["Loitering in walkway"])])
    func aPersonWalkingIntoTheWalkwayRaisesTheRulesThatApplyAtThatHour(_ hour: Int, _ expected: [String]) async throws {
        let app = try await TestApp.make()
        let (server, port) = try Self.startDetector()
        defer { server.terminate() }
        let clip = try Self.personClip()
        defer { try? FileManager.default.removeItem(at: clip) }
        let walkway: [String: Any] = ["name": "walkway", "polygon": [["x": 0.5, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 1], ["x": 0.5, "y": 1]]]
        var json = Self.settings
        json["motion"] = ["zones": [["name": "all", "polygon": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 1], ["x": 0, "y": 1]]]], "sensitivity": 60, "minimumArea": 0.005]
        json["detection"] = ["url": "http://127.0.0.1:\(port)", "intervalSeconds": 0.5, "rules": [
            ["name": "Person in walkway after 22:00", "label": "person", "zone": walkway, "minimumConfidence": 0.5, "loiterSeconds": 0,
             "schedule": ["startMinute": 22 * 60, "endMinute": 6 * 60, "days": [], "timeZone": "America/Chicago"]],
            ["name": "Loitering in walkway", "label": "person", "zone": walkway, "minimumConfidence": 0.5, "loiterSeconds": 2,
             "schedule": ["startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "America/Chicago"]],
        ]]
        let settings = try JSONCoding.decoder.decode(AnalyticsSettings.self, from: JSONSerialization.data(withJSONObject: json))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "America/Chicago"))
        let start = try #require(calendar.date(from: DateComponents(year: 2026, month: 11, day: 20, hour: hour, minute: 0)))
        let watcher = CameraWatcher(services: app.services, camera: app.cityCamera, settings: settings, logger: Logger(label: "test"))
        let ticker = Ticker(start: start)
        try await watcher.run(FFmpegGrayFrames.frames(of: clip.path, width: 160, height: 90, fps: 2), clock: { ticker.next() })
        var query = AlertQuery()
        query.kind = .detection
        let alerts = try await app.services.store.alerts.search(query).items
        #expect(Set(alerts.map(\.title)) == Set(expected.map { "\($0) on \(app.cityCamera.name)" }), "\(alerts.map(\.title))")
        #expect(alerts.count == expected.count, "each rule fires once while the person stays")
        #expect(alerts.allSatisfy { $0.severity == .high && $0.cameraID == app.cityCamera.id })
    }

    @Test func theDetectionClientSpeaksTheDeepStackAPIToTheOpenCVServer() async throws {
        let (server, port) = try Self.startDetector()
        defer { server.terminate() }
        let client = DetectionClient(base: URL(string: "http://127.0.0.1:\(port)")!)
        // A plain picture: decoded by the server (a picture it could not read would be success: false) and holding nobody.
        let objects = try await client.detect(GrayFrame(width: 160, height: 90, filledWith: 128))
        #expect(objects.isEmpty)
        let missing = DetectionClient(base: URL(string: "http://127.0.0.1:\(port)/nothing-here")!)
        await #expect(throws: DetectionClient.Failure.self) { try await missing.detect(GrayFrame(width: 16, height: 9, filledWith: 0)) }
    }
}
