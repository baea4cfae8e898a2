import Foundation
import RTCCCore
import RTCCStore
import Testing

/// The community program's SQL on SQLite and PostgreSQL.
@Suite struct CommunityRepositoryTests {
    static func draft(_ name: String) -> ApplicationDraft {
        ApplicationDraft(
            kind: .homeowner, name: name, contactName: "Pat", email: "Pat@Example.org", address: "1 Main St", retentionDays: 10,
            cameras: [ApplicationCamera(label: "Porch", location: GeoPoint(latitude: 32.5, longitude: -93.7), sharing: .live)])
    }

    /// Equal to the millisecond (PostgreSQL keeps microseconds, so the Double read back may differ below that).
    static func same(_ a: Date?, _ b: Date) -> Bool { a.map { abs($0.timeIntervalSince(b)) < 0.001 } ?? false }

    @Test(arguments: Backend.allCases)
    func alarmsOpenExtendNeverShortenAndReopenAfterTheyEnd(_ backend: Backend) async throws {
        try await backend.withStore { store in
            let community = store.community
            let camera = UUID(), now = Date().millisecondPrecision
            #expect(try await community.openAlarm(cameraID: camera, until: now.addingTimeInterval(600), reason: "gunshot", now: now))
            #expect(try await !community.openAlarm(cameraID: camera, until: now.addingTimeInterval(900), reason: "call", now: now), "extended, not opened")
            #expect(try await !community.openAlarm(cameraID: camera, until: now.addingTimeInterval(300), reason: "tip", now: now))
            #expect(Self.same(try await community.alarms(at: now)[camera], now.addingTimeInterval(900)), "a later end extends, an earlier one never shortens")
            #expect(try await !community.openAlarm(cameraID: camera, until: now.addingTimeInterval(-1), reason: "old", now: now), "an end already past opens nothing")
            // Two alerts at once for the same camera do not collide.
            let other = UUID()
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for offset in 1...8 { group.addTask { try await community.openAlarm(cameraID: other, until: now.addingTimeInterval(Double(600 + offset)), reason: "x", now: now) } }
                for try await _ in group {}
            }
            #expect(Self.same(try await community.alarms(at: now)[other], now.addingTimeInterval(608)))
            // After the end it opens again.
            let later = now.addingTimeInterval(1000)
            #expect(try await community.alarms(at: later)[camera] == nil)
            #expect(try await community.openAlarm(cameraID: camera, until: later.addingTimeInterval(600), reason: "again", now: later))
            #expect(Self.same(try await community.alarms(at: later)[camera], later.addingTimeInterval(600)))
        }
    }

    @Test(arguments: Backend.allCases)
    func signUpTokensWorkOnceAndDecisionsHappenOnce(_ backend: Backend) async throws {
        try await backend.withStore { store in
            let applications = store.applications
            let (application, token) = try await applications.submit(Self.draft("Lee"), source: "10.0.0.1")
            #expect(application.status == .unverified)
            #expect(application.draft.email == "pat@example.org")
            #expect(try await applications.count(source: "10.0.0.1", since: Date().addingTimeInterval(-60)) == 1)
            #expect(try await applications.verify(token: token).status == .pending)
            await #expect(throws: ApplicationTokenError.used) { try await applications.verify(token: token) }
            await #expect(throws: ApplicationTokenError.unknown) { try await applications.verify(token: "nope") }
            let activation = SecretToken.generate()
            let user = UUID()
            #expect(try await applications.decide(
                id: application.id, approved: true, by: "supervisor", note: nil, partnerID: nil, userID: user, activationToken: activation))
            #expect(try await !applications.decide(id: application.id, approved: false, by: "supervisor", note: "x", partnerID: nil, userID: nil, activationToken: nil))
            #expect(try await applications.activate(token: activation) == user)
            await #expect(throws: ApplicationTokenError.used) { try await applications.activate(token: activation) }
            let found = try #require(try await applications.find(id: application.id))
            #expect(found.status == .approved && found.decidedBy == "supervisor" && found.draft.cameras.count == 1)
            #expect(try await applications.list(status: .approved).total == 1)
            #expect(try await store.community.applicationCounts() == [.approved: 1])
            try await applications.queueMail(to: "Pat@example.org", subject: "Hi", body: "text")
            #expect(try await applications.mails(to: "pat@example.org").count == 1)
            let unsent = try await applications.unsent()
            #expect(unsent.count == 1)
            try await applications.markSent(id: unsent[0].id)
            #expect(try await applications.unsent().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func footageRequestsMoveThroughTheirStatesOnceAndExpire(_ backend: Backend) async throws {
        try await backend.withStore { store in
            let requests = store.footageRequests
            let camera = UUID(), partner = UUID()
            let input = FootageRequestInput(cameraID: camera, caseNumber: " 26-1 ", reason: "theft", from: Date().addingTimeInterval(-600), until: Date(), expiresInHours: 1)
            let first = try await requests.create(input, partnerID: partner, caseID: nil, by: "analyst")
            let second = try await requests.create(input, partnerID: partner, caseID: nil, by: "analyst")
            #expect(first.caseNumber == "26-1")
            #expect(try await requests.transition(id: first.id, from: [.pending], to: .approved))
            #expect(try await !requests.transition(id: first.id, from: [.pending], to: .declined))
            #expect(try await requests.fulfil(id: first.id, sha256: "ab", bytes: 10, path: "/tmp/x"))
            #expect(try await requests.clipPath(id: first.id) == "/tmp/x")
            #expect(try await requests.find(id: first.id)?.decidedAt != nil)
            #expect(try await requests.list(partnerID: partner).count == 2)
            #expect(try await requests.list(partnerID: UUID()).isEmpty)
            #expect(try await requests.expire(now: Date().addingTimeInterval(7200)) == 1)
            #expect(try await requests.find(id: second.id)?.status == .expired)
            #expect(try await requests.countsByStatus() == [.fulfilled: 1, .expired: 1])
        }
    }

    @Test(arguments: Backend.allCases)
    func sharingMasksRetentionAndTheAccessLogAreStored(_ backend: Backend) async throws {
        try await backend.withStore { store in
            let community = store.community
            let camera = UUID(), other = UUID(), partner = UUID()
            #expect(try await community.sharing(cameraID: camera) == .active)
            try await community.setSharing(cameraID: camera, .paused, by: "owner")
            try await community.setSharing(cameraID: camera, .revoked, by: "owner")
            #expect(try await community.sharing(cameraID: camera) == .revoked)
            #expect(try await community.blockedCameras() == [camera])
            let mask = PrivacyMask(polygons: [[PicturePoint(x: 0, y: 0), PicturePoint(x: 1, y: 0), PicturePoint(x: 0, y: 1)]])
            try await community.setMask(cameraID: camera, mask, by: "owner")
            #expect(try await community.mask(cameraID: camera) == mask)
            #expect(try await community.maskedCameras() == [camera])
            try await community.setMask(cameraID: camera, PrivacyMask(polygons: []), by: "owner")
            #expect(try await community.maskedCameras().isEmpty)
            try await community.setRetention(partnerID: partner, days: 7, by: "supervisor")
            #expect(try await community.retentionDays(partnerID: partner) == 7)
            #expect(try await community.retentionPolicies() == [partner: 7])
            let now = Date()
            try await community.logDeletion(DeletionRecord(
                cameraID: camera, segmentID: UUID(), startedAt: now.addingTimeInterval(-90), endedAt: now.addingTimeInterval(-30), bytes: 500, reason: "retention 7 days",
                deletedAt: now))
            #expect(try await community.deletions(cameraID: camera).map(\.bytes) == [500])
            let totals = try await community.deletionTotals(since: now.addingTimeInterval(-60))
            #expect(totals.segments == 1 && totals.bytes == 500)
            #expect(try await community.count(.deletionLog) == 1)
            let audit = AuditLog(store: store)
            try await audit.append(AuditEvent(actor: "analyst", action: "cameras.view", target: "camera:\(camera)", source: "t", purpose: nil, detail: ""))
            try await audit.append(AuditEvent(actor: "analyst", action: "footage.request", target: "camera:\(camera)/request:1", source: "t", purpose: nil, detail: ""))
            try await audit.append(AuditEvent(
                actor: "analyst", action: "evidence.export_requested", target: "case:1", source: "t", purpose: nil, detail: "cameras \(camera.uuidString.lowercased())"))
            try await audit.append(AuditEvent(actor: "analyst", action: "cameras.view", target: "camera:\(other)", source: "t", purpose: nil, detail: ""))
            let log = try await community.accessLog(cameraIDs: [camera])
            #expect(log.map(\.action) == ["evidence.export_requested", "footage.request", "cameras.view"])
            #expect(try await community.auditCounts(actions: ["cameras.view", "live.view"]) == ["cameras.view": 2])
        }
    }

    @Test(arguments: Backend.allCases)
    func theOutboxKeepsEachMailsDeliveryAttemptsAndRetriesOnlyWhenDue(_ backend: Backend) async throws {
        try await backend.withStore { store in
            let outbox = store.applications
            let now = Date()
            let down = try await outbox.queueMail(to: "a@example.org", subject: "One", body: "1", now: now)
            let refused = try await outbox.queueMail(to: "b@example.org", subject: "Two", body: "2", now: now.addingTimeInterval(1))
            #expect(try await outbox.due(now: now).map(\.id) == [down.id, refused.id])
            try await outbox.markAttemptFailed(id: down.id, error: "cannot connect", retryAt: now.addingTimeInterval(60))
            try await outbox.markAttemptFailed(id: refused.id, error: "550 no such mailbox", retryAt: nil)
            // The relay was down: not due again before its pause; refused for good: never again.
            #expect(try await outbox.due(now: now.addingTimeInterval(59)).isEmpty)
            #expect(try await outbox.due(now: now.addingTimeInterval(61)).map(\.id) == [down.id])
            let mails = Dictionary(uniqueKeysWithValues: try await outbox.mails().map { ($0.id, $0) })
            #expect(mails[down.id]?.attempts == 1 && mails[down.id]?.lastError == "cannot connect" && mails[down.id]?.status == "queued")
            #expect(mails[refused.id]?.failedAt != nil && mails[refused.id]?.status == "failed")
            #expect(try await outbox.unsent().map(\.id) == [down.id])
            // An administrator fixed the address: the given-up mail is queued afresh.
            #expect(try await outbox.retry(id: refused.id))
            #expect(try await outbox.due(now: now).map(\.id) == [refused.id])
            try await outbox.markSent(id: down.id)
            #expect(try await outbox.mails(to: "a@example.org").first?.status == "sent")
            #expect(try await !outbox.retry(id: down.id), "a sent mail is not sent again")
            #expect(try await !outbox.retry(id: UUID()))
        }
    }
}

