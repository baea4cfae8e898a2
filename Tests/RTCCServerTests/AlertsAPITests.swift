import Foundation
import Logging
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

/// Event intake (`/api/v1/events/*`), hot lists and the alert triage queue (`/api/v1/alerts`).
@Suite struct AlertsAPITests {
    /// A point the fixture's city camera sees (as in the role matrix's "who could see" call).
    static let seen = GeoPoint(latitude: 32.5116, longitude: -93.7487)

    /// The fixture without its alert: these tests count what they raise.
    static func emptyQueue(configure: (inout AppConfig) -> Void = { _ in }) async throws -> TestApp {
        let app = try await TestApp.make(configure: configure)
        try await app.services.store.sql.raw("DELETE FROM alert_history").run()
        try await app.services.store.sql.raw("DELETE FROM alerts").run()
        return app
    }

    /// An intake token of the admin with `events:write`.
    static func intakeToken(_ app: TestApp, name: String = "ShotSpotter feed", expiresAt: Date? = nil) async throws -> HTTPFields {
        let secret = try await app.services.store.tokens.issue(name: name, ownerID: app.users[.admin]!.id, scopes: [.eventsWrite], expiresAt: expiresAt).secret
        return [.authorization: "Bearer \(secret)", .contentType: "application/json"]
    }

