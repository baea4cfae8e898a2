import Foundation
import Logging
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// The server's down-time is recorded as a `server_down` alert from the heartbeat file the last run left.
@Suite(.timeLimit(.minutes(5))) struct ServerHeartbeatTests {
    static func heartbeatFile() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-heartbeat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("heartbeat.json")
    }

    /// Writes what a run leaves: its last beat and, when it shut down gracefully, when it stopped.
    static func leave(_ file: URL, beatAt: Date, stoppedAt: Date?) throws {
        var fields = ["\"startedAt\":\"\(beatAt.addingTimeInterval(-3600).ISO8601Format())\"", "\"beatAt\":\"\(beatAt.ISO8601Format())\"", "\"pid\":1"]
        if let stoppedAt { fields.append("\"stoppedAt\":\"\(stoppedAt.ISO8601Format())\"") }
        try Data("{\(fields.joined(separator: ","))}".utf8).write(to: file)
    }

    /// Now, in whole seconds (what the file keeps).
    static func wholeSecondNow() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    static func serverDownAlerts(_ app: TestApp) async throws -> [Alert] {
        var query = AlertQuery()
        query.kind = .serverDown
        return try await app.services.store.alerts.search(query).items
    }

    @Test func aRunThatWasKilledIsRecordedAsHighSeverityDownTimeFromItsLastBeat() async throws {
        let app = try await TestApp.make()
        let file = try Self.heartbeatFile()
        let now = Self.wholeSecondNow()
        try Self.leave(file, beatAt: now.addingTimeInterval(-95), stoppedAt: nil)
        let heartbeat = ServerHeartbeat(services: app.services, file: file, logger: Logger(label: "test"))
        let downtime = try #require(try heartbeat.previousDowntime(now: now))
        #expect(!downtime.clean)
        #expect(abs(downtime.until.timeIntervalSince(downtime.from) - 95) < 1)
        try await heartbeat.raiseAlert(for: downtime)
        let alert = try #require(try await Self.serverDownAlerts(app).first)
        #expect(alert.severity == .high)
        #expect(alert.status == .open)
        #expect(alert.title == "Server stopped without shutting down: down about 1 min 35 s")
        #expect(alert.cameraID == nil)
    }

    @Test func aCleanStopIsRecordedFromWhenItStopped() async throws {
        let app = try await TestApp.make()
        let file = try Self.heartbeatFile()
        let now = Self.wholeSecondNow()
        try Self.leave(file, beatAt: now.addingTimeInterval(-40), stoppedAt: now.addingTimeInterval(-30))
        let heartbeat = ServerHeartbeat(services: app.services, file: file, logger: Logger(label: "test"))
        let downtime = try #require(try heartbeat.previousDowntime(now: now))
        #expect(downtime.clean)
        try await heartbeat.raiseAlert(for: downtime)
        let alert = try #require(try await Self.serverDownAlerts(app).first)
        #expect(alert.severity == .medium)
        #expect(alert.title == "Server was stopped for 30.0 s")
    }

    @Test func aFirstStartRecordsNothing() async throws {
        let app = try await TestApp.make()
        let heartbeat = ServerHeartbeat(services: app.services, file: try Self.heartbeatFile(), logger: Logger(label: "test"))
        #expect(try heartbeat.previousDowntime() == nil)
    }

    @Test func theServiceRecordsTheLastRunBeatsAndMarksAGracefulStop() async throws {
        let app = try await TestApp.make()
        let file = try Self.heartbeatFile()
        try Self.leave(file, beatAt: Date().addingTimeInterval(-60), stoppedAt: nil)
        let heartbeat = ServerHeartbeat(services: app.services, file: file, interval: .milliseconds(50), logger: Logger(label: "test"))
        let running = Task { try await heartbeat.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while try await Self.serverDownAlerts(app).isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await Self.serverDownAlerts(app).count == 1)
        // While running, the file shows a run that has not stopped: a kill now would be down-time from its last beat.
        let during = try #require(try heartbeat.previousDowntime())
        #expect(!during.clean)
        // Fresh beats, not the planted one a minute old (the bound is loose: a loaded test run can delay a beat).
        #expect(during.until.timeIntervalSince(during.from) < 30)
        running.cancel()
        try await running.value
        let after = try #require(try heartbeat.previousDowntime())
        #expect(after.clean, "a graceful stop is marked in the file")
    }
}
