import Foundation
import Logging
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

@Suite struct RecorderSupervisorTests {
    @Test func recordsOnlyLiveCamerasInTheirActiveWindowWithTheirCredentials() async throws {
        let app = try await TestApp.make()
        let store = app.services.store
        let now = Date()
        func add(_ name: String, sharing: SharingTier, url: String?, window: ActiveWindow? = nil) async throws -> Camera {
            let draft = CameraDraft(
                name: name, kind: window == nil ? .city : .temporary, location: GeoPoint(latitude: 32.5, longitude: -93.7), mainStreamURL: url,
                sharing: sharing, activeWindow: window)
            let valid = try draft.validated()
            let secrets = CameraSecrets(main: valid.mainCredentials, sub: nil)
            return try await store.cameras.create(CameraRecord(camera: valid, sealedSecrets: secrets.isEmpty ? nil : try app.services.cipher.seal(secrets)))
        }
        let live = try await add("Live", sharing: .live, url: "rtsp://viewer:p%40ss@10.0.0.1/main")
        _ = try await add("On request", sharing: .onRequest, url: "rtsp://10.0.0.2/main")
        _ = try await add("No URL", sharing: .live, url: nil)
        let fair = try await add("Fair now", sharing: .live, url: "rtsp://10.0.0.3/main", window: ActiveWindow(from: now.addingTimeInterval(-60), until: now.addingTimeInterval(3600)))
        _ = try await add("Fair over", sharing: .live, url: "rtsp://10.0.0.4/main", window: ActiveWindow(from: now.addingTimeInterval(-7200), until: now.addingTimeInterval(-3600)))
        let supervisor = RecorderSupervisor(
            services: app.services, settings: RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory), logger: Logger(label: "test"))
        let targets = try await supervisor.targets(now: now)
        #expect(Set(targets.keys) == [live.id, fair.id])
        #expect(targets[live.id]?.url == "rtsp://viewer:p%40ss@10.0.0.1/main")
        #expect(targets[fair.id]?.url == "rtsp://10.0.0.3/main")
    }
}
