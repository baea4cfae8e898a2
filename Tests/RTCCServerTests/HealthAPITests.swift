import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RTCCCore
import RTCCMedia
import RTCCStore
import Testing

@testable import RTCCServer

/// An index that refuses every report, as a stopped database does.
private actor RefusingIndex: RecordingIndex {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "connection refused (127.0.0.1:5432)" }
    }

    func opened(_ segment: RecordedSegment) async throws { throw Refused() }
    func progressed(_ segment: RecordedSegment) async throws { throw Refused() }
    func sealed(_ segment: RecordedSegment) async throws { throw Refused() }
}

/// Counts the database probe's queries.
private actor QueryCounter {
    private(set) var count = 0
    func add() { count += 1 }
}

/// An index that stores nothing and never fails.
private struct AcceptingIndex: RecordingIndex {
    func opened(_ segment: RecordedSegment) async throws {}
    func progressed(_ segment: RecordedSegment) async throws {}
    func sealed(_ segment: RecordedSegment) async throws {}
}

/// `GET /api/v1/health`: each component's state comes from the real thing it watches, and the overall state and HTTP
/// status follow from them.
@Suite(.timeLimit(.minutes(5))) struct HealthAPITests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-health-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func segment() -> RecordedSegment {
        let start = Date()
        return RecordedSegment(
            id: UUID(), cameraID: UUID(), stream: "main", path: "/r/1.mp4", start: start, end: start.addingTimeInterval(1), bytes: 1000, frames: 25,
            gaps: [], codec: "avc1.640028", sha256: nil)
    }

    /// The health as `role` (nil: anonymous) reads it: HTTP status and body.
    static func health(_ app: TestApp, as role: Role? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        let headers = app.headers(role)
        let (status, data) = try await app.test { client in
            try await client.execute(uri: "/api/v1/health", method: .get, headers: headers) { response in
                (response.status, Data(response.body.readableBytesView))
            }
        }
        return (status, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    static func component(_ body: [String: Any], _ key: String) -> [String: Any] {
        body[key] as? [String: Any] ?? [:]
    }

    static func storage(_ body: [String: Any]) -> [String: Any] {
        (body["storage"] as? [[String: Any]])?.first ?? [:]
    }

    @Test func aServerThatRecordsAndAnswersIsOkAndOnlyAnAdministratorSeesPaths() async throws {
        let app = try await TestApp.make()
        let recordings = try Self.folder()
        await app.services.health.watch(indexQueue: QueuedRecordingIndex(inner: AcceptingIndex(), journal: nil), recordingsFolders: [recordings])
        let (status, body) = try await Self.health(app)
        #expect(status == .ok)
        #expect(body["status"] as? String == "ok", "\(body)")
        #expect(Self.component(body, "database")["status"] as? String == "ok")
        #expect(Self.component(body, "database")["kind"] as? String == "sqlite")
        #expect(Self.storage(body)["writable"] as? Bool == true)
        #expect((Self.storage(body)["freeBytes"] as? Int64 ?? 0) > 0)
        #expect(Self.storage(body)["path"] == nil, "no paths to anonymous callers")
        #expect(Self.component(body, "indexQueue")["pending"] as? Int == 0)
        #expect(body["cameras"] as? Int == 2)
        let (_, detailed) = try await Self.health(app, as: .admin)
        #expect(Self.storage(detailed)["path"] as? String == recordings)
        let (_, analyst) = try await Self.health(app, as: .analyst)
        #expect(Self.storage(analyst)["path"] == nil, "paths only to administrators")
    }

    @Test func aDatabaseThatFailsIsDownWith503WhenNothingIsRecorded() async throws {
        let app = try await TestApp.make()
        await app.services.health.probeDatabase(with: DatabaseProbe { throw RefusingIndex.Refused() })
        let (status, body) = try await Self.health(app)
        #expect(status == .serviceUnavailable)
        #expect(body["status"] as? String == "down")
        let database = Self.component(body, "database")
        #expect(database["status"] as? String == "down")
        #expect(database["reason"] as? String == "the database query failed; the server log has the error")
        #expect(!(database["reason"] as? String ?? "").contains("5432"), "the error itself stays in the log")
        #expect(body["cameras"] == nil)
    }

    @Test func aDatabaseThatDoesNotAnswerIsDegradedWhileRecordingGoesOn() async throws {
        let app = try await TestApp.make()
        await app.services.health.watch(indexQueue: QueuedRecordingIndex(inner: AcceptingIndex(), journal: nil), recordingsFolders: [try Self.folder()])
        let queries = QueryCounter()
        await app.services.health.probeDatabase(with: DatabaseProbe(timeout: .milliseconds(200)) {
            await queries.add()
            try await Task.sleep(for: .seconds(180))
            return 0
        })
        let started = ContinuousClock.now
        let (status, body) = try await Self.health(app)
        // The bound is far above the 200 ms timeout because the whole suite runs in parallel on few cores (one request
        // has taken 14 s there), and far below the query's 180 s, which is what it tells apart.
        #expect(ContinuousClock.now - started < .seconds(60), "the probe's timeout bounds the answer, not the 180 s query")
        #expect(status == .ok, "degraded still answers 200")
        #expect(body["status"] as? String == "degraded")
        #expect((Self.component(body, "database")["reason"] as? String ?? "").hasPrefix("the database has not answered for"))
        // A second caller joins the stuck probe instead of queueing another query behind it.
        let (_, second) = try await Self.health(app)
        #expect(Self.component(second, "database")["status"] as? String == "down")
        #expect(await queries.count == 1)
    }

    @Test func aVolumeBelowTheMinimumFreeSpaceIsDegraded() async throws {
        let app = try await TestApp.make { $0.recordingsMinimumFreeBytes = Int64.max / 2 }
        await app.services.health.watch(indexQueue: QueuedRecordingIndex(inner: AcceptingIndex(), journal: nil), recordingsFolders: [try Self.folder()])
        let (status, body) = try await Self.health(app)
        #expect(status == .ok)
        #expect(body["status"] as? String == "degraded")
        let storage = Self.storage(body)
        #expect(storage["status"] as? String == "degraded")
        #expect(storage["minimumFreeBytes"] as? Int64 == Int64.max / 2)
        #expect((storage["reason"] as? String ?? "").contains("below the minimum"))
    }

    @Test func aMissingRecordingsFolderIsDownButTheServerIsDegraded() async throws {
        let app = try await TestApp.make()
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-health-missing-\(UUID().uuidString)").path
        await app.services.health.watch(indexQueue: QueuedRecordingIndex(inner: AcceptingIndex(), journal: nil), recordingsFolders: [missing])
        let (status, body) = try await Self.health(app)
        #expect(status == .ok)
        #expect(body["status"] as? String == "degraded")
        #expect(Self.storage(body)["status"] as? String == "down")
        #expect(Self.storage(body)["writable"] as? Bool == false)
    }

    @Test func aJournalBacklogTheIndexRefusesIsDegradedAndTheAdministratorSeesTheError() async throws {
        let app = try await TestApp.make()
        let queue = QueuedRecordingIndex(inner: RefusingIndex(), journal: nil)
        await app.services.health.watch(indexQueue: queue, recordingsFolders: [try Self.folder()])
        try await queue.opened(Self.segment())
        try await queue.progressed(Self.segment())
        #expect(await queue.storeQueued() == false)
        let (status, body) = try await Self.health(app)
        #expect(status == .ok)
        #expect(body["status"] as? String == "degraded")
        let index = Self.component(body, "indexQueue")
        #expect(index["status"] as? String == "degraded")
        #expect(index["pending"] as? Int == 2)
        #expect(index["unavailableSince"] != nil)
        #expect(index["lastError"] == nil, "raw errors only to administrators")
        let (_, detailed) = try await Self.health(app, as: .admin)
        #expect(Self.component(detailed, "indexQueue")["lastError"] as? String == "connection refused (127.0.0.1:5432)")
    }

    @Test func reportsWaitingLongerThanTheToleranceMakeTheQueueDegraded() async throws {
        let app = try await TestApp.make()
        let queue = QueuedRecordingIndex(inner: AcceptingIndex(), journal: nil)
        await app.services.health.watch(indexQueue: queue, recordingsFolders: [try Self.folder()])
        try await queue.opened(Self.segment())
        let check = HealthCheck(services: app.services)
        let fresh = await check.report(detailed: false, logger: Logger(label: "test"))
        #expect(fresh.indexQueue?.status == .ok, "a report just queued is normal")
        let later = await check.report(detailed: false, logger: Logger(label: "test"), now: Date().addingTimeInterval(HealthCheck.pendingTolerance + 5))
        #expect(later.indexQueue?.status == .degraded)
        #expect((later.indexQueue?.oldestPendingSeconds ?? 0) >= HealthCheck.pendingTolerance + 4)
        #expect(later.status == .degraded)
        #expect(await queue.storeQueued())
        #expect(await queue.oldestPendingSince == nil)
    }

    @Test(arguments: [
        (HealthReport.Status.ok, [HealthReport.Status.ok], HealthReport.Status.ok),
        (.down, [.ok], .degraded),
        (.down, [], .down),
        (.down, [.down], .down),
        (.down, [.down, .degraded], .degraded),
        (.ok, [.down], .degraded),
        (.ok, [], .ok),
    ])
    func theOverallStateIsDownOnlyWhenTheServerNeitherAnswersNorRecords(database: HealthReport.Status, folders: [HealthReport.Status], overall: HealthReport.Status) {
        let report = HealthReport.overall(
            database: HealthReport.Database(status: database, kind: "sqlite"),
            storage: folders.map { HealthReport.Storage(status: $0, minimumFreeBytes: 0, writable: $0 != .down) },
            indexQueue: nil, recorders: HealthReport.Recorders(status: .ok, cameras: 0, streaming: 0, recordingFailed: 0))
        #expect(report == overall)
    }
}
