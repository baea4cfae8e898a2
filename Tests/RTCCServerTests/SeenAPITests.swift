import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// "Who could have seen it": `GET /api/v1/seen` and `POST /api/v1/seen/hold`.
@Suite struct SeenAPITests {
    /// The point asked about, well away from the fixture's cameras.
    static let point = GeoPoint(latitude: 32.5000, longitude: -93.7000)

    /// A point `north` and `east` metres from ``point``.
    static func offset(north: Double, east: Double) -> GeoPoint {
        GeoPoint(latitude: point.latitude + north / 110_900, longitude: point.longitude + east / (111_320 * cos(point.latitude * .pi / 180)))
    }

    static func camera(
        _ app: TestApp, _ name: String, at location: GeoPoint, heading: Double, fov: Double = 60, range: Double = 100,
        kind: CameraKind = .city, sharing: SharingTier = .live, partner: UUID? = nil, retentionDays: Int = 30
    ) async throws -> Camera {
        try await app.services.store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: name, kind: kind, partnerID: partner, location: location, mountHeightM: 4, headingDeg: heading, fieldOfViewDeg: fov,
                rangeM: range, sharing: sharing, retentionDays: retentionDays).validated(),
            sealedSecrets: nil))
    }

    static func segment(_ camera: UUID, from start: Date, seconds: Double) -> SegmentRecord {
        SegmentRecord(
            id: UUID(), cameraID: camera, stream: "main", path: "/nonexistent/\(UUID()).mp4", start: start, end: start.addingTimeInterval(seconds),
            bytes: 1000, frames: Int(seconds * 25), gaps: [], codec: "avc1.42E01E", sha256: "00")
    }

    /// Whether two times agree to the store's millisecond precision.
    static func close(_ a: Date?, _ b: Date) -> Bool {
        guard let a else { return false }
        return abs(a.timeIntervalSince(b)) < 0.002
    }

    static func seenURI(_ point: GeoPoint = point, from: Date, until: Date) -> String {
        "/api/v1/seen?lat=\(point.latitude)&lon=\(point.longitude)&from=\(from.ISO8601Format())&until=\(until.ISO8601Format())"
    }

    static func cameras(_ response: TestResponse) throws -> [[String: Any]] {
        try #require((try response.json() as? [String: Any])?["cameras"] as? [[String: Any]])
    }

    @Test func camerasFacingThePointAreListedNearestFirstAndThoseBehindOrBesideAreNot() async throws {
        let app = try await TestApp.make()
        let near = try await Self.camera(app, "South, facing north", at: Self.offset(north: -30, east: 0), heading: 0)
        _ = try await Self.camera(app, "South, facing away", at: Self.offset(north: -30, east: 0), heading: 180)
        _ = try await Self.camera(app, "West, facing north past it", at: Self.offset(north: 0, east: -30), heading: 0)
        let far = try await Self.camera(app, "Far south, facing north", at: Self.offset(north: -70, east: 0), heading: 0)
        let until = Date(), from = until.addingTimeInterval(-3600)
        try await app.test { client async throws in
            let first = try await client.execute(uri: Self.seenURI(from: from, until: until), method: .get, headers: app.headers(.officer))
            #expect(first.status == .ok, "\(first.text)")
            let listed = try Self.cameras(first)
            #expect(listed.compactMap { $0["cameraID"] as? String } == [near.id.uuidString, far.id.uuidString])
            let distances = listed.compactMap { $0["distanceM"] as? Double }
            #expect(distances.count == 2 && abs(distances[0] - 30) < 0.5 && abs(distances[1] - 70) < 0.5)
            // 1920 px over 60°: observe reaches 26 m on the ground, detect 66 m.
            #expect(listed.first?["dori"] as? String == "detect" && listed.last?["dori"] == nil)
            #expect(listed.allSatisfy { $0["footage"] as? String == "none" })

            // A camera added afterwards is found: the cached index follows the registry.
            let added = try await Self.camera(app, "East, facing west", at: Self.offset(north: 0, east: 20), heading: 270)
            let second = try await client.execute(uri: Self.seenURI(from: from, until: until), method: .get, headers: app.headers(.officer))
            #expect(try Self.cameras(second).first?["cameraID"] as? String == added.id.uuidString)
        }
        #expect(try await app.services.audit.entries(action: "seen.search").count == 2)
    }

    @Test func aStoredBuildingFootprintThatIsNotAPolygonStopsTheSearchInsteadOfBeingLeftOut() async throws {
        let app = try await TestApp.make()
        _ = try await Self.camera(app, "South, facing north", at: Self.offset(north: -30, east: 0), heading: 0)
        // A wall between the camera and the point, stored as a two-point "ring": it blocks nothing if silently dropped.
        try await app.services.store.buildings.replaceAll([BuildingFootprint(rings: [[Self.offset(north: -15, east: -10), Self.offset(north: -15, east: 10)]])])
        let until = Date(), from = until.addingTimeInterval(-3600)
        try await app.test { client async throws in
            let response = try await client.execute(uri: Self.seenURI(from: from, until: until), method: .get, headers: app.headers(.officer))
            #expect(response.status == .internalServerError, "\(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(!response.text.contains("cameraID"))
        }
    }

    @Test func retentionTimeLeftCountsFromTheOldestUnheldSegmentAndOwnersFootageNeedsARequest() async throws {
        let app = try await TestApp.make()
        let recorded = try await Self.camera(app, "Recorded", at: Self.offset(north: -30, east: 0), heading: 0, retentionDays: 30)
        let privateCamera = try await Self.camera(
            app, "Shop door", at: Self.offset(north: 30, east: 0), heading: 180, kind: .partner, sharing: .registered, partner: app.partner.id,
            retentionDays: 7)
        let now = Date()
        let segmentStart = now.addingTimeInterval(-7200)
        try await app.services.store.segments.upsert(Self.segment(recorded.id, from: segmentStart, seconds: 60))
        try await app.services.store.segments.upsert(Self.segment(recorded.id, from: segmentStart.addingTimeInterval(60), seconds: 60))
        let from = now.addingTimeInterval(-3 * 3600)
        let report = try await WhoCouldSee(services: app.services).answer(
            latitude: Self.point.latitude, longitude: Self.point.longitude, from: from, until: now, now: now)
        let ours = try #require(report.cameras.first { $0.cameraID == recorded.id })
        #expect(ours.footage == .recorded && !ours.held)
        #expect(ours.recorded.count == 1 && Self.close(ours.recorded.first?.from, segmentStart) && Self.close(ours.recorded.first?.until, segmentStart + 120))
        let expected = segmentStart.addingTimeInterval(60 + 30 * 86_400)
        #expect(Self.close(ours.deletionStartsAt, expected))
        #expect(abs((ours.retentionLeftSeconds ?? 0) - expected.timeIntervalSince(now)) <= 1)
        let theirs = try #require(report.cameras.first { $0.cameraID == privateCamera.id })
        #expect(theirs.footage == .request && theirs.recorded.isEmpty)
        #expect(Self.close(theirs.deletionStartsAt, from.addingTimeInterval(7 * 86_400)))
    }

    @Test func timeLeftIsWhenTheRetentionSweeperReallyDeletesTheFootageAfterAlertsAndOwnersAgreements() async throws {
        let app = try await TestApp.make()
        let now = Date()
        let start = now.addingTimeInterval(-2 * 86_400)
        try await app.services.store.community.setRetention(partnerID: app.partner.id, days: 3, by: "test")
        /// A city camera facing the point with a sealed minute from two days ago, bookmarked by an alert (`status`, `caseID`).
        func camera(_ name: String, east: Double, alert status: Alert.Status?, caseID: UUID? = nil, partner: UUID? = nil) async throws -> Camera {
            let camera = try await Self.camera(
                app, name, at: Self.offset(north: -30, east: east), heading: 0, kind: partner == nil ? .city : .partner, partner: partner,
                retentionDays: partner == nil ? 7 : 30)
            try await app.services.store.segments.upsert(Self.segment(camera.id, from: start, seconds: 60))
            if let status {
                let alert = Alert(kind: .gunshot, severity: .high, status: status, title: "Gunshot", raisedAt: start.addingTimeInterval(20), caseID: caseID)
                try await app.services.store.alerts.create(alert, bookmarks: [AlertBookmark(
                    cameraID: camera.id, cameraName: name, distanceM: 30, from: start.addingTimeInterval(-10), until: start.addingTimeInterval(50))],
                    by: "test")
            }
            return camera
        }
        let plain = try await camera("Plain", east: -6, alert: nil)
        let alerted = try await camera("Open alert", east: -3, alert: .open)
        let cased = try await camera("Case", east: 0, alert: .closed, caseID: UUID())
        let dismissed = try await camera("Dismissed alert", east: 3, alert: .dismissed)
        let partners = try await camera("Shop lot", east: 6, alert: .open, partner: app.partner.id)
        let report = try await WhoCouldSee(services: app.services).answer(
            latitude: Self.point.latitude, longitude: Self.point.longitude, from: now.addingTimeInterval(-3 * 86_400), until: now, now: now)
        func seen(_ camera: Camera) throws -> SeenCamera { try #require(report.cameras.first { $0.cameraID == camera.id }) }
        let keepDays = Double(app.services.config.bookmarkKeepDays)
        let expected: [(Camera, Date, Bool, Int)] = [
            (plain, start.addingTimeInterval(60 + 7 * 86_400), false, 7),
            (dismissed, start.addingTimeInterval(60 + 7 * 86_400), false, 7),
            (partners, start.addingTimeInterval(60 + 3 * 86_400), false, 3),  // the owner's agreement; alerts keep nothing of theirs
            (alerted, start.addingTimeInterval(20 + keepDays * 86_400), true, 7),
        ]
        for (camera, deletion, kept, days) in expected {
            let described = try seen(camera)
            #expect(Self.close(described.deletionStartsAt, deletion) && described.keptByAlerts == kept && described.retentionDays == days
                    && !described.held, "\(camera.name): \(String(describing: described.deletionStartsAt)), expected \(deletion)")
        }
        let caseKept = try seen(cased)
        #expect(caseKept.held && caseKept.keptByAlerts && caseKept.deletionStartsAt == nil && caseKept.retentionLeftSeconds == nil)

        // The sweeper agrees: each camera's minute is there a minute before the time reported and gone a minute after.
        let sweeper = RetentionSweeper(
            store: app.services.store, quotaBytes: nil, bookmarkKeepDays: app.services.config.bookmarkKeepDays, logger: Logger(label: "test"))
        func stored(_ camera: Camera) async throws -> Bool {
            !(try await app.services.store.segments.list(cameraID: camera.id, from: start, until: start.addingTimeInterval(60)).isEmpty)
        }
        for deletion in Set(expected.map(\.1)).sorted() {
            let due = expected.filter { $0.1 == deletion }.map(\.0)
            _ = try await sweeper.sweep(now: deletion.addingTimeInterval(-60))
            for camera in due { #expect(try await stored(camera), "\(camera.name) was deleted before the time reported") }
            _ = try await sweeper.sweep(now: deletion.addingTimeInterval(60))
            for camera in due { #expect(try await !stored(camera), "\(camera.name) outlived the time reported") }
        }
        #expect(try await stored(cased), "the case keeps its footage")
    }

    @Test func holdWithACaseNumberSendsStoredFootageRequestsToOwners() async throws {
        let app = try await TestApp.make()
        let privateCamera = try await Self.camera(
            app, "Shop door", at: Self.offset(north: 30, east: 0), heading: 180, kind: .partner, sharing: .registered, partner: app.partner.id)
        let until = Date(), from = until.addingTimeInterval(-3600)
        let body: [String: Any] = ["lat": Self.point.latitude, "lon": Self.point.longitude, "from": from.ISO8601Format(), "until": until.ISO8601Format(),
                                   "reason": "robbery at the corner", "caseNumber": "26-7781"]
        var long = body
        long["from"] = until.addingTimeInterval(-13 * 3600).ISO8601Format()
        let (good, longBody) = (jsonBody(body), jsonBody(long))
        try await app.test { client async throws in
            let tooLong = try await client.execute(uri: "/api/v1/seen/hold", method: .post, headers: app.headers(.analyst, jsonHeaders), body: longBody)
            #expect(tooLong.status == .unprocessableContent && tooLong.text.contains("footage requests cover at most 12 hours"), "\(tooLong.text)")
            let response = try await client.execute(uri: "/api/v1/seen/hold", method: .post, headers: app.headers(.analyst, jsonHeaders), body: good)
            #expect(response.status == .created, "\(response.text)")
            let sent = try #require((try response.json() as? [String: Any])?["sentRequests"] as? [[String: Any]])
            #expect(sent.count == 1 && sent.first?["cameraID"] as? String == privateCamera.id.uuidString && sent.first?["status"] as? String == "pending")
        }
        let stored = try await app.services.store.footageRequests.list(cameraID: privateCamera.id)
        #expect(stored.map(\.caseNumber) == ["26-7781"])
        #expect(try await app.services.store.applications.mails(to: app.partner.email).contains { $0.body.contains("case 26-7781") })
    }

    @Test func holdPlacesHoldsOnRecordedFootageDraftsRequestsAndIsAudited() async throws {
        let app = try await TestApp.make()
        let recorded = try await Self.camera(app, "Recorded", at: Self.offset(north: -30, east: 0), heading: 0)
        let privateCamera = try await Self.camera(
            app, "Shop door", at: Self.offset(north: 30, east: 0), heading: 180, kind: .partner, sharing: .registered, partner: app.partner.id)
        let until = Date(), from = until.addingTimeInterval(-3600)
        let start = from.addingTimeInterval(600)
        try await app.services.store.segments.upsert(Self.segment(recorded.id, from: start, seconds: 120))
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/seen/hold", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["lat": Self.point.latitude, "lon": Self.point.longitude, "from": from.ISO8601Format(), "until": until.ISO8601Format(),
                                "reason": "case 26-7781 robbery"]))
            #expect(response.status == .created, "\(response.text)")
            let body = try #require(try response.json() as? [String: Any])
            let holds = try #require(body["holds"] as? [[String: Any]])
            #expect(holds.count == 1 && holds.first?["cameraID"] as? String == recorded.id.uuidString)
            let requests = try #require(body["footageRequests"] as? [[String: Any]])
            #expect(requests.count == 1 && requests.first?["cameraID"] as? String == privateCamera.id.uuidString)
            #expect(requests.first?["email"] as? String == app.partner.email)
            #expect((requests.first?["message"] as? String)?.contains("case 26-7781") == true)

            let after = try await client.execute(uri: Self.seenURI(from: from, until: until), method: .get, headers: app.headers(.officer))
            let ours = try #require(try Self.cameras(after).first { $0["cameraID"] as? String == recorded.id.uuidString })
            #expect(ours["held"] as? Bool == true && ours["retentionLeftSeconds"] == nil)
        }
        let held = try await app.services.store.holds.active(cameraID: recorded.id)
        #expect(held.map(\.reason) == ["case 26-7781 robbery"])
        #expect(Self.close(held.first?.from, start) && Self.close(held.first?.until, start + 120))
        #expect(try await app.services.store.holds.active(cameraID: privateCamera.id).isEmpty)
        #expect(try await app.services.audit.entries(action: "seen.hold").first?.purpose == "case 26-7781 robbery")
        #expect(try await app.services.audit.entries(action: "holds.place").first?.target == "camera:\(recorded.id)")
    }

    @Test(arguments: [
        ("lat=95&lon=-93.7&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z", "lat"),
        ("lat=32.5&lon=-193.7&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z", "lon"),
        ("lat=32.5&lon=-93.7&from=2026-11-01T12:00:00Z&until=2026-11-01T11:00:00Z", "until"),
        ("lat=32.5&lon=-93.7&from=2026-10-01T12:00:00Z&until=2026-11-20T11:00:00Z", "until"),
        ("lon=-93.7", "lat"),
        ("lat=north&lon=-93.7", "lat"),
    ])
    func badQuestionsAreRefusedNamingTheField(_ query: String, _ field: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(uri: "/api/v1/seen?\(query)", method: .get, headers: app.headers(.analyst))
            #expect((400...422).contains(Int(response.status.code)), "\(response.status)")
            let fields = (try response.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(fields.contains(field), "\(response.text)")
        }
        #expect(try await app.services.audit.entries(action: "seen.search").isEmpty)
    }

    @Test func badHoldRequestPlacesNothing() async throws {
        let app = try await TestApp.make()
        let recorded = try await Self.camera(app, "Recorded", at: Self.offset(north: -30, east: 0), heading: 0)
        let until = Date(), from = until.addingTimeInterval(-3600)
        try await app.services.store.segments.upsert(Self.segment(recorded.id, from: from.addingTimeInterval(60), seconds: 60))
        try await app.test { client async throws in
            for body: [String: Any] in [
                ["lat": 95.0, "lon": Self.point.longitude, "from": from.ISO8601Format(), "until": until.ISO8601Format(), "reason": "case 1"],
                ["lat": Self.point.latitude, "lon": Self.point.longitude, "from": until.ISO8601Format(), "until": from.ISO8601Format(), "reason": "case 1"],
                ["lat": Self.point.latitude, "lon": Self.point.longitude, "from": from.ISO8601Format(), "until": until.ISO8601Format(), "reason": "  "],
                ["lat": Self.point.latitude, "lon": Self.point.longitude, "from": from.ISO8601Format(), "until": until.ISO8601Format(), "reason": "x", "all": true],
            ] {
                let response = try await client.execute(uri: "/api/v1/seen/hold", method: .post, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(body))
                #expect((400...422).contains(Int(response.status.code)), "\(body): \(response.status) \(response.text)")
            }
        }
        #expect(try await app.services.store.holds.active(cameraID: recorded.id).isEmpty)
        #expect(try await app.services.audit.entries(action: "seen.hold").isEmpty)
    }

    @Test func aBuildingBetweenCameraAndPointHidesTheCamera() async throws {
        let app = try await TestApp.make()
        let blocked = try await Self.camera(app, "Behind the block", at: Self.offset(north: -60, east: 0), heading: 0)
        let until = Date(), from = until.addingTimeInterval(-3600)
        let corners = [Self.offset(north: -40, east: -10), Self.offset(north: -40, east: 10), Self.offset(north: -20, east: 10), Self.offset(north: -20, east: -10)]
        let ring = (corners + [corners[0]]).map { [$0.longitude, $0.latitude] }
        try await app.test { client async throws in
            let before = try await client.execute(uri: Self.seenURI(from: from, until: until), method: .get, headers: app.headers(.officer))
            #expect(try Self.cameras(before).compactMap { $0["cameraID"] as? String } == [blocked.id.uuidString])
            let put = try await client.execute(
                uri: "/api/v1/buildings", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["type": "FeatureCollection", "features": [["type": "Feature", "properties": [:], "geometry": ["type": "Polygon", "coordinates": [ring]]]]]))
            #expect(put.status == .ok, "\(put.text)")
            let after = try await client.execute(uri: Self.seenURI(from: from, until: until), method: .get, headers: app.headers(.officer))
            #expect(try Self.cameras(after).isEmpty)
            #expect((try after.json() as? [String: Any])?["buildings"] as? Int == 1)
        }
        #expect(try await app.services.audit.entries(action: "buildings.replace").count == 1)
    }
}
