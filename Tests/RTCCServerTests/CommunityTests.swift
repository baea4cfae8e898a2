import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RTCCCore
import RTCCMedia
@testable import RTCCServer
import RTCCStore
import Testing

/// The community camera program: sign-up, verification, approval, the owner portal, revocation, footage requests,
/// retention by owner policy and the public transparency report.
@Suite struct CommunityTests {
    static func signUpBody(name: String, email: String, latitude: Double = 32.514, longitude: Double = -93.746) -> ByteBuffer {
        jsonBody([
            "kind": "homeowner", "name": name, "contactName": "Pat Lee", "email": email, "address": "1908 Murphy St",
            "termsVersion": CommunityTerms.currentVersion, "acceptTerms": true, "retentionDays": 14,
            "cameras": [["label": "Porch", "location": ["latitude": latitude, "longitude": longitude], "headingDeg": 180, "sharing": "live"],
                        ["label": "Driveway", "location": ["latitude": latitude + 0.0001, "longitude": longitude], "sharing": "on_request"]],
        ])
    }

    /// The token in the newest mail to `to` after `marker` (`verify=` or `activate=`).
    static func token(in app: TestApp, to: String, marker: String) async throws -> String {
        let mails = try await app.services.store.applications.mails(to: to)
        let body = try #require(mails.first { $0.body.contains(marker) }?.body)
        let start = try #require(body.range(of: marker)).upperBound
        return String(body[start...].prefix { !$0.isWhitespace })
    }

