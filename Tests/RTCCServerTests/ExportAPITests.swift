import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCEvidence
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing

/// Clip export as a background job: progress, result, refusals, a corrupted segment, and the ZIP round trip.
@Suite(.timeLimit(.minutes(5))) struct ExportAPITests {
    /// A whole second an hour ago (clear of the fixture's segment ten minutes ago): the API's times have no fractions.
    static func recentStart() -> Date { Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3600).rounded(.down)) }

    static func startBody(_ cameras: [UUID], _ from: Date, _ until: Date, purpose: String = "court disclosure") -> ByteBuffer {
        jsonBody(["cameraIDs": cameras.map(\.uuidString), "from": from.ISO8601Format(), "until": until.ISO8601Format(), "purpose": purpose])
    }

    /// Runs the export service beside `body`.
    static func withExporter(_ app: TestApp, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.services.exports.run() }
            try await body()
            group.cancelAll()
        }
    }

    /// Polls a job until it succeeds or fails; returns its JSON.
    static func finished(_ uri: String, client: some TestClientProtocol, app: TestApp) async throws -> [String: Any] {
        var job: [String: Any] = [:]
        let done = try await RecordedFootage.waitFor {
            let response = try await client.execute(uri: uri, method: .get, headers: app.headers(.officer), body: nil)
            job = try response.json() as? [String: Any] ?? [:]
            return ["succeeded", "failed"].contains(job["state"] as? String ?? "")
        }
        try #require(done, "the job did not finish: \(job)")
        return job
    }

    @Test func exportRunsInTheBackgroundAndItsZipVerifiesWhereverItIsUnpacked() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make { $0.dataDirectory = directory.path }
        let camera = app.cityCamera.id
        let start = Self.recentStart()
        let segments = try await RecordedFootage.record(seconds: 5, camera: camera, start: start, in: directory.appendingPathComponent("footage"), store: app.services.store)
        try #require(segments.count >= 2 && segments.allSatisfy(\.isSealed))
        let caseID = try #require(app.evidence?.evidenceCase.id)
        try await Self.withExporter(app) {
            try await app.test { client async throws in
                let started = try await client.execute(
                    uri: "/api/v1/cases/\(caseID)/exports", method: .post, headers: app.headers(.analyst, jsonHeaders),
                    body: Self.startBody([camera], start.addingTimeInterval(1), start.addingTimeInterval(4)))
                #expect(started.status == .accepted, "\(started.text)")
                let location = try #require(started.headers[.location])
                let job = try await Self.finished(location, client: client, app: app)
                #expect(job["state"] as? String == "succeeded", "\(job)")
                #expect(job["progress"] as? Double == 1)
                let package = try #require(job["package"] as? [String: Any])
                let cameras = try #require(package["cameras"] as? [[String: Any]])
                #expect(cameras.first?["frames"] as? Int == 75, "3 s at 25 fps")
                #expect((cameras.first?["gaps"] as? [Any])?.isEmpty == true)
                let files = package["files"] as? [String] ?? []
                #expect(files.contains("clips/\(camera.uuidString.lowercased()).mp4") && files.contains("manifest.json") && files.contains("SHA256SUMS"))
                let packageID = try #require(package["id"] as? String)

                let listed = try await client.execute(uri: "/api/v1/cases/\(caseID)/packages", method: .get, headers: app.headers(.auditor), body: nil)
                #expect(listed.text.contains(packageID))
                // The case collects the export by itself.
                let found = try await client.execute(uri: "/api/v1/cases/\(caseID)", method: .get, headers: app.headers(.analyst), body: nil)
                let links = (try found.json() as? [String: Any])?["links"] as? [[String: Any]] ?? []
                #expect(links.contains { $0["kind"] as? String == "package" && $0["reference"] as? String == packageID.lowercased() }, "\(links)")
                let detail = try await client.execute(uri: "/api/v1/packages/\(packageID)", method: .get, headers: app.headers(.officer), body: nil)
                let manifest = (try detail.json() as? [String: Any])?["manifest"] as? [String: Any]
                #expect(manifest?["caseNumber"] as? String == "26-000042" && manifest?["exporter"] as? String == "analyst")
                let fingerprint = try #require(manifest?["signingKeyFingerprint"] as? String)

                let zip = try await client.execute(
                    uri: "/api/v1/packages/\(packageID)/download", method: .get, headers: app.headers(.supervisor, [HTTPField.Name("X-RTCC-Purpose")!: "DA request"]),
                    body: nil)
                #expect(zip.status == .ok && zip.headers[.contentType] == "application/zip")
                let file = directory.appendingPathComponent("download.zip")
                try Data(zip.body.readableBytesView).write(to: file)
                let elsewhere = directory.appendingPathComponent("copied/elsewhere")
                let unzipped = try await RecordedFootage.run("python3", ["-m", "zipfile", "-e", file.path, elsewhere.path], in: directory)
                #expect(unzipped.status == 0, "\(unzipped.output)")
                let root = try #require(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).first)
                let report = EvidenceVerifier.verify(packageAt: elsewhere.appendingPathComponent(root), expectedFingerprint: fingerprint)
                #expect(report.isValid, "\(report.failures)")

                let verified = try await client.execute(uri: "/api/v1/packages/\(packageID)/verify", method: .post, headers: app.headers(.auditor), body: nil)
                #expect((try verified.json() as? [String: Any])?["intact"] as? Bool == true, "\(verified.text)")
            }
        }
        let audit = app.services.audit
        #expect(try await audit.entries(action: "evidence.export_requested").first?.actor == "analyst")
        let exported = try #require(try await audit.entries(action: "evidence.export").first)
        #expect(exported.target.hasPrefix(Store.auditTarget(caseID: caseID) + "/package:") && exported.purpose == "court disclosure")
        #expect(try await audit.entries(action: "evidence.download").first?.purpose == "DA request")
        #expect(try await audit.entries(action: "evidence.verify").first?.detail.hasPrefix("intact") == true)
        let leftovers = FileManager.default.enumerator(atPath: app.services.config.evidenceDirectory.path)?.allObjects as? [String] ?? []
        #expect(!leftovers.contains { $0.hasSuffix(".partial") })
    }

    @Test func corruptedSegmentFailsTheJobWithTheReasonAndLeavesNoPackage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await TestApp.make { $0.dataDirectory = directory.path }
        let camera = app.cityCamera.id
        let start = Self.recentStart()
        let segments = try await RecordedFootage.record(seconds: 5, camera: camera, start: start, in: directory.appendingPathComponent("footage"), store: app.services.store)
        let damaged = try #require(segments.sorted { $0.start < $1.start }.dropFirst().first)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: damaged.path)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: damaged.path))
        let caseID = try #require(app.evidence?.evidenceCase.id)
        try await Self.withExporter(app) {
            try await app.test { client async throws in
                let started = try await client.execute(
                    uri: "/api/v1/cases/\(caseID)/exports", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                    body: Self.startBody([camera], start, start.addingTimeInterval(5)))
                let job = try await Self.finished(try #require(started.headers[.location]), client: client, app: app)
                #expect(job["state"] as? String == "failed")
                let error = job["error"] as? String ?? ""
                #expect(error.contains("does not match its sealed SHA-256") && error.contains(damaged.id.uuidString), "\(error)")
                #expect(job["package"] == nil)
                let packages = try await client.execute(uri: "/api/v1/cases/\(caseID)/packages", method: .get, headers: app.headers(.analyst), body: nil)
                #expect((try packages.json() as? [Any])?.count == 1, "only the fixture's package")
            }
        }
        #expect(try await app.services.audit.entries(action: "evidence.export_failed").first?.detail.contains("sealed SHA-256") == true)
        let written = FileManager.default.enumerator(atPath: app.services.config.evidenceDirectory.path)?.allObjects as? [String] ?? []
        #expect(!written.contains { $0.hasSuffix(".mp4") || $0.hasSuffix(".partial") }, "\(written)")
    }

    @Test func impossibleExportsAreRefusedBeforeAnyJobStarts() async throws {
        let app = try await TestApp.make()
        let caseID = try #require(app.evidence?.evidenceCase.id)
        let city = app.cityCamera.id
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try await app.test { client async throws in
            func start(_ body: ByteBuffer, caseID: UUID = caseID) async throws -> (status: HTTPResponse.Status, fields: [String: String]) {
                let response = try await client.execute(
                    uri: "/api/v1/cases/\(caseID)/exports", method: .post, headers: app.headers(.analyst, jsonHeaders), body: body)
                let errors = (try? response.problem()["errors"] as? [[String: String]]) ?? []
                return (response.status, Dictionary(errors.map { ($0["field"] ?? "", $0["reason"] ?? "") }, uniquingKeysWith: { $1 }))
            }
            let backwards = try await start(Self.startBody([city], now, now.addingTimeInterval(-60)))
            #expect(backwards.status == .unprocessableContent && backwards.fields["until"] == "must be after from")
            let unknown = try await start(Self.startBody([UUID()], now.addingTimeInterval(-60), now))
            #expect(unknown.status == .unprocessableContent && unknown.fields["cameraIDs[0]"]?.hasPrefix("no camera has id") == true)
            let nothing = try await start(Self.startBody([app.partnerCamera.id], now.addingTimeInterval(-60), now))
            #expect(nothing.fields["cameraIDs[0]"]?.contains("has no recording") == true, "\(nothing)")
            let old = Date(timeIntervalSince1970: 1_600_000_000)
            let expired = try await start(Self.startBody([city], old, old.addingTimeInterval(60)))
            #expect(expired.fields["cameraIDs[0]"]?.contains("retention") == true, "\(expired)")
            let twice = try await start(Self.startBody([city, city], now.addingTimeInterval(-60), now))
            #expect(twice.fields["cameraIDs"] == "lists a camera twice")
            let long = try await start(Self.startBody([city], now.addingTimeInterval(-90_000), now))
            #expect(long.fields["until"]?.contains("24 hours") == true)
            let noPurpose = try await start(Self.startBody([city], now.addingTimeInterval(-60), now, purpose: "  "))
            #expect(noPurpose.fields["purpose"] != nil)
            #expect(try await start(Self.startBody([city], now.addingTimeInterval(-60), now), caseID: UUID()).status == .notFound)
            let extra = try await client.execute(
                uri: "/api/v1/cases/\(caseID)/exports", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["cameraIDs": [city.uuidString], "from": "2026-11-30T10:00:00Z", "until": "2026-11-30T10:01:00Z", "purpose": "x", "format": "avi"]))
            #expect(extra.status == .badRequest)
            let missingJob = try await client.execute(uri: "/api/v1/exports/\(UUID())", method: .get, headers: app.headers(.analyst), body: nil)
            #expect(missingJob.status == .notFound && missingJob.headers[.contentType] == "application/problem+json")
        }
        #expect(try await app.services.store.exportJobs.list(caseID: caseID).count == 1, "only the fixture's job")
    }
}
