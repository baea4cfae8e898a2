import Foundation
import RTCCCore
import RTCCStore
import Testing

/// ONVIF links and the PTZ control lock, on SQLite and PostgreSQL.
@Suite struct ONVIFRepositoryTests {
    let base = Date(timeIntervalSince1970: 1_796_551_200)

    func camera(_ store: Store, _ name: String) async throws -> Camera {
        try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: name, kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.75), mainStreamURL: "rtsp://10.0.0.9/\(name)")
                .validated(),
            sealedSecrets: nil))
    }

    func link(_ camera: Camera, at time: Date) -> ONVIFLink {
        ONVIFLink(
            cameraID: camera.id, address: "http://10.0.0.9/onvif/device_service", profileToken: "main", subProfileToken: "sub", ptz: true, events: false,
            manufacturer: "Acme", model: "PTZ-9000", firmware: "5.2", serialNumber: "S1", clockOffsetSeconds: 1.5, checkedAt: time, linkedAt: time)
    }

    @Test(arguments: Backend.allCases)
    func aLinkIsStoredReplacedCheckedAndGoesWithItsCamera(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let gate = try await camera(store, "Gate")
            try await store.onvif.save(link(gate, at: base), sealedSecrets: "sealed-1")
            #expect(try await store.onvif.link(cameraID: gate.id) == link(gate, at: base))
            #expect(try await store.onvif.sealedSecrets(cameraID: gate.id) == "sealed-1")
            var changed = link(gate, at: base.addingTimeInterval(60))
            changed.model = "PTZ-9001"
            try await store.onvif.save(changed, sealedSecrets: nil)
            #expect(try await store.onvif.all().map(\.model) == ["PTZ-9001"], "linking again replaces the link")
            #expect(try await store.onvif.sealedSecrets(cameraID: gate.id) == nil)
            try await store.onvif.recordCheck(cameraID: gate.id, clockOffsetSeconds: nil, error: "timed out", at: base.addingTimeInterval(120))
            let failed = try #require(try await store.onvif.link(cameraID: gate.id))
            #expect(failed.lastError == "timed out" && failed.clockOffsetSeconds == 1.5, "a failed check keeps the last offset it knew")
            try await store.onvif.recordCheck(cameraID: gate.id, clockOffsetSeconds: -7, error: nil, at: base.addingTimeInterval(180))
            let checked = try #require(try await store.onvif.link(cameraID: gate.id))
            #expect(checked.lastError == nil && checked.clockOffsetSeconds == -7 && checked.checkedAt == base.addingTimeInterval(180))
            _ = try await store.onvif.acquire(cameraID: gate.id, userID: UUID(), username: "a", role: "analyst", rank: 1, seconds: 30, takeOver: false, now: base)
            #expect(try await store.cameras.delete(id: gate.id))
            #expect(try await store.onvif.all().isEmpty, "deleting the camera removes its link")
            #expect(try await store.onvif.lock(cameraID: gate.id, now: base) == nil, "and its lock")
        }
    }

    @Test(arguments: Backend.allCases)
    func theLockIsHeldByOneOperatorLapsesAndGivesWayOnlyToAHigherRole(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let gate = try await camera(store, "Gate")
            let anna = UUID(), bob = UUID(), sam = UUID()
            func take(_ user: UUID, _ name: String, rank: Int, at seconds: Double, takeOver: Bool = false) async throws -> PTZLock {
                try await store.onvif.acquire(
                    cameraID: gate.id, userID: user, username: name, role: "r\(rank)", rank: rank, seconds: 30, takeOver: takeOver,
                    now: base.addingTimeInterval(seconds))
            }
            let first = try await take(anna, "anna", rank: 1, at: 0)
            #expect(first.userID == anna && first.expiresAt == base.addingTimeInterval(30))
            #expect(try await take(bob, "bob", rank: 1, at: 5).userID == anna, "another operator of the same rank is kept out")
            #expect(try await take(bob, "bob", rank: 1, at: 5, takeOver: true).userID == anna, "and cannot take over")
            let renewed = try await take(anna, "anna", rank: 1, at: 20)
            #expect(renewed.expiresAt == base.addingTimeInterval(50) && renewed.takenAt == base, "renewing moves the expiry, not the start")
            #expect(try await take(bob, "bob", rank: 1, at: 49).userID == anna)
            #expect(try await take(bob, "bob", rank: 1, at: 51).userID == bob, "a lapsed lock goes to the next operator")
            #expect(try await take(sam, "sam", rank: 2, at: 52).userID == bob, "a higher role does not take over unless asking")
            let taken = try await take(sam, "sam", rank: 2, at: 53, takeOver: true)
            #expect(taken.userID == sam && taken.takenAt == base.addingTimeInterval(53), "a higher role takes over when asking")
            #expect(try await store.onvif.release(cameraID: gate.id, userID: bob) == false, "someone else's lock is not released")
            #expect(try await store.onvif.lock(cameraID: gate.id, now: base.addingTimeInterval(54))?.userID == sam)
            #expect(try await store.onvif.release(cameraID: gate.id, userID: sam))
            #expect(try await store.onvif.lock(cameraID: gate.id, now: base.addingTimeInterval(54)) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func operatorsRacingForAFreeCameraEndWithOneHolder(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let gate = try await camera(store, "Gate")
            let users = (0..<8).map { _ in UUID() }
            let winners = try await withThrowingTaskGroup(of: UUID.self) { group in
                for user in users {
                    group.addTask {
                        try await store.onvif.acquire(cameraID: gate.id, userID: user, username: "u", role: "analyst", rank: 1, seconds: 30, takeOver: false, now: base)
                            .userID
                    }
                }
                var seen: [UUID] = []
                for try await winner in group { seen.append(winner) }
                return seen
            }
            #expect(Set(winners).count == 1, "every racer sees the same single holder: \(Set(winners))")
        }
    }
}