    @Test func signUpIsVerifiedByMailApprovedByStaffAndActivatedByTheOwner() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            var id = ""
            try await client.execute(uri: "/api/v1/community/applications", method: .post, headers: jsonHeaders,
                                     body: Self.signUpBody(name: "Lee household", email: "pat@example.org")) { response in
                #expect(response.status == .accepted, "\(response.text)")
                let json = try response.json() as? [String: Any]
                #expect(json?["status"] as? String == "unverified")
                #expect(!response.text.contains("rtccv_"), "the token goes only by mail")
                id = json?["id"] as? String ?? ""
            }
            // Staff cannot approve before the address is verified.
            try await client.execute(uri: "/api/v1/community/applications/\(id)/approve", method: .post, headers: app.headers(.supervisor)) { response in
                #expect(response.status == .conflict)
                let detail = try response.problem()["detail"] as? String
                #expect(detail == "this sign-up's e-mail address is not verified yet; it can be reviewed once the applicant confirms it")
            }
            let verify = try await Self.token(in: app, to: "pat@example.org", marker: "verify=")
            try await client.execute(uri: "/api/v1/community/verify", method: .post, headers: jsonHeaders, body: jsonBody(["token": verify])) { response in
                #expect(response.status == .ok, "\(response.text)")
                let body = try response.json() as? [String: Any]
                #expect(body?["status"] as? String == "pending")
            }
            // A link works once.
            try await client.execute(uri: "/api/v1/community/verify", method: .post, headers: jsonHeaders, body: jsonBody(["token": verify])) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/community/verify", method: .post, headers: jsonHeaders, body: jsonBody(["token": "rtccv_nope"])) { response in
                #expect(response.status == .notFound)
            }
            var username = ""
            try await client.execute(uri: "/api/v1/community/applications/\(id)/approve", method: .post, headers: app.headers(.supervisor)) { response in
                #expect(response.status == .ok, "\(response.text)")
                let json = try response.json() as? [String: Any]
                username = json?["username"] as? String ?? ""
                let cameras = json?["cameras"] as? [[String: Any]] ?? []
                #expect(cameras.count == 2)
                #expect(cameras.allSatisfy { $0["kind"] as? String == "partner" && $0["retentionDays"] as? Int == 14 })
                let partner = json?["partner"] as? [String: Any]
                #expect(partner?["status"] as? String == "active")
                #expect((partner?["consent"] as? [String: Any])?["termsVersion"] as? String == CommunityTerms.currentVersion)
            }
            try await client.execute(uri: "/api/v1/community/applications/\(id)/approve", method: .post, headers: app.headers(.supervisor)) { response in
                #expect(response.status == .conflict, "approving twice makes nothing twice")
            }
            #expect(try await app.services.store.cameras.search(CameraQuery(text: "Lee household")).total == 2)
            let activate = try await Self.token(in: app, to: "pat@example.org", marker: "activate=")
            try await client.execute(uri: "/api/v1/community/activate", method: .post, headers: jsonHeaders,
                                     body: jsonBody(["token": activate, "password": "short"])) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/community/activate", method: .post, headers: jsonHeaders,
                                     body: jsonBody(["token": activate, "password": "porch light at night"])) { response in
                #expect(response.status == .ok, "\(response.text)")
            }
            try await client.execute(uri: "/api/v1/community/activate", method: .post, headers: jsonHeaders,
                                     body: jsonBody(["token": activate, "password": "another long password"])) { response in
                #expect(response.status == .conflict)
            }
            var cookie = ""
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: jsonHeaders,
                                     body: jsonBody(["username": username, "password": "porch light at night"])) { response in
                #expect(response.status == .ok, "\(response.text)")
                cookie = response.headers[.setCookie]?.split(separator: ";").first.map(String.init) ?? ""
            }
            try await client.execute(uri: "/api/v1/portal/cameras", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                let cameras = try response.json() as? [[String: Any]] ?? []
                #expect(cameras.count == 2)
                #expect(cameras.allSatisfy { $0["retentionDays"] as? Int == 14 && $0["state"] as? String == "active" })
            }
        }
    }

    @Test func expiredVerificationLinksAreRefusedWithGone() async throws {
        let app = try await TestApp.make()
        let (_, token) = try await app.services.store.applications.submit(
            CommunityFixture.signUp(name: "Late Shop"), source: "test", verifyFor: -1)
        try await app.test { client in
            try await client.execute(uri: "/api/v1/community/verify", method: .post, headers: jsonHeaders, body: jsonBody(["token": token])) { response in
                #expect(response.status == .gone)
                let detail = try response.problem()["detail"] as? String
                #expect(detail == ApplicationTokenError.expired.description)
            }
        }
    }

    @Test func signUpsAreRateLimitedPerAddress() async throws {
        let app = try await TestApp.make { $0.signUpsPerHour = 2 }
        try await app.test { client in
            for index in 0..<3 {
                try await client.execute(uri: "/api/v1/community/applications", method: .post, headers: jsonHeaders,
                                         body: Self.signUpBody(name: "Spam \(index)", email: "spam\(index)@example.org")) { response in
                    if index < 2 {
                        #expect(response.status == .accepted)
                    } else {
                        #expect(response.status == .tooManyRequests)
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                    }
                }
            }
        }
        #expect(try await app.services.store.applications.list(status: .unverified).items.filter { $0.draft.name.hasPrefix("Spam") }.count == 2)
    }

    @Test func invalidSignUpsReportEveryFieldAndStoreNothing() async throws {
        let app = try await TestApp.make()
        let before = try await app.services.store.applications.list().total
        try await app.test { client in
            let body = jsonBody([
                "kind": "business", "name": "", "contactName": "X", "email": "not-an-address", "address": "Main Street",
                "termsVersion": "2020-01", "acceptTerms": false, "retentionDays": 90,
                "cameras": [["label": "Door", "location": ["latitude": 0, "longitude": 0], "sharing": "live"],
                            ["label": "Yard", "location": ["latitude": 95, "longitude": -93.7], "headingDeg": 400, "sharing": "live"]],
            ])
            try await client.execute(uri: "/api/v1/community/applications", method: .post, headers: jsonHeaders, body: body) { response in
                #expect(response.status == .unprocessableContent)
                let fields = Set(((try response.problem()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                #expect(fields.isSuperset(of: [
                    "name", "email", "address", "termsVersion", "acceptTerms", "retentionDays", "cameras[0].location", "cameras[1].location.latitude",
                    "cameras[1].headingDeg",
                ]), "\(fields.sorted())")
            }
            try await client.execute(uri: "/api/v1/community/applications", method: .post, headers: jsonHeaders,
                                     body: jsonBody(["kind": "business", "surprise": 1])) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(try await app.services.store.applications.list().total == before)
    }

    @Test func aPartnerSeesOnlyItsOwnCamerasRequestsAndAccessLog() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            // The analyst views the partner's camera and the city camera; only the former is in the partner's log.
            for camera in [app.partnerCamera, app.cityCamera] {
                try await client.execute(uri: "/api/v1/cameras/\(camera.id)", method: .get, headers: app.headers(.analyst)) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/portal/access-log", method: .get, headers: app.headers(.partner)) { response in
                #expect(response.status == .ok)
                let entries = try response.json() as? [[String: Any]] ?? []
                let targets = entries.compactMap { $0["target"] as? String }
                #expect(targets.contains("camera:\(app.partnerCamera.id)"))
                #expect(!targets.contains { $0.contains(app.cityCamera.id.uuidString) || $0.contains(app.cityCamera.id.uuidString.lowercased()) })
                #expect(entries.contains { $0["action"] as? String == "cameras.view" && $0["actor"] as? String == "analyst" })
            }
            try await client.execute(uri: "/api/v1/portal/access-log?cameraID=\(app.cityCamera.id)", method: .get, headers: app.headers(.partner)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/portal/cameras", method: .get, headers: app.headers(.partner)) { response in
                let ids = (try response.json() as? [[String: Any]] ?? []).compactMap { ($0["camera"] as? [String: Any])?["id"] as? String }
                #expect(ids == [app.partnerCamera.id.uuidString])
            }
            try await client.execute(uri: "/api/v1/portal/cameras/\(app.cityCamera.id)", method: .patch, headers: app.headers(.partner, jsonHeaders),
                                     body: jsonBody(["state": "revoked"])) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/cameras/\(app.cityCamera.id)/mask", method: .put, headers: app.headers(.partner, jsonHeaders),
                                     body: jsonBody(["polygons": []])) { #expect($0.status == .notFound) }
        }
        // Another partner's request is invisible to this partner.
        let other = try await app.services.store.cameras.create(CameraRecord(
            camera: try CameraDraft(name: "Other door", kind: .partner, partnerID: app.emptyPartner.id, location: GeoPoint(latitude: 32.52, longitude: -93.74))
                .validated(), sealedSecrets: nil))
        let foreign = try await app.services.store.footageRequests.create(
            FootageRequestInput(cameraID: other.id, caseNumber: "26-1", reason: "a theft", from: Date().addingTimeInterval(-600), until: Date()),
            partnerID: app.emptyPartner.id, caseID: nil, by: "analyst")
        try await app.test { client in
            try await client.execute(uri: "/api/v1/footage-requests/\(foreign.id)", method: .get, headers: app.headers(.partner)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/footage-requests", method: .get, headers: app.headers(.partner)) { response in
                let ids = (try response.json() as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(!ids.contains(foreign.id.uuidString))
                #expect(ids.count == 3)
            }
            try await client.execute(uri: "/api/v1/footage-requests/\(foreign.id)/decision", method: .post, headers: app.headers(.partner, jsonHeaders),
                                     body: jsonBody(["approve": true])) { #expect($0.status == .notFound) }
        }
    }

    @Test func revokingSharingRefusesLiveVideoEndsViewersAndStopsIngestAtOnce() async throws {
        let app = try await TestApp.make()
        let camera = try await app.services.store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: "Porch live", kind: .partner, partnerID: app.partner.id, location: GeoPoint(latitude: 32.512, longitude: -93.748),
                mainStreamURL: "rtsp://10.0.0.9/main", sharing: .live).validated(),
            sealedSecrets: nil))
        let supervisor = RecorderSupervisor(
            services: app.services, settings: RecorderSupervisor.Settings(root: FileManager.default.temporaryDirectory), logger: Logger(label: "test"))
        #expect(try await supervisor.targets()[camera.id] != nil)
        // Analytics watch it too (decoding its stream), until the revocation.
        let analytics = AnalyticsService(services: app.services, logger: Logger(label: "test"))
        try await app.services.store.analytics.save(cameraID: camera.id, settings: String(decoding: try JSONSerialization.data(withJSONObject: [
            "enabled": true, "fps": 2, "width": 160, "cooldownSeconds": 60,
            "motion": ["zones": [["name": "all", "polygon": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 1]]]], "sensitivity": 50, "minimumArea": 0.01],
            "schedule": ["startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "UTC"],
        ]), as: UTF8.self), by: "supervisor")
        #expect(try await analytics.targets()[camera.id] != nil)
        // A recorder is registered for the camera (not connected), and a viewer watches its live channel.
        let recorder = CameraRecorder(
            configuration: .init(url: "rtsp://10.0.0.9/main", segments: .init(root: FileManager.default.temporaryDirectory, cameraID: camera.id)),
            index: DatabaseRecordingIndex(store: app.services.store))
        await app.services.recorders.started(camera.id, recorder)
        let channel = try #require(await app.services.live.channel(for: camera.id))
        let messages = await channel.subscribe()
        let viewer = Task {
            for await _ in messages {}
            return ContinuousClock.now
        }
        // The supervisor waits for its next re-read; the owner's change must wake it, not leave it to its 15 s period.
        // Counted rather than waited for: a waiter that starts late on a busy machine would miss a signal the app's own
        // supervisor had already taken.
        let signalsBefore = await app.services.registryChanges.signalCount
        let revokedAt = ContinuousClock.now
        try await app.test { client in
            try await client.execute(uri: "/api/v1/portal/cameras/\(camera.id)", method: .patch, headers: app.headers(.partner, jsonHeaders),
                                     body: jsonBody(["state": "revoked"])) { response in
                #expect(response.status == .ok, "\(response.text)")
                let body = try response.json() as? [String: Any]
                #expect(body?["state"] as? String == "revoked")
            }
            try await client.execute(uri: "/api/v1/cameras/\(camera.id)/hls/index.m3u8", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .forbidden)
                let detail = try response.problem()["detail"] as? String
                #expect(detail == "the owner of camera \"Porch live\" has withdrawn sharing; no live video is available")
            }
            // Staff see why, not a stale "streaming".
            try await client.execute(uri: "/api/v1/cameras/\(camera.id)/health", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .ok)
                let health = try response.json() as? [String: Any]
                #expect(health?["state"] as? String == "not_recorded")
                #expect(health?["reason"] as? String == "withdrawn by its owner: consent to share was revoked")
            }
            // Nor a still picture: the snapshot is refused with the same reason, not served from the last keyframe.
            try await client.execute(uri: "/api/v1/cameras/\(camera.id)/snapshot.jpg", method: .get, headers: app.headers(.analyst)) { response in
                #expect(response.status == .forbidden)
                let detail = try response.problem()["detail"] as? String
                #expect(detail == "the owner of camera \"Porch live\" has withdrawn sharing; no live video is available")
            }
        }
        #expect(await viewer.value - revokedAt < .seconds(5), "the open live view ended")
        #expect(await app.services.registryChanges.wait(after: signalsBefore, upTo: .seconds(15)) > signalsBefore,
                "the revocation wakes whoever re-reads the registry at once")
        #expect(try await supervisor.targets()[camera.id] == nil, "a revoked camera is not recorded")
        #expect(try await analytics.targets()[camera.id] == nil, "nor decoded for analytics")
        let log = try await app.services.store.community.accessLog(cameraIDs: [camera.id])
        #expect(log.contains { $0.action == "portal.sharing" && $0.detail == "state revoked" })
        try await app.test { client in
            try await client.execute(uri: "/api/v1/footage-requests", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                     body: jsonBody(["cameraID": camera.id.uuidString, "caseNumber": "26-5", "reason": "burglary",
                                                     "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"])) { response in
                #expect(response.status == .conflict, "no requests to an owner who withdrew consent")
            }
        }
    }

    /// Waits here end by a signal long before their 60 s timeouts; the bounds are loose because the parallel suite
    /// keeps this machine's two cores busy (a wake-up can take a second or two to be scheduled).
    @Test func aSecondWaiterOnTheRegistryWakeupNeverTakesTheSignalTheFirstWaitsFor() async throws {
        let wakeup = RegistryWakeup()
        let seen = await wakeup.signalCount
        let listener = Task { await wakeup.wait(after: seen, upTo: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        await wakeup.signal()
        #expect(await listener.value == seen + 1)
        #expect(ContinuousClock.now - start < .seconds(20), "woken by the signal, not the 60 s timeout")
        // The recorder was busy when the signal came: its next wait still returns at once.
        let recorder = ContinuousClock.now
        await wakeup.wait(upTo: .seconds(60))
        #expect(ContinuousClock.now - recorder < .seconds(20), "the recorder's pending signal was not taken by the listener")
        // A listener that has seen every signal waits for the next.
        let quiet = ContinuousClock.now
        #expect(await wakeup.wait(after: seen + 1, upTo: .milliseconds(300)) == seen + 1)
        #expect(ContinuousClock.now - quiet >= .milliseconds(300))
    }

    @Test func theRegistryWakeupRemembersASignalThatCameWhileNobodyWaited() async throws {
        let wakeup = RegistryWakeup()
        await wakeup.signal()
        let start = ContinuousClock.now
        await wakeup.wait(upTo: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(20), "the remembered signal, not the 60 s timeout")
        let second = ContinuousClock.now
        await wakeup.wait(upTo: .milliseconds(300))
        #expect(ContinuousClock.now - second >= .milliseconds(300), "one signal wakes one wait")
    }

    @Test func footageRequestIsAnsweredWithARealClipEnteredIntoCustody() async throws {
        let app = try await TestApp.make { $0.footageUploadMaxBytes = 400_000 }
        let evidenceCase = try #require(app.evidence?.evidenceCase)
        try await app.test { client in
            try await client.execute(uri: "/api/v1/footage-requests", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                     body: jsonBody(["cameraID": app.partnerCamera.id.uuidString, "caseNumber": evidenceCase.number, "reason": "x",
                                                     "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T23:00:00Z"])) { response in
                #expect(response.status == .unprocessableContent)
                let fields = Set(((try response.problem()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["reason", "until"])
            }
            var id = ""
            try await client.execute(uri: "/api/v1/footage-requests", method: .post, headers: app.headers(.analyst, jsonHeaders),
                                     body: jsonBody(["cameraID": app.partnerCamera.id.uuidString, "caseNumber": evidenceCase.number, "reason": "shooting on Texas St",
                                                     "from": "2026-11-01T10:00:00Z", "until": "2026-11-01T11:00:00Z"])) { response in
                #expect(response.status == .created, "\(response.text)")
                let json = try response.json() as? [String: Any]
                #expect(json?["status"] as? String == "pending")
                #expect(json?["caseID"] as? String == evidenceCase.id.uuidString)
                id = json?["id"] as? String ?? ""
            }
            #expect(try await app.services.store.applications.mails(to: app.partner.email).contains { $0.subject.hasPrefix("Footage request") })
            try await client.execute(uri: "/api/v1/footage-requests/\(id)/clip", method: .put, headers: app.headers(.partner),
                                     body: ByteBuffer(bytes: try Data(contentsOf: CommunityFixture.videoFile))) { response in
                #expect(response.status == .conflict, "approve first")
            }
            try await client.execute(uri: "/api/v1/footage-requests/\(id)/decision", method: .post, headers: app.headers(.partner, jsonHeaders),
                                     body: jsonBody(["approve": true])) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/footage-requests/\(id)/decision", method: .post, headers: app.headers(.partner, jsonHeaders),
                                     body: jsonBody(["approve": false])) { #expect($0.status == .conflict, "answered once") }
            try await client.execute(uri: "/api/v1/footage-requests/\(id)/clip", method: .put, headers: app.headers(.partner),
                                     body: ByteBuffer(string: String(repeating: "not a video ", count: 2000))) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/v1/footage-requests/\(id)/clip", method: .put, headers: app.headers(.partner),
                                     body: ByteBuffer(bytes: [UInt8](repeating: 0, count: 500_000))) { response in
                #expect(response.status == .contentTooLarge)
            }
            #expect(try await app.services.store.footageRequests.find(id: UUID(uuidString: id)!)?.status == .approved, "nothing half-stored")
            try await client.execute(uri: "/api/v1/footage-requests/\(id)/clip", method: .put, headers: app.headers(.partner),
                                     body: ByteBuffer(bytes: try Data(contentsOf: CommunityFixture.videoFile))) { response in
                #expect(response.status == .ok, "\(response.text)")
                let json = try response.json() as? [String: Any]
                #expect(json?["status"] as? String == "fulfilled")
                #expect(json?["clipSHA256"] as? String == (try? FileDigestForTests.sha256(CommunityFixture.videoFile)))
            }
            try await client.execute(uri: "/api/v1/footage-requests/\(id)", method: .get, headers: app.headers(.analyst)) { response in
                let body = try response.json() as? [String: Any]
                #expect(body?["status"] as? String == "fulfilled")
            }
        }
        let trail = try await app.services.store.custodyTrail(caseID: evidenceCase.id)
        #expect(trail.contains { $0.action == "custody.footage_received" && $0.detail.contains("sha256 ") })
        // The case's custody report also carries what the owner did with the request: the approval and the upload.
        let linked = try #require(try await app.services.store.cases.find(id: evidenceCase.id))
        #expect(linked.links.contains { $0.kind == .footageRequest }, "the request is linked to its case")
        let report = try await CustodyReport.gather(linked, services: app.services, by: "test")
        let actions = report.trail.map(\.action)
        for action in ["footage.request", "footage.approve", "footage.upload", "custody.footage_received"] {
            #expect(actions.contains(action), "\(action) in \(actions)")
        }
        #expect(report.trail.contains { $0.action == "footage.approve" && $0.actor.contains("partner") }, "by the owner")
        #expect(actions.filter { $0 == "footage.upload" }.count == 1, "the refused uploads left no entry: \(actions)")
    }

    @Test func unansweredRequestsExpire() async throws {
        let app = try await TestApp.make()
        let store = app.services.store.footageRequests
        let request = try await store.create(
            FootageRequestInput(cameraID: app.partnerCamera.id, caseNumber: "26-9", reason: "a theft", from: Date().addingTimeInterval(-600), until: Date(),
                                expiresInHours: 1),
            partnerID: app.partner.id, caseID: nil, by: "analyst")
        #expect(try await store.find(id: request.id)?.status == .pending)
        #expect(try await store.find(id: request.id, now: Date().addingTimeInterval(3700))?.status == .expired)
        #expect(try await store.transition(id: request.id, from: [.pending], to: .approved) == false)
    }

    @Test func retentionDeletesExactlyWhatTheOwnersPolicySaysAndLogsIt() async throws {
        let app = try await TestApp.make()
        let store = app.services.store
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-community-retention-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        // The partner's agreement keeps 5 days; the city camera keeps its 30.
        try await store.community.setRetention(partnerID: app.partner.id, days: 5, by: "supervisor")
        var made: [UUID: [SegmentRecord]] = [:]
        for camera in [app.partnerCamera, app.cityCamera] {
            for day in [31, 6, 4] {
                let start = now.addingTimeInterval(-Double(day) * 86_400)
                let path = directory.appendingPathComponent("\(camera.id)-\(day).mp4").path
                _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 10))
                let segment = SegmentRecord(
                    id: UUID(), cameraID: camera.id, stream: "main", path: path, start: start, end: start.addingTimeInterval(60), bytes: 10, frames: 10,
                    gaps: [], codec: "avc1", sha256: "x")
                try await store.segments.upsert(segment)
                made[camera.id, default: []].append(segment)
            }
        }
        let report = try await RetentionSweeper(store: store, quotaBytes: nil, logger: Logger(label: "test")).sweep(now: now)
        // Partner: 31 and 6 days old go (5-day policy); city: only 31 days old goes (30 days). The fixture's own
        // recording of the city camera (10 minutes old) stays.
        #expect(report.segments == 3)
        let deleted = try await store.community.deletions()
        #expect(Set(deleted.map(\.segmentID)) == [made[app.partnerCamera.id]![0].id, made[app.partnerCamera.id]![1].id, made[app.cityCamera.id]![0].id])
        #expect(deleted.filter { $0.cameraID == app.partnerCamera.id }.allSatisfy { $0.reason == "retention 5 days" && $0.bytes == 10 })
        #expect(deleted.filter { $0.cameraID == app.cityCamera.id }.map(\.reason) == ["retention 30 days"])
        #expect(FileManager.default.fileExists(atPath: made[app.partnerCamera.id]![2].path))
        #expect(!FileManager.default.fileExists(atPath: made[app.partnerCamera.id]![1].path))
        try await app.test { client in
            try await client.execute(uri: "/api/v1/portal/cameras", method: .get, headers: app.headers(.partner)) { response in
                let owned = try response.json() as? [[String: Any]] ?? []
                #expect(owned.first?["retentionDays"] as? Int == 5)
                #expect((owned.first?["deletions"] as? [Any])?.count == 2)
            }
        }
    }

    @Test func transparencyReportIsPublicAggregatedAndNamesNoOwnerOrPosition() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: "/api/v1/transparency", method: .get) { response in
                #expect(response.status == .ok)
                let text = response.text
                let json = try response.json() as? [String: Any]
                let cameras = json?["cameras"] as? [String: Any]
                #expect(cameras?["total"] as? Int == 2)
                #expect((cameras?["byKind"] as? [String: Int]) == ["city": 1, "partner": 1])
                #expect((json?["footageRequests"] as? [String: Any])?["made"] as? Int == 3)
                #expect((json?["policy"] as? [String: Any])?["termsVersion"] as? String == CommunityTerms.currentVersion)
                for secret in [app.partner.name, app.partner.contactName, app.partner.email, app.partner.address, app.partnerCamera.name,
                               app.cityCamera.name, "32.512", "93.748", "32.5115", "93.7488"] {
                    #expect(!text.contains(secret), "the public report shows \(secret)")
                }
                // One partner camera in its district is too few to show: it is folded into "other areas".
                let districts = cameras?["byDistrict"] as? [[String: Any]] ?? []
                #expect(districts.filter { ($0["partner"] as? Int ?? 0) > 0 }.allSatisfy { $0["district"] as? String == "other areas" })
            }
        }
    }
}

/// SHA-256 of a file, hex, computed independently of the server's code.
enum FileDigestForTests {
    static func sha256(_ url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", url.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}


/// The public pages are served without an account, under the app's security headers.
@Suite struct CommunityPageTests {
    @Test(arguments: [("/signup", "signup.js"), ("/transparency", "transparency.js")])
    func publicPagesNeedNoAccount(_ path: String, _ script: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.text.contains("/ui/js/\(script)"))
                #expect(!response.text.contains("<script>") && !response.text.contains(" style="), "nothing inline that the CSP would block")
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.hasPrefix("default-src 'self'") == true)
            }
            try await client.execute(uri: "/ui/js/\(script)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("/api/v1/"))
            }
        }
    }
}
