import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct CameraRepositoryTests {
    func record(_ name: String, kind: CameraKind = .city, partner: UUID? = nil, lat: Double = 32.51, tags: [String] = [], label: String = "body")
        throws -> CameraRecord
    {
        let draft = CameraDraft(name: name, kind: kind, partnerID: partner, location: GeoPoint(latitude: lat, longitude: -93.75), tags: tags)
        return CameraRecord(camera: try draft.validated(), sealedSecrets: nil, label: label)
    }

    @Test(arguments: Backend.allCases)
    func createdCameraReadsBackWithEveryField(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            var draft = CameraDraft(
                name: "Fair gate", kind: .temporary, location: GeoPoint(latitude: 32.48, longitude: -93.79), mountHeightM: 9.5,
                headingDeg: 271.5, fieldOfViewDeg: 80, rangeM: 90, mainStreamURL: "rtsp://u:p@10.0.0.2/main", sharing: .alarmOnly,
                retentionDays: 45, activeWindow: ActiveWindow(from: now, until: now.addingTimeInterval(3600)), tags: ["fair", "gate"])
            draft.subStreamURL = "rtsp://10.0.0.2/sub"
            let created = try await store.cameras.create(CameraRecord(camera: try draft.validated(), sealedSecrets: "sealed"), now: now)
            let found = try #require(try await store.cameras.find(id: created.id))
            #expect(found == created)
            #expect(found.mainStreamURL == "rtsp://10.0.0.2/main")
            #expect(found.hasCredentials)
            #expect(found.activeWindow?.until == now.addingTimeInterval(3600))
            #expect(try await store.cameras.sealedSecrets(id: created.id) == "sealed")
        }
    }

    @Test(arguments: Backend.allCases)
    func pictureSizeAndFrameRateAreStoredChangedAndClearedAgain(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let unknown = try await store.cameras.create(try record("Unmeasured"))
            #expect(unknown.horizontalPixels == nil && unknown.verticalPixels == nil && unknown.framesPerSecond == nil)
            var draft = CameraDraft(
                name: "4K corner", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), horizontalPixels: 3840,
                verticalPixels: 2160, framesPerSecond: 29.97)
            let created = try await store.cameras.create(CameraRecord(camera: try draft.validated(), sealedSecrets: nil))
            let found = try #require(try await store.cameras.find(id: created.id))
            #expect(found.horizontalPixels == 3840 && found.verticalPixels == 2160 && found.framesPerSecond == 29.97)
            draft.horizontalPixels = 1280
            draft.verticalPixels = 720
            draft.framesPerSecond = 12.5
            _ = try await store.cameras.update(id: created.id, with: CameraRecord(camera: try draft.validated(), sealedSecrets: nil))
            let changed = try #require(try await store.cameras.all().first { $0.id == created.id })
            #expect(changed.horizontalPixels == 1280 && changed.verticalPixels == 720 && changed.framesPerSecond == 12.5)
            draft.horizontalPixels = nil
            draft.verticalPixels = nil
            draft.framesPerSecond = nil
            _ = try await store.cameras.update(id: created.id, with: CameraRecord(camera: try draft.validated(), sealedSecrets: nil))
            let cleared = try #require(try await store.cameras.find(id: created.id))
            #expect(cleared.horizontalPixels == nil && cleared.verticalPixels == nil && cleared.framesPerSecond == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func searchFiltersAndPages(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let partner = try await store.partners.create(PartnerDraft(
                name: "Red River Grocery", kind: .business, contactName: "D W", email: "d@example.org", address: "401 Texas St"))
            _ = try await store.cameras.createAll([
                try record("Alpha 100%", tags: ["downtown"]), try record("Beta_1", lat: 32.40), try record("Gamma", kind: .partner, partner: partner.id, tags: ["retail"]),
            ])
            #expect(try await store.cameras.search(CameraQuery()).total == 3)
            #expect(try await store.cameras.search(CameraQuery(text: "100%")).items.map(\.name) == ["Alpha 100%"])
            #expect(try await store.cameras.search(CameraQuery(text: "a_1")).items.map(\.name) == ["Beta_1"])
            #expect(try await store.cameras.search(CameraQuery(text: "' OR 1=1 --")).total == 0)
            #expect(try await store.cameras.search(CameraQuery(kind: .partner)).items.map(\.name) == ["Gamma"])
            #expect(try await store.cameras.search(CameraQuery(partnerID: partner.id)).total == 1)
            #expect(try await store.cameras.search(CameraQuery(tag: "downtown")).items.map(\.name) == ["Alpha 100%"])
            #expect(try await store.cameras.search(CameraQuery(boundingBox: (32.45, -94, 32.6, -93))).total == 2)
            let page = try await store.cameras.search(CameraQuery(limit: 2, offset: 2))
            #expect(page.items.map(\.name) == ["Gamma"])
            #expect(page.total == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func importIsAllOrNothing(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            try await store.cameras.create(try record("Existing"))
            let records = [try record("New 1", label: "line 2"), try record("existing", label: "line 3"), try record("New 2", label: "line 4")]
            do {
                _ = try await store.cameras.createAll(records)
                Issue.record("expected a validation error")
            } catch let error as ValidationError {
                #expect(error.errors.map(\.field) == ["line 3: name"])
            }
            #expect(try await store.cameras.count() == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func unknownPartnerIsRejected(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            await #expect(throws: ValidationError.self) { try await store.cameras.create(try record("P", kind: .partner, partner: UUID())) }
            #expect(try await store.cameras.count() == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func updateAndDelete(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let a = try await store.cameras.create(try record("A"))
            try await store.cameras.create(try record("B"))
            let updated = try await store.cameras.update(id: a.id, with: try record("A2", tags: ["x"]))
            #expect(updated?.name == "A2")
            #expect(updated?.createdAt == a.createdAt)
            await #expect(throws: ValidationError.self) { try await store.cameras.update(id: a.id, with: try record("b")) }
            #expect(try await store.cameras.update(id: UUID(), with: try record("C")) == nil)
            #expect(try await store.cameras.delete(id: a.id))
            #expect(try await !store.cameras.delete(id: a.id))
            #expect(try await store.cameras.count() == 1)
        }
    }
}