    static func gunshot(id: String = "SST-1", at time: Date = Date(), point: GeoPoint = seen, rounds: Any = 4, confidence: Any = 0.93) -> ByteBuffer {
        jsonBody(["id": id, "time": time.ISO8601Format(), "latitude": point.latitude, "longitude": point.longitude, "rounds": rounds, "confidence": confidence])
    }

    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
    }

    static func object(_ response: TestResponse) throws -> [String: Any] { try #require(try response.json() as? [String: Any]) }

    static func fields(_ response: TestResponse) throws -> Set<String> {
        Set((try response.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? [])
    }

    @Test func gunshotRaisesAnAlertWithTheNearestCamerasBookmarkedAroundTheShot() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app)
        let time = Date().addingTimeInterval(-10)
        try await app.test { client async throws in
            let posted = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(at: time))
            #expect(posted.status == .created, "\(posted.text)")
            let alert = try #require(try Self.object(posted)["alert"] as? [String: Any])
            #expect(alert["kind"] as? String == "gunshot" && alert["severity"] as? String == "critical" && alert["status"] as? String == "open")
            #expect(alert["cameraID"] as? String == app.cityCamera.id.uuidString)
            let id = try #require(alert["id"] as? String)
            let detail = try Self.object(try await client.execute(uri: "/api/v1/alerts/\(id)", method: .get, headers: app.headers(.analyst)))
            let bookmarks = try #require(detail["bookmarks"] as? [[String: Any]])
            #expect(bookmarks.first?["cameraID"] as? String == app.cityCamera.id.uuidString)
            let from = try #require(Self.date(bookmarks.first?["from"]))
            let until = try #require(Self.date(bookmarks.first?["until"]))
            #expect(abs(from.timeIntervalSince(time) + 30) < 1 && abs(until.timeIntervalSince(time) - 30) < 1)
            #expect((detail["history"] as? [[String: Any]])?.first?["action"] as? String == "raised")
            let queue = try Self.object(try await client.execute(uri: "/api/v1/alerts?status=active", method: .get, headers: app.headers(.officer)))
            #expect((queue["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        }
        let row = try #require(try await app.services.store.sql.raw("SELECT kind, severity, status, title, camera_id FROM alerts").first())
        #expect(try row.decode(column: "kind", as: String.self) == "gunshot")
        #expect(try row.decode(column: "camera_id", as: UUID.self) == app.cityCamera.id)
        #expect(try await app.services.audit.entries(action: "events.receive").count == 1)
    }

    @Test func theSameEventSentTwiceIsStoredOnceAndAnsweredWithTheFirst() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app)
        try await app.test { client async throws in
            let first = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(id: "SST-77"))
            let again = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(id: "SST-77"))
            #expect(first.status == .created && again.status == .ok)
            let a = try Self.object(first), b = try Self.object(again)
            #expect((a["event"] as? [String: Any])?["id"] as? String == (b["event"] as? [String: Any])?["id"] as? String)
            #expect((a["alert"] as? [String: Any])?["id"] as? String == (b["alert"] as? [String: Any])?["id"] as? String)
            #expect(b["created"] as? Bool == false)
        }
        #expect(try await app.services.store.leadEvents.count() == 1)
        #expect(try await app.services.store.alerts.search(AlertQuery()).total == 1)
    }

    @Test func unknownExpiredAndRevokedTokensAreRefused() async throws {
        let app = try await Self.emptyQueue()
        let expired = try await Self.intakeToken(app, name: "old", expiresAt: Date().addingTimeInterval(-60))
        try await app.test { client async throws in
            for headers: HTTPFields in [[.authorization: "Bearer rtcc_nosuchtoken", .contentType: "application/json"], expired] {
                let response = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: headers, body: Self.gunshot())
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // An analyst may read alerts but is no intake feed.
            let analyst = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: app.headers(.analyst, jsonHeaders), body: Self.gunshot())
            #expect(analyst.status == .forbidden)
        }
    }

    @Test func wrongTypesAreAllNamedAtOnce() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app)
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/events/gunshots", method: .post, headers: token,
                body: jsonBody(["id": 12, "time": "yesterday", "latitude": "32.5", "longitude": -93.7, "rounds": "three", "confidence": 2]))
            #expect(response.status == .unprocessableContent)
            #expect(try Self.fields(response) == ["id", "time", "latitude", "rounds", "confidence"])
            let unknown = try await client.execute(
                uri: "/api/v1/events/tips", method: .post, headers: token, body: jsonBody(["id": "T1", "time": Date().ISO8601Format(), "text": "x", "colour": "red"]))
            #expect(unknown.status == .unprocessableContent)
            #expect(try Self.fields(unknown) == ["colour"])
        }
        #expect(try await app.services.store.leadEvents.count() == 0)
    }

    @Test(arguments: [
        (400.0, "time"), (-8 * 86_400.0, "time"),
    ])
    func eventsFromTheFutureOrTheFarPastAreRefused(_ offset: TimeInterval, _ field: String) async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app)
        try await app.test { client async throws in
            let response = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(at: Date().addingTimeInterval(offset)))
            #expect(response.status == .unprocessableContent)
            #expect(try Self.fields(response) == [field])
        }
    }

    @Test func pointsOutsideTheCityAreRefusedAndTheAreaIsConfigurable() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app)
        let paris = GeoPoint(latitude: 48.8566, longitude: 2.3522)
        try await app.test { client async throws in
            let response = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(point: paris))
            #expect(response.status == .unprocessableContent)
            #expect(try Self.fields(response) == ["latitude"])
            #expect(response.text.contains("outside the city"))
        }
        let elsewhere = try await Self.emptyQueue { $0.intakeArea = IntakeArea(south: 48.8, west: 2.2, north: 48.9, east: 2.5) }
        let other = try await Self.intakeToken(elsewhere)
        try await elsewhere.test { client async throws in
            #expect(try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: other, body: Self.gunshot(point: paris)).status == .created)
        }
    }

    @Test func anOversizeImageIsRefusedWith413() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app, name: "ALPR")
        let big = Data(repeating: 0xFF, count: 1_200_000).base64EncodedString()
        try await app.test { client async throws in
            let response = try await client.execute(
                uri: "/api/v1/events/plates", method: .post, headers: token,
                body: jsonBody(["id": "R1", "time": Date().ISO8601Format(), "plate": "ABC1234", "cameraID": app.cityCamera.id.uuidString, "image": big]))
            #expect(response.status == .contentTooLarge)
            #expect(try Self.fields(response) == ["image"])
            let small = try await client.execute(
                uri: "/api/v1/events/plates", method: .post, headers: token,
                body: jsonBody(["id": "R2", "time": Date().ISO8601Format(), "plate": "ABC1234", "cameraID": app.cityCamera.id.uuidString,
                                "image": Data(repeating: 0xD8, count: 2000).base64EncodedString()]))
            #expect(small.status == .created, "\(small.text)")
            let media = (try Self.object(small)["event"] as? [String: Any]).flatMap { $0["attributes"] as? [String: String] }?["media0"]
            #expect(media?.contains("2000 bytes") == true)
        }
    }

    @Test func aFloodFromOneTokenIsRefusedWith429AndRetryAfter() async throws {
        let app = try await Self.emptyQueue { $0.intakeEventsPerSecond = 2 }
        let token = try await Self.intakeToken(app)
        try await app.test { client async throws in
            // Twelve at once: the bucket holds two.
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, Int?).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let response = try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(id: "F\(index)"))
                        let status = response.status == .tooManyRequests ? (try? response.problem()["status"] as? Int) ?? nil : nil
                        return (response.status, response.headers[.retryAfter], status)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refused = answers.filter { $0.0 == .tooManyRequests }
            let accepted = answers.filter { $0.0 == .created }
            #expect(accepted.count >= 2 && !refused.isEmpty && accepted.count + refused.count == 12, "\(answers.map(\.0))")
            #expect(refused.allSatisfy { $0.1.flatMap(Int.init).map { $0 >= 1 } == true && $0.2 == 429 })
        }
        // Everything accepted was stored, nothing refused was.
        #expect(try await app.services.store.leadEvents.count() == (try await app.services.audit.entries(action: "events.receive").count))
        #expect(try await app.services.store.leadEvents.count() >= 2)
    }

    @Test func aPlateReadMatchesTheHotListWhateverItsSpacingAndCase() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app, name: "ALPR")
        let csv = "plate,state,reason,expires,note\nabc-1234,la,stolen vehicle,2099-12-31,2019 silver Camry\nXYZ 999,LA,amber_alert,2020-01-01,expired\n"
        try await app.test { client async throws in
            let imported = try await client.execute(
                uri: "/api/v1/hotlist/import", method: .post, headers: [.authorization: token[.authorization]!, .contentType: "text/csv"], body: ByteBuffer(string: csv))
            #expect(imported.status == .ok, "\(imported.text)")
            let bad = try await client.execute(
                uri: "/api/v1/hotlist/import", method: .post, headers: [.authorization: token[.authorization]!, .contentType: "text/csv"],
                body: ByteBuffer(string: "plate,state,reason\n!!,Louisiana,parking\n"))
            #expect(bad.status == .unprocessableContent)
            #expect(try Self.fields(bad) == ["line 2: plate", "line 2: state", "line 2: reason"])
            func read(_ id: String, _ plate: String) async throws -> [String: Any] {
                let response = try await client.execute(
                    uri: "/api/v1/events/plates", method: .post, headers: token,
                    body: jsonBody(["id": id, "time": Date().ISO8601Format(), "plate": plate, "state": "LA", "cameraID": app.cityCamera.id.uuidString, "confidence": 0.97]))
                #expect(response.status == .created, "\(response.text)")
                return try Self.object(response)
            }
            let hit = try await read("R1", " Abc 1234 ")
            let alert = try #require(hit["alert"] as? [String: Any])
            #expect(alert["kind"] as? String == "plate_hit" && alert["severity"] as? String == "high")
            #expect((alert["title"] as? String)?.contains("ABC1234") == true)
            #expect(alert["cameraID"] as? String == app.cityCamera.id.uuidString)
            #expect(try await read("R2", "XYZ-999")["alert"] == nil)
            #expect(try await read("R3", "QQQ111")["alert"] == nil)
        }
    }

    @Test func aCallForServiceTakesStatusUpdatesUnderTheSameCallID() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app, name: "CAD")
        @Sendable func call(_ status: String) -> ByteBuffer {
            jsonBody(["id": "C-26-1001", "time": Date().ISO8601Format(), "callType": "shots fired", "priority": 1, "address": "401 Texas St",
                      "latitude": Self.seen.latitude, "longitude": Self.seen.longitude, "status": status])
        }
        try await app.test { client async throws in
            let first = try await client.execute(uri: "/api/v1/events/calls", method: .post, headers: token, body: call("received"))
            #expect(first.status == .created)
            let id = try #require((try Self.object(first)["alert"] as? [String: Any])?["id"] as? String)
            let update = try await client.execute(uri: "/api/v1/events/calls", method: .post, headers: token, body: call("on_scene"))
            #expect(update.status == .ok)
            #expect((try Self.object(update)["event"] as? [String: Any])?["status"] as? String == "on_scene")
            let detail = try Self.object(try await client.execute(uri: "/api/v1/alerts/\(id)", method: .get, headers: app.headers(.analyst)))
            #expect(detail["severity"] as? String == "critical")
            let history = (detail["history"] as? [[String: Any]])?.map { "\($0["action"] ?? "") \($0["detail"] ?? "")" } ?? []
            #expect(history.last == "updated status received → on_scene")
            let wrong = try await client.execute(uri: "/api/v1/events/calls", method: .post, headers: token, body: call("lost"))
            #expect(wrong.status == .unprocessableContent)
        }
        #expect(try await app.services.store.alerts.search(AlertQuery()).total == 1)
    }

    @Test func triageRecordsTimeToAcknowledgeAssignmentDismissalNotesAndTheCaseLink() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app, name: "Tips portal")
        let caseID = try #require(app.evidence?.evidenceCase.id)
        try await app.test { client async throws in
            let posted = try await client.execute(
                uri: "/api/v1/events/tips", method: .post, headers: token,
                body: jsonBody(["id": "TIP-5", "time": Date().ISO8601Format(), "text": "Man with a gun behind the grocery", "latitude": Self.seen.latitude, "longitude": Self.seen.longitude]))
            let id = try #require((try Self.object(posted)["alert"] as? [String: Any])?["id"] as? String)
            func act(_ body: [String: Any], as role: Role = .analyst) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/alerts/\(id)/actions", method: .post, headers: app.headers(role, jsonHeaders), body: jsonBody(body))
            }
            let acknowledged = try await act(["action": "acknowledge"])
            #expect(acknowledged.status == .ok)
            let ack = try Self.object(acknowledged)
            #expect(ack["status"] as? String == "acknowledged" && ack["acknowledgedAt"] != nil && ack["secondsToAcknowledge"] as? Double != nil)
            #expect(try await act(["action": "assign", "assignee": "nobody"]).status == .unprocessableContent)
            #expect(try Self.object(try await act(["action": "assign", "assignee": "officer"]))["assignedTo"] as? String == "officer")
            #expect(try await act(["action": "escalate"]).status == .unprocessableContent)
            #expect(try await act(["action": "note", "text": "Called the caller back"]).status == .ok)
            #expect(try await act(["action": "link", "caseID": caseID.uuidString]).status == .ok)
            let dismissed = try Self.object(try await act(["action": "dismiss", "reason": "duplicate of CAD C-26-1001"], as: .supervisor))
            #expect(dismissed["status"] as? String == "dismissed" && dismissed["dismissReason"] as? String == "duplicate of CAD C-26-1001")
            #expect(try await act(["action": "acknowledge"]).status == .conflict)
            #expect(try await act(["action": "acknowledge"], as: .officer).status == .forbidden)
            let history = (dismissed["history"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(history == ["raised", "acknowledge", "assign", "note", "link", "dismiss"])
            let searched = try Self.object(try await client.execute(uri: "/api/v1/alerts?q=grocery&status=dismissed", method: .get, headers: app.headers(.auditor)))
            #expect(searched["total"] as? Int == 1)
            #expect(try Self.object(try await client.execute(uri: "/api/v1/alerts?status=active", method: .get, headers: app.headers(.analyst)))["total"] as? Int == 0)
        }
        let row = try #require(try await app.services.store.sql.raw("SELECT status, case_id, acknowledged_at FROM alerts").first())
        #expect(try row.decode(column: "status", as: String.self) == "dismissed")
        #expect(try row.decode(column: "case_id", as: UUID.self) == caseID)
        #expect(try row.decode(column: "acknowledged_at", as: Date?.self) != nil)
        #expect(try await app.services.store.cases.links(caseID: caseID).contains { $0.kind == .alert })
        #expect(try await app.services.audit.entries(action: "alerts.dismiss").first?.actor == "supervisor")
    }

    @Test func analystsSubscribedToTheHubReceiveEachNewAlert() async throws {
        let app = try await Self.emptyQueue()
        let token = try await Self.intakeToken(app)
        let (_, messages) = await app.services.alertHub.subscribe()
        try await app.test { client async throws in
            #expect(try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(id: "LIVE-1")).status == .created)
        }
        let message = try #require(await messages.next()?.first)
        let decoded = try JSONCoding.decoder.decode(AlertHub.Message.self, from: Data(message.utf8))
        #expect(decoded.change == "raised" && decoded.alert.kind == .gunshot && decoded.alert.bookmarks?.first?.cameraID == app.cityCamera.id)
    }

    @Test func aLiveDuringAlarmsCameraIsWatchedAndRecordedOnlyForTheMinutesAfterAnAlertThatConcernsIt() async throws {
        // The supervisor is asked directly; none runs in the background (it would dial the camera's address).
        let app = try await Self.emptyQueue { $0.recordingEnabled = false }
        let store = app.services.store
        let camera = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: "Bar patio", kind: .partner, partnerID: app.partner.id, location: GeoPoint(latitude: 32.5115, longitude: -93.7488),
                mainStreamURL: "rtsp://127.0.0.1:9/main", sharing: .alarmOnly).validated(),
            sealedSecrets: nil))
        let supervisor = RecorderSupervisor(
            services: app.services, settings: RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory), logger: Logger(label: "test"))
        #expect(try await supervisor.targets()[camera.id] == nil, "no alarm: not recorded")
        // A neighbour who withdrew sharing is not opened by alarms.
        let withdrawn = try await store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: "Bar door", kind: .partner, partnerID: app.partner.id, location: GeoPoint(latitude: 32.5115, longitude: -93.7488),
                mainStreamURL: "rtsp://127.0.0.1:9/door", sharing: .alarmOnly).validated(),
            sealedSecrets: nil))
        try await store.community.setSharing(cameraID: withdrawn.id, .revoked, by: "owner")
        // An outage of the camera itself is no alarm.
        try await LeadDesk(services: app.services).cameraOffline(camera.id, name: camera.name, lastFrameAt: nil)
        #expect(try await store.community.alarms().isEmpty)
        let token = try await Self.intakeToken(app)
        try await app.test { client async throws in
            // Outside an alarm live video is refused, saying why.
            try await client.execute(uri: "/api/v1/cameras/\(camera.id)/live", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .forbidden)
                #expect(response.text.contains("only during alarms"))
            }
            // A gunshot the camera can see opens it.
            #expect(try await client.execute(uri: "/api/v1/events/gunshots", method: .post, headers: token, body: Self.gunshot(id: "ALARM-1")).status == .created)
            // Now it is not refused; it is not streaming in this test, hence 409.
            try await client.execute(uri: "/api/v1/cameras/\(camera.id)/live", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .conflict, "\(response.text)")
            }
        }
        let until = try #require(try await store.community.alarms()[camera.id])
        #expect(abs(until.timeIntervalSinceNow - 600) < 10, "open for alarmShareMinutes (10) after the alert")
        #expect(try await store.community.alarms()[withdrawn.id] == nil, "the withdrawn camera stays closed")
        try await app.test { client async throws in
            try await client.execute(uri: "/api/v1/portal/cameras", method: .get, headers: app.headers(.partner)) { response in
                let owned = try response.json() as? [[String: Any]] ?? []
                let entry = owned.first { (($0["camera"] as? [String: Any])?["id"] as? String)?.lowercased() == camera.id.uuidString.lowercased() }
                #expect(entry?["alarmUntil"] is String, "the owner's portal shows that an alarm shares the camera now")
                #expect(owned.filter { $0["alarmUntil"] != nil }.count == 1, "and only that camera")
            }
        }
        #expect(try await supervisor.targets()[camera.id] != nil, "recorded during the alarm")
        let boundary = try #require(try await supervisor.nextWindowBoundary(after: Date()))
        #expect(abs(boundary.timeIntervalSince(until)) < 0.01, "the recorder wakes when the alarm ends")
        #expect(try await supervisor.targets(now: until.addingTimeInterval(1))[camera.id] == nil, "not recorded after it")
        // A second alert extends the alarm without a second opening in the owner's access log.
        try await LeadDesk(services: app.services).raise(
            Alert(kind: .motion, severity: .medium, title: "Motion in Bar patio", raisedAt: Date().addingTimeInterval(30), cameraID: camera.id),
            bookmarks: [], by: "system")
        #expect(try await store.community.alarms()[camera.id].map { $0 > until } == true)
        let log = try await store.community.accessLog(cameraIDs: [camera.id])
        #expect(log.filter { $0.action == "sharing.alarm_open" }.count == 1)
        #expect(log.first { $0.action == "sharing.alarm_open" }?.detail.contains("Gunshot detected") == true)
    }

    @Test func alertsRaisedWhileAnAnalystsSocketIsBusyGoOutTogetherInOneBatchMessage() async throws {
        let hub = AlertHub()
        let (id, mailbox) = await hub.subscribe()
        let alerts = (1...3).map { Alert(kind: .tip, severity: .low, title: "Tip \($0)", raisedAt: Date()) }
        for alert in alerts { await hub.publish(alert, change: "raised") }
        let waiting = try #require(await mailbox.next())
        #expect(waiting.count == 3, "everything that waited is taken at once")
        struct Batch: Decodable {
            var type: String
            var messages: [AlertHub.Message]
        }
        let batch = try JSONCoding.decoder.decode(Batch.self, from: Data(AlertHub.batchText(waiting).utf8))
        #expect(batch.type == "batch" && batch.messages.map(\.alert.title) == ["Tip 1", "Tip 2", "Tip 3"] && batch.messages.allSatisfy { $0.change == "raised" })
        // A single waiting alert is sent as itself.
        await hub.publish(alerts[0], change: "updated")
        let single = try #require(await mailbox.next())
        let message = try JSONCoding.decoder.decode(AlertHub.Message.self, from: Data(AlertHub.batchText(single).utf8))
        #expect(message.type == "alert" && message.change == "updated" && message.alert.id == alerts[0].id)
        // The hand-built message is exactly what encoding the message would give.
        let encoded = String(decoding: try JSONCoding.encoder.encode(AlertHub.Message(change: "updated", alert: alerts[0])), as: UTF8.self)
        #expect(AlertHub.batchText(single) == encoded)
        await hub.unsubscribe(id)
        #expect(await mailbox.next() == nil, "an ended subscription ends the writer")
    }

    @Test func aCameraOutageRaisesOneAlertThatClosesWhenVideoReturns() async throws {
        let app = try await Self.emptyQueue()
        let desk = LeadDesk(services: app.services)
        let camera = app.cityCamera
        try await desk.cameraOffline(camera.id, name: camera.name, lastFrameAt: Date().addingTimeInterval(-12))
        try await desk.cameraOffline(camera.id, name: camera.name, lastFrameAt: Date().addingTimeInterval(-12))
        var query = AlertQuery()
        query.kind = .cameraOffline
        query.statuses = [.open]
        #expect(try await app.services.store.alerts.search(query).total == 1)
        // The outage lasted from the last picture, 12 s before the alert was raised, not from the alert.
        let lastPicture = Date().addingTimeInterval(-42)
        try await desk.cameraOnline(camera.id, at: lastPicture.addingTimeInterval(31), downSince: lastPicture)
        #expect(try await app.services.store.alerts.search(query).total == 0)
        let outage = try #require(try await app.services.store.alerts.search(AlertQuery()).items.first)
        #expect(outage.status == .closed && outage.cameraID == camera.id && outage.title == "Camera offline: \(camera.name)")
        #expect(outage.detail.hasSuffix("after 31 s"), "\(outage.detail)")
    }

    @Test func aCameraThatCannotBeRecordedRaisesOneHighAlertClosedWithWhatWasLostWhenRecordingResumes() async throws {
        let app = try await Self.emptyQueue()
        let desk = LeadDesk(services: app.services)
        let camera = app.cityCamera
        let failed = Date().addingTimeInterval(-95)
        try await desk.recordingFailed(camera.id, name: camera.name, reason: "cannot write recordings: No space left on device", now: failed)
        try await desk.recordingFailed(camera.id, name: camera.name, reason: "cannot write recordings: No space left on device")
        var query = AlertQuery()
        query.kind = .recordingFailed
        query.statuses = [.open]
        let open = try await app.services.store.alerts.search(query)
        #expect(open.total == 1 && open.items.first?.severity == .high && open.items.first?.title == "Not recording: \(camera.name)")
        try await desk.recordingResumed(camera.id, at: failed.addingTimeInterval(90), framesLost: 2250)
        #expect(try await app.services.store.alerts.search(query).total == 0)
        query.statuses = []
        let closed = try #require(try await app.services.store.alerts.search(query).items.first)
        #expect(closed.status == .closed && closed.detail.hasSuffix("after 90 s, 2250 frames not recorded"), "\(closed.detail)")
    }

    @Test func aCameraClockHoursOffRaisesOneLowAlertSayingHowFarAndWhatToDo() async throws {
        let app = try await Self.emptyQueue()
        let desk = LeadDesk(services: app.services)
        let camera = app.cityCamera
        try await desk.cameraClockOff(camera.id, name: camera.name, offset: 3 * 3600 + 125)
        try await desk.cameraClockOff(camera.id, name: camera.name, offset: 3 * 3600 + 126)
        var query = AlertQuery()
        query.kind = .cameraClock
        let found = try await app.services.store.alerts.search(query)
        #expect(found.total == 1)
        let alert = try #require(found.items.first)
        #expect(alert.severity == .low && alert.cameraID == camera.id && alert.title == "Camera clock off: \(camera.name)")
        #expect(alert.detail.hasPrefix("the camera's clock is 3 h 2 min ahead of the server's"), "\(alert.detail)")
        #expect(alert.bookmarks?.isEmpty ?? true, "an alert about the camera itself bookmarks no footage")
    }
}
