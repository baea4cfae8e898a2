import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCEvidence
import RTCCMedia
import RTCCServer
import RTCCStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Credentials in a stream URL's query string and the modes of what is kept on disk, tested as an attacker with read
/// access to the API, the exports, the logs or the file system would look for them.
@Suite struct SecretsAtRestTests {
    static let password = "Qs-Secret-7731"

    @Test func queryStringPasswordsNeverAppearInAnswersExportsOrLogs() async throws {
        let app = try await TestApp.make()
        let url = "rtsp://127.0.0.1:9/cam/realmonitor?channel=1&user=admin&password=\(Self.password)&subtype=0"
        let id: UUID = try await app.test { client async throws in
            let created = try await client.execute(
                uri: "/api/v1/cameras", method: .post, headers: app.headers(.admin, jsonHeaders),
                body: jsonBody(["name": "Dahua door", "kind": "city", "location": ["latitude": 32.5, "longitude": -93.7], "mainStreamURL": url]))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.text.contains(#""mainStreamURL":"rtsp://127.0.0.1:9/cam/realmonitor?channel=1&subtype=0""#), "\(created.text)")
            #expect(created.text.contains("\"hasCredentials\":true"))
            let id = try #require(((try created.json() as? [String: Any])?["id"] as? String).flatMap(UUID.init(uuidString:)))
            for uri in ["/api/v1/cameras/\(id)", "/api/v1/cameras?limit=1000", "/api/v1/cameras/export?format=csv", "/api/v1/cameras/export?format=geojson"] {
                let answer = try await client.execute(uri: uri, method: .get, headers: app.headers(.admin))
                #expect(answer.status == .ok, "\(uri)")
                #expect(!answer.text.contains(Self.password) && !answer.text.contains("user=admin"), "\(uri): \(answer.text)")
            }
            // Changing another field keeps the sealed query credentials.
            let patched = try await client.execute(
                uri: "/api/v1/cameras/\(id)", method: .patch, headers: app.headers(.admin, jsonHeaders), body: jsonBody(["name": "Dahua front door"]))
            #expect(patched.status == .ok && !patched.text.contains(Self.password))
            return id
        }
        let sealed = try #require(try await app.services.store.cameras.sealedSecrets(id: id))
        #expect(!sealed.contains(Self.password))
        let secrets = try app.services.cipher.open(CameraSecrets.self, from: sealed)
        #expect(secrets.main?.query?.contains(StreamQueryCredential(name: "password", value: Self.password)) == true)
        let stored = try #require(try await app.services.store.cameras.find(id: id))
        #expect(stored.mainStreamURL?.contains(Self.password) == false)

        // The recorder gets the full URL, connects (to a closed port, so it logs failures and reconnects) and logs none of it.
        let logs = CapturedLogs()
        var settings = RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-secrets-\(UUID())"))
        settings.refreshInterval = .milliseconds(200)
        let supervisor = RecorderSupervisor(services: app.services, settings: settings, logger: logs.logger)
        let target = try #require(try await supervisor.targets()[id])
        #expect(target.url.hasSuffix("channel=1&subtype=0&user=admin&password=\(Self.password)"))
        let running = Task { try await supervisor.run() }
        let tried = try await RecordedFootage.waitFor(seconds: 15) { logs.text.contains("RTSP connect failed") && logs.text.contains("rtsp.url") }
        running.cancel()
        _ = try? await running.value
        #expect(tried, "the recorder ran: \(logs.text)")
        #expect(logs.text.contains("password=***"), "the URL is logged masked")
        #expect(!logs.text.contains(Self.password), "\(logs.text)")
    }

    @Test func recordingsAndEvidencePackagesAreOwnerOnly() async throws {
        let app = try await TestApp.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-modes-\(UUID())", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = Date(timeIntervalSince1970: 1_795_100_000)
        let segments = try await RecordedFootage.record(seconds: 3, camera: app.cityCamera.id, start: start, in: directory, store: app.services.store)
        let segment = try #require(segments.first)
        #expect(try Self.mode(segment.path) == 0o600)
        let day = URL(fileURLWithPath: segment.path).deletingLastPathComponent()
        #expect(try Self.mode(day.path) == 0o700)
        #expect(try Self.mode(day.deletingLastPathComponent().path) == 0o700)

        let destination = directory.appendingPathComponent("package", isDirectory: true)
        let request = EvidencePackager.Request(caseNumber: "26-1", purpose: "modes", exporter: "analyst", cameras: [EvidencePackager.Camera(
            id: app.cityCamera.id.uuidString, name: "Texas St", location: "Texas St", owner: "City", segments: segments, from: start,
            until: start.addingTimeInterval(2))])
        _ = try EvidencePackager(key: SigningKey.generate()).package(request, to: destination)
        #expect(try Self.mode(destination.path) == 0o700)
        #expect(try Self.mode(destination.appendingPathComponent("clips").path) == 0o700)
        let files = try FileManager.default.subpathsOfDirectory(atPath: destination.path)
        #expect(files.contains("manifest.json"))
        for file in files {
            let path = destination.appendingPathComponent(file).path
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            #expect(try Self.mode(path) == (isFolder.boolValue ? 0o700 : 0o600), "\(file)")
        }
    }

    @Test func theDataFolderDatabaseAndKeyAreOwnerOnlyAndAGroupMayReadRecordings() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-data-\(UUID())", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: data) }
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let database = data.appendingPathComponent("rtcc.sqlite").path
        #expect(FileManager.default.createFile(atPath: database, contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
        var config = AppConfig()
        config.dataDirectory = data.path
        let key = try config.makeCipher()
        _ = key
        try FileModes.secure(config: config)
        #expect(try Self.mode(data.path) == 0o700)
        #expect(try Self.mode(database) == 0o600)
        #expect(try Self.mode(data.appendingPathComponent("credential.key").path) == 0o600)
        #expect(try Self.mode(config.resolvedRecordingsDirectory) == 0o700)

        let group = try #require(Self.currentGroupName())
        config.recordingsGroup = group
        try FileModes.secure(config: config)
        #expect(try Self.mode(data.path) == 0o710, "the group may reach the recordings folder, not list the data folder")
        #expect(try Self.mode(config.resolvedRecordingsDirectory) == 0o750)
        #expect(try Self.mode(database) == 0o600, "the database stays owner-only")
        let file = URL(fileURLWithPath: config.resolvedRecordingsDirectory).appendingPathComponent("segment.mp4").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        try RecordingFileMode.recordings(group: group).applyToFile(at: file)
        #expect(try Self.mode(file) == 0o640)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.groupOwnerAccountName] as? String == group)
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.posixPermissions] as? NSNumber)?.intValue) & 0o777
    }

    static func currentGroupName() -> String? {
        guard let entry = getgrgid(getgid()), let name = entry.pointee.gr_name else { return nil }
        return String(cString: name)
    }
}
