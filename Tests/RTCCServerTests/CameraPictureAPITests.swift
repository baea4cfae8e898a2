import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCGeo
import RTCCStore
import Testing

@testable import RTCCServer

/// A camera's measured picture size and frame rate: stored through the API and used for DORI distances.
@Suite struct CameraPictureAPITests {
    static func camera(width: Int?) -> Camera {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        return Camera(
            id: UUID(), name: "Corner", kind: .city, partnerID: nil, location: GeoPoint(latitude: 32.5, longitude: -93.75), mountHeightM: 4,
            headingDeg: 90, fieldOfViewDeg: 60, rangeM: 200, mainStreamURL: nil, subStreamURL: nil, hasCredentials: false, sharing: .live,
            retentionDays: 30, activeWindow: nil, tags: [], createdAt: now, updatedAt: now, horizontalPixels: width,
            verticalPixels: width.map { $0 * 9 / 16 })
    }

    @Test func aFourKCameraIdentifiesFartherThanTheSameCameraAt1280Pixels() throws {
        let fourKView = try #require(Self.camera(width: 3840).view)
        let hdView = try #require(Self.camera(width: 1280).view)
        let fourK = try #require(fourKView.doriRange(.identify))
        let hd = try #require(hdView.doriRange(.identify))
        // 250 px/m over a 60° lens: 3840 / (2·tan 30°·250) ≈ 13.3 m slant, 1280 px ≈ 4.4 m; minus the 4 m mount height.
        #expect(fourK > 12 && fourK < 13.5, "\(fourK)")
        #expect(hd > 1 && hd < 2.5, "\(hd)")
        #expect(fourK > 3 * hd)
    }

    @Test func anUnmeasuredCameraFallsBackTo1920Pixels() throws {
        let unknown = Self.camera(width: nil)
        #expect(unknown.doriResolutionAssumed && unknown.view?.horizontalPixels == 1920)
        let measured = Self.camera(width: 1280)
        #expect(!measured.doriResolutionAssumed && measured.view?.horizontalPixels == 1280)
    }

    @Test func pictureSizeAndRateAreStoredChangedAndRefusedTogetherWhenWrong() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let created = try await client.execute(
                uri: "/api/v1/cameras", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["name": "Measured cam", "kind": "city", "location": ["latitude": 32.5, "longitude": -93.7],
                                "horizontalPixels": 3840, "verticalPixels": 2160, "framesPerSecond": 25]))
            #expect(created.status == .created, "\(created.text)")
            let body = try #require(try created.json() as? [String: Any])
            #expect(body["horizontalPixels"] as? Int == 3840 && body["verticalPixels"] as? Int == 2160 && body["framesPerSecond"] as? Double == 25)
            let id = try #require(body["id"] as? String)
            let patched = try await client.execute(
                uri: "/api/v1/cameras/\(id)", method: .patch, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["headingDeg": 45]))
            #expect(patched.text.contains("\"horizontalPixels\":3840"), "a patch of another field keeps the measured picture")
            let bad = try await client.execute(
                uri: "/api/v1/cameras/\(id)", method: .patch, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["horizontalPixels": 4, "framesPerSecond": 1000, "rangeM": 0]))
            #expect(bad.status == .unprocessableContent)
            let errors = try #require(try bad.problem()["errors"] as? [[String: String]])
            #expect(Set(errors.compactMap { $0["field"] }) == ["horizontalPixels", "framesPerSecond", "rangeM"], "every wrong field at once")
            let after = try #require(try await app.services.store.cameras.find(id: UUID(uuidString: id)!))
            #expect(after.horizontalPixels == 3840 && after.framesPerSecond == 25 && after.headingDeg == 45, "nothing stored from the bad patch")
        }
    }
}
