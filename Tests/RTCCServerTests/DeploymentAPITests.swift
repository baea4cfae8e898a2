import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// A square event area `side` metres across with its south-west corner at `origin`, and points in it by metres.
private struct Square {
    static let origin = GeoPoint(latitude: 32.4750, longitude: -93.7950)
    static let side = 100.0
    static let metresPerDegreeLatitude = 111_320.0
    static var metresPerDegreeLongitude: Double { metresPerDegreeLatitude * cos(origin.latitude * .pi / 180) }

    static func point(east: Double, north: Double) -> GeoPoint {
        GeoPoint(latitude: origin.latitude + north / metresPerDegreeLatitude, longitude: origin.longitude + east / metresPerDegreeLongitude)
    }

    static var geoJSON: [String: Any] {
        let corners = [(0.0, 0.0), (side, 0), (side, side), (0, side), (0, 0)].map { point(east: $0.0, north: $0.1) }
        return ["type": "Polygon", "coordinates": [corners.map { [$0.longitude, $0.latitude] }]]
    }
}

@Suite struct DeploymentAPITests {
    func temporaryCamera(_ app: TestApp, _ name: String, at point: GeoPoint, heading: Double = 0, fov: Double = 360, range: Double = 30) async throws -> Camera {
        let placeholder = ActiveWindow(from: Date(timeIntervalSince1970: 0), until: Date(timeIntervalSince1970: 60))
        return try await app.services.store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: name, kind: .temporary, location: point, mountHeightM: 6, headingDeg: heading, fieldOfViewDeg: fov, rangeM: range,
                mainStreamURL: "rtsp://10.9.0.1/\(name.count)", sharing: .live, activeWindow: placeholder).validated(),
            sealedSecrets: nil))
    }

    func create(_ client: any TestClientProtocol, _ app: TestApp, from: Date, until: Date, name: String = "Riverfront concert") async throws -> [String: Any] {
        let response = try await client.execute(
            uri: "/api/v1/deployments", method: .post, headers: app.headers(.supervisor, jsonHeaders),
            body: jsonBody(["name": name, "polygon": Square.geoJSON, "startsAt": from.formatted(.iso8601), "endsAt": until.formatted(.iso8601)]))
        #expect(response.status == .created, "\(response.text)")
        return try #require(try response.json() as? [String: Any])
    }

    @Test func eventCamerasTakeTheEventWindowAndAreRecordedOnlyInsideIt() async throws {
        let app = try await TestApp.make()
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let trailer = try await temporaryCamera(app, "Trailer A", at: Square.point(east: 50, north: 50))
        let starts = now.addingTimeInterval(3600)
        let ends = now.addingTimeInterval(3 * 3600)
        let supervisor = RecorderSupervisor(
            services: app.services, settings: RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory), logger: Logger(label: "test"))
        try await app.test { client async throws in
            let event = try await create(client, app, from: starts, until: ends)
            let id = try #require(event["id"] as? String)
            #expect(event["phase"] as? String == "upcoming")
            let linked = try await client.execute(
                uri: "/api/v1/deployments/\(id)/cameras", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["cameraIDs": [trailer.id.uuidString]]))
            #expect(linked.status == .ok, "\(linked.text)")
            let window = try #require(try await app.services.store.cameras.find(id: trailer.id)?.activeWindow)
            #expect(window == ActiveWindow(from: starts, until: ends))
            #expect(try await supervisor.targets(now: now)[trailer.id] == nil)
            #expect(try await supervisor.targets(now: starts.addingTimeInterval(60))[trailer.id] != nil)
            #expect(try await supervisor.targets(now: ends.addingTimeInterval(60))[trailer.id] == nil)
            #expect(try await supervisor.nextWindowBoundary(after: now) == starts)

            // Moving the event moves its cameras' window with it.
            let moved = try await client.execute(
                uri: "/api/v1/deployments/\(id)", method: .patch, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["startsAt": now.addingTimeInterval(-60).formatted(.iso8601)]))
            #expect(moved.status == .ok, "\(moved.text)")
            #expect((try moved.json() as? [String: Any])?["phase"] as? String == "running")
            #expect(try await supervisor.targets(now: now)[trailer.id] != nil)

            // Only temporary cameras follow an event; unknown ones are named.
            let refused = try await client.execute(
                uri: "/api/v1/deployments/\(id)/cameras", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["cameraIDs": [app.cityCamera.id.uuidString, UUID().uuidString, "nope"]]))
            #expect(refused.status == .unprocessableContent)
            let fields = (try refused.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(fields == ["cameraIDs[0]", "cameraIDs[1]", "cameraIDs[2]"])
            #expect(try await app.services.store.deployments.find(id: UUID(uuidString: id)!)?.cameraIDs == [trailer.id])
            #expect(try await app.services.store.cameras.find(id: app.cityCamera.id)?.activeWindow == nil)

            // A camera still mounted for a running event cannot be taken by another.
            let other = try await create(client, app, from: now, until: now.addingTimeInterval(600), name: "Parade")
            let taken = try await client.execute(
                uri: "/api/v1/deployments/\(other["id"] as! String)/cameras", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["cameraIDs": [trailer.id.uuidString]]))
            #expect(taken.status == .unprocessableContent)
            #expect(taken.text.contains("Riverfront concert"))

            // Analysts read events but do not change them.
            #expect(try await client.execute(uri: "/api/v1/deployments", method: .get, headers: app.headers(.analyst)).text.contains("Parade"))
            #expect(try await client.execute(
                uri: "/api/v1/deployments/\(id)", method: .delete, headers: app.headers(.analyst)).status == .forbidden)
        }
        #expect(try await app.services.audit.entries(action: "deployments.cameras").count == 1)
    }

    @Test func badEventsAreRefusedWithEveryProblemNamedAndNothingStored() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let bowtie: [String: Any] = ["type": "Polygon", "coordinates": [[[-93.79, 32.47], [-93.78, 32.48], [-93.78, 32.47], [-93.79, 32.48], [-93.79, 32.47]]]]
            let bad = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["name": " ", "polygon": bowtie, "startsAt": "2026-10-20T12:00:00Z", "endsAt": "2026-10-20T11:00:00Z"]))
            #expect(bad.status == .unprocessableContent)
            let fields = Set((try bad.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? [])
            #expect(fields.isSuperset(of: ["polygon", "endsAt"]), "\(bad.text)")
            let tooLong = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["name": "Season", "polygon": Square.geoJSON, "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2026-12-01T00:00:00Z"]))
            #expect(tooLong.status == .unprocessableContent && tooLong.text.contains("92 days"))
            let outOfRange = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody([
                    "name": "Nowhere", "polygon": ["type": "Polygon", "coordinates": [[[-93.79, 95.0], [-93.78, 95.0], [-93.78, 32.47], [-93.79, 95.0]]]],
                    "startsAt": "2026-10-20T12:00:00Z", "endsAt": "2026-10-21T12:00:00Z",
                ]))
            #expect(outOfRange.status == .unprocessableContent)
            let unknown = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["name": "Fair", "venue": "fairgrounds"]))
            #expect(unknown.status == .badRequest && unknown.text.contains("venue"))
            let noVenue = try await client.execute(
                uri: "/api/v1/deployments", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["name": "Fair", "venueID": UUID().uuidString, "startsAt": "2026-10-20T12:00:00Z", "endsAt": "2026-10-21T12:00:00Z"]))
            #expect(noVenue.status == .unprocessableContent && noVenue.text.contains("no venue"))
            #expect(try await client.execute(
                uri: "/api/v1/deployments/\(UUID())/report", method: .get, headers: app.headers(.analyst)).status == .notFound)
        }
        #expect(try await app.services.store.deployments.all().isEmpty)
    }

    @Test func eventPlanPlacesCamerasInTheAreaCountingOnlyCamerasActiveInTheWindowAndRegistersThem() async throws {
        let app = try await TestApp.make()
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        // A trailer whose window is long over covers the whole square, but not during this event.
        let old = try await temporaryCamera(app, "Old trailer", at: Square.point(east: 50, north: 50), range: 200)
        try await app.test { client async throws in
            let event = try await create(client, app, from: now.addingTimeInterval(86_400), until: now.addingTimeInterval(2 * 86_400))
            let id = try #require(event["id"] as? String)
            let planned = try await client.execute(
                uri: "/api/v1/deployments/\(id)/plan", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["budget": 2, "camera": ["fovDeg": 90, "rangeM": 60], "candidateGrid": ["spacingM": 20], "cellM": 5]))
            #expect(planned.status == .ok, "\(planned.text)")
            let plan = try #require(try planned.json() as? [String: Any])
            let all = try await app.services.store.cameras.count()
            #expect(plan["existingCameras"] as? Int == all - 1, "the old trailer is not active during the event")
            let chosen = try #require(plan["chosen"] as? [[String: Any]])
            #expect(chosen.count == 2)
            for site in chosen {
                let latitude = try #require(site["latitude"] as? Double)
                let longitude = try #require(site["longitude"] as? Double)
                #expect(latitude >= Square.origin.latitude - 1e-6 && latitude <= Square.point(east: 0, north: Square.side).latitude + 1e-6)
                #expect(longitude >= Square.origin.longitude - 1e-6 && longitude <= Square.point(east: Square.side, north: 0).longitude + 1e-6)
            }
            #expect((plan["coveredPercent"] as? Double ?? 0) > 20)
            let withArea = try await client.execute(
                uri: "/api/v1/deployments/\(id)/plan", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["budget": 2, "venueID": UUID().uuidString]))
            #expect(withArea.status == .badRequest)

            // The plan's rows register the event's cameras, which take its window.
            let added = try await client.execute(
                uri: "/api/v1/deployments/\(id)/cameras", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["cameras": chosen.map { $0.filter { $0.key != "name" } }]))
            #expect(added.status == .created, "\(added.text)")
            let cameras = try #require((try added.json() as? [String: Any])?["cameras"] as? [[String: Any]])
            #expect(cameras.compactMap { $0["name"] as? String } == ["Riverfront concert camera 01", "Riverfront concert camera 02"])
            let stored = try await app.services.store.deployments.find(id: UUID(uuidString: id)!)
            for cameraID in stored?.cameraIDs ?? [] {
                let camera = try #require(try await app.services.store.cameras.find(id: cameraID))
                #expect(camera.kind == .temporary && camera.activeWindow == stored?.window)
            }
            let badSite = try await client.execute(
                uri: "/api/v1/deployments/\(id)/cameras", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["cameras": [["latitude": 120, "longitude": -93.7]]]))
            #expect(badSite.status == .unprocessableContent && badSite.text.contains("cameras[0].latitude"))
            #expect(try await app.services.store.deployments.find(id: UUID(uuidString: id)!)?.cameraIDs.count == 2)
        }
        _ = old
    }

    @Test func afterEventReportMeasuresRecordingCoverageIncidentsOutagesAndEvidence() async throws {
        let app = try await TestApp.make()
        let store = app.services.store
        let starts = Date(timeIntervalSince1970: 1_792_000_000)
        let ends = starts.addingTimeInterval(3600)
        // Event camera: a 360° view of radius 30 m at the centre, recording the first half hour only.
        let trailer = try await temporaryCamera(app, "Trailer centre", at: Square.point(east: 50, north: 50), range: 30)
        // A permanent camera at the south-west corner looking north-east (a 40 m quarter disc), never recording.
        let pole = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: "Fair gate pole", kind: .city, location: Square.point(east: 0, north: 0), mountHeightM: 6, headingDeg: 45, fieldOfViewDeg: 90,
                rangeM: 40, mainStreamURL: "rtsp://10.9.0.2/main").validated(),
            sealedSecrets: nil))
        try await store.segments.upsert(SegmentRecord(
            id: UUID(), cameraID: trailer.id, stream: "main", path: "/nonexistent/a.mp4", start: starts, end: starts.addingTimeInterval(1800), bytes: 1,
            frames: 1, gaps: [], codec: "avc1", sha256: nil))
        try await store.cameraEvents.record(CameraEvent(cameraID: trailer.id, at: starts.addingTimeInterval(1800), kind: "offline", reason: "no packets"))
        try await store.incidents.insert([
            Incident(id: UUID(), occurredAt: starts.addingTimeInterval(600), category: .assault, location: Square.point(east: 55, north: 50), summary: "in view, recorded", weaponRecovered: false),
            Incident(id: UUID(), occurredAt: starts.addingTimeInterval(900), category: .robbery, location: Square.point(east: 10, north: 10), summary: "pole saw it, no footage", weaponRecovered: false),
            Incident(id: UUID(), occurredAt: starts.addingTimeInterval(1200), category: .shooting, location: Square.point(east: 95, north: 5), summary: "in a gap", weaponRecovered: true),
            Incident(id: UUID(), occurredAt: starts.addingTimeInterval(1200), category: .shooting, location: Square.point(east: 300, north: 300), summary: "outside", weaponRecovered: false),
        ])
        try await store.holds.place(cameraID: trailer.id, from: starts.addingTimeInterval(500), until: starts.addingTimeInterval(700), reason: "case 26-1201", by: "analyst")
        let reportData: Data = try await app.test { client async throws in
            let event = try await create(client, app, from: starts, until: ends, name: "State Fair night")
            let id = try #require(event["id"] as? String)
            #expect(event["phase"] as? String == "ended")
            #expect(try await client.execute(
                uri: "/api/v1/deployments/\(id)/cameras", method: .put, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["cameraIDs": [trailer.id.uuidString]])).status == .ok)
            let coarse = try await client.execute(uri: "/api/v1/deployments/\(id)/report?resolutionM=0.1", method: .get, headers: app.headers(.analyst))
            #expect(coarse.status == .unprocessableContent)
            let response = try await client.execute(uri: "/api/v1/deployments/\(id)/report?resolutionM=1", method: .get, headers: app.headers(.analyst))
            #expect(response.status == .ok, "\(response.text)")
            return Data(response.body.readableBytesView)
        }
        let report = try #require(try JSONSerialization.jsonObject(with: reportData) as? [String: Any])
        // Areas computed by hand over the 100 m square: disc π·30² = 28.27 %, quarter disc π·40²/4 = 12.57 %.
        let disc = Double.pi * 900 / 10_000 * 100
        let quarter = Double.pi * 1600 / 4 / 10_000 * 100
        let coverage = try #require(report["coverage"] as? [String: Any])
        let any = { (key: String) -> Double in ((coverage[key] as? [String: Any])?["any"] as? Double) ?? -1 }
        #expect(abs(any("permanentOnly") - quarter) < 1.5, "\(coverage)")
        #expect(abs(any("planned") - (disc + quarter)) < 2)
        let achieved = try #require(coverage["achieved"] as? [String: Any])
        let achievedAny = try #require((achieved["coveredPercent"] as? [String: Double])?["any"])
        #expect(abs(achievedAny - disc / 2) < 1.5, "recording half the window gives half the disc on average: \(achieved)")
        #expect(achieved["lowestPercent"] as? Double == 0)
        let lines = try #require(report["cameras"] as? [[String: Any]])
        let trailerLine = try #require(lines.first { $0["name"] as? String == "Trailer centre" })
        #expect(trailerLine["uptimePercent"] as? Double == 50 && trailerLine["outages"] as? Int == 1 && trailerLine["eventCamera"] as? Bool == true)
        #expect(lines.first { $0["name"] as? String == "Fair gate pole" }?["uptimePercent"] as? Double == 0)
        #expect((report["eventCameras"] as? [String: Any])?["meanUptimePercent"] as? Double == 50)
        let incidents = try #require(report["incidents"] as? [String: Any])
        #expect(incidents["total"] as? Int == 3)
        #expect(incidents["verdicts"] as? [String: Int] == ["recorded": 1, "inViewNotRecorded": 1, "gap": 1])
        #expect(report["outages"] as? Int == 1)
        let evidence = try #require(report["evidence"] as? [String: Any])
        #expect(evidence["holds"] as? Int == 1 && evidence["holdReasons"] as? [String] == ["case 26-1201"])
        _ = pole
    }
}
