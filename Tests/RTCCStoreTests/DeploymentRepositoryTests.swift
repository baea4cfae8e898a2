import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct DeploymentRepositoryTests {
    let base = Date(timeIntervalSince1970: 1_795_000_000)
    let area = [[GeoPoint(latitude: 32.48, longitude: -93.80), GeoPoint(latitude: 32.48, longitude: -93.79), GeoPoint(latitude: 32.47, longitude: -93.79)]]

    func trailer(_ store: Store, _ name: String) async throws -> Camera {
        try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: name, kind: .temporary, location: GeoPoint(latitude: 32.475, longitude: -93.795), mainStreamURL: "rtsp://10.0.0.9/\(name)",
                activeWindow: ActiveWindow(from: Date(timeIntervalSince1970: 0), until: Date(timeIntervalSince1970: 1))).validated(),
            sealedSecrets: nil))
    }

    @Test(arguments: Backend.allCases)
    func linkedCamerasFollowTheEventWindowAndKeepTheirOrder(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let fair = try await store.deployments.create(
                DeploymentDraft(name: "Fair", area: area, startsAt: base, endsAt: base.addingTimeInterval(86_400)).validated(), by: "supervisor")
            let a = try await trailer(store, "A")
            let b = try await trailer(store, "B")
            let before = try await store.cameras.version()
            let linked = try #require(try await store.deployments.setCameras(deploymentID: fair.id, cameraIDs: [b.id, a.id], now: base))
            #expect(linked.cameraIDs == [b.id, a.id])
            #expect(try await store.cameras.find(id: a.id)?.activeWindow == fair.window)
            #expect(try await store.cameras.version() != before, "the registry changes, so caches of it are rebuilt")

            var later = DeploymentDraft(name: "Fair (extended)", area: area, startsAt: base, endsAt: base.addingTimeInterval(2 * 86_400))
            later.notes = "gate 3"
            let moved = try #require(try await store.deployments.update(id: fair.id, with: later))
            #expect(moved.name == "Fair (extended)" && moved.cameraIDs == [b.id, a.id] && moved.createdBy == "supervisor")
            #expect(try await store.cameras.find(id: b.id)?.activeWindow?.until == base.addingTimeInterval(2 * 86_400))

            let parade = try await store.deployments.create(
                DeploymentDraft(name: "Parade", area: area, startsAt: base.addingTimeInterval(3 * 86_400), endsAt: base.addingTimeInterval(4 * 86_400)),
                by: "supervisor")
            #expect(try await store.deployments.otherDeployments(of: [a.id, b.id], than: parade.id) == [a.id: fair.id, b.id: fair.id])
            #expect(try await store.deployments.all().map(\.name) == ["Parade", "Fair (extended)"])
            #expect(try await store.deployments.delete(id: fair.id))
            #expect(try await !store.deployments.delete(id: fair.id))
            #expect(try await store.deployments.otherDeployments(of: [a.id], than: parade.id).isEmpty)
            #expect(try await store.cameras.find(id: a.id)?.activeWindow?.until == base.addingTimeInterval(2 * 86_400), "cameras keep their window")
            #expect(try await store.deployments.setCameras(deploymentID: fair.id, cameraIDs: [a.id]) == nil)
        }
    }
}
