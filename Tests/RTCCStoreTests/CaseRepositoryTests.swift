import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct CaseRepositoryTests {
    let base = Date(timeIntervalSince1970: 1_795_000_000)

    func draft(_ number: String, type: String = "shooting", location: String = "Texas St & Market St", hours: Double = 0) -> CaseDraft {
        CaseDraft(number: number, type: type, location: location, occurredAt: base.addingTimeInterval(hours * 3600))
    }

    @Test(arguments: Backend.allCases)
    func casesAreSearchedByTextStatusTimeAndLinkedCamera(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let shooting = try await store.cases.create(draft("26-004512"), by: "analyst")
            let burglary = try await store.cases.create(draft("26-004600", type: "burglary", location: "1908 Murphy St", hours: 5), by: "analyst")
            await #expect(throws: StoreError.duplicate(field: "number", value: "26-004512")) {
                try await store.cases.create(draft("26-004512"), by: "analyst")
            }
            let camera = UUID()
            #expect(try await store.cases.link(caseID: burglary.id, kind: .camera, reference: camera.uuidString.lowercased(), by: "analyst"))
            #expect(try await !store.cases.link(caseID: burglary.id, kind: .camera, reference: camera.uuidString.lowercased(), by: "analyst"))
            #expect(try await store.cases.search(CaseQuery(text: "MURPHY")).items.map(\.id) == [burglary.id])
            #expect(try await store.cases.search(CaseQuery(text: "26-0045")).items.map(\.id) == [shooting.id])
            #expect(try await store.cases.search(CaseQuery(text: "%")).items.isEmpty)
            #expect(try await store.cases.search(CaseQuery(cameraID: camera)).items.map(\.id) == [burglary.id])
            #expect(try await store.cases.search(CaseQuery(from: base.addingTimeInterval(3600))).items.map(\.id) == [burglary.id])
            let all = try await store.cases.search(CaseQuery())
            #expect(all.total == 2 && all.items.map(\.id) == [burglary.id, shooting.id])

            var changed = draft("26-004512")
            changed.status = .released
            let updated = try #require(try await store.cases.update(id: shooting.id, with: changed))
            #expect(updated.status == .released && updated.createdBy == "analyst")
            #expect(try await store.cases.search(CaseQuery(status: .released)).items.map(\.id) == [shooting.id])
            #expect(try await store.cases.update(id: UUID(), with: changed) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func notesAndLinksComeBackInOrderWithTheCase(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let opened = try await store.cases.create(draft("26-1"), by: "analyst")
            try await store.cases.addNote(caseID: opened.id, text: "first", by: "analyst", now: base)
            try await store.cases.addNote(caseID: opened.id, text: "second", by: "supervisor", now: base.addingTimeInterval(1))
            _ = try await store.cases.link(caseID: opened.id, kind: .alert, reference: "shotspotter-77", by: "analyst", now: base)
            let found = try #require(try await store.cases.find(id: opened.id))
            #expect(found.notes.map(\.text) == ["first", "second"] && found.notes.map(\.author) == ["analyst", "supervisor"])
            #expect(found.links.map(\.reference) == ["shotspotter-77"] && found.links.first?.kind == .alert)
            #expect(found.updatedAt == base.millisecondPrecision, "the last change (the link) sets updatedAt")
        }
    }

    @Test(arguments: Backend.allCases)
    func exportJobsMoveFromQueuedToOneEndAndUnfinishedOnesAreFailed(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let opened = try await store.cases.create(draft("26-2"), by: "analyst")
            let cameras = [UUID(), UUID()]
            let job = ExportJob(caseID: opened.id, requestedBy: "analyst", purpose: "court", cameraIDs: cameras, from: base, until: base.addingTimeInterval(60))
            try await store.exportJobs.insert(job)
            let stuck = ExportJob(caseID: opened.id, requestedBy: "analyst", purpose: "court", cameraIDs: cameras, from: base, until: base.addingTimeInterval(9))
            try await store.exportJobs.insert(stuck)
            #expect(try await store.exportJobs.find(id: job.id)?.cameraIDs == cameras)
            #expect(try await store.exportJobs.start(id: job.id))
            #expect(try await !store.exportJobs.start(id: job.id))
            let package = UUID()
            try await store.exportJobs.succeed(id: job.id, packageID: package)
            let later = ExportJob(
                caseID: opened.id, requestedBy: "analyst", purpose: "court", cameraIDs: cameras, from: base, until: base.addingTimeInterval(9),
                now: Date().addingTimeInterval(60))
            try await store.exportJobs.insert(later)
            let abandoned = try await store.exportJobs.abandonUnfinished(createdBefore: Date().addingTimeInterval(1), reason: "stopped")
            #expect(abandoned.map(\.id) == [stuck.id], "jobs created after the cutoff belong to the running server")
            let jobs = try await store.exportJobs.list(caseID: opened.id)
            #expect(Set(jobs.map(\.state)) == [.succeeded, .failed, .queued])
            #expect(jobs.first { $0.id == job.id }?.packageID == package)
            #expect(jobs.first { $0.id == stuck.id }?.error == "stopped")
        }
    }

    @Test(arguments: Backend.allCases)
    func shareLinksCountDownloadsUpToTheLimitAndStopWhenRevokedOrExpired(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let package = EvidencePackageRecord(
                id: UUID(), caseID: UUID(), jobID: UUID(), folder: "/evidence/26-3/p", fingerprint: "f", manifestSHA256: "m", bytes: 10,
                files: ["manifest.json"],
                cameras: [.init(cameraID: "c", name: "North", frames: 70, firstFrame: "a", lastFrame: "b", gaps: [["x", "y"]], clip: "clips/c.mp4")],
                createdBy: "analyst", createdAt: base)
            try await store.packages.insert(package)
            #expect(try await store.packages.find(id: package.id) == package)
            #expect(try await store.packages.list(caseID: package.caseID).map(\.id) == [package.id])

            let (link, token) = try await store.shareLinks.issue(
                packageID: package.id, recipient: "DA", reason: "discovery", by: "supervisor", expiresAt: base.addingTimeInterval(3600), maxDownloads: 2,
                now: base)
            #expect(try await store.shareLinks.find(token: token)?.id == link.id)
            #expect(try await store.shareLinks.find(token: token + "x") == nil)
            #expect(try await store.shareLinks.consume(id: link.id, now: base.addingTimeInterval(1))?.downloads == 1)
            #expect(try await store.shareLinks.consume(id: link.id, now: base.addingTimeInterval(2))?.downloads == 2)
            #expect(try await store.shareLinks.consume(id: link.id, now: base.addingTimeInterval(3)) == nil)
            #expect(try await store.shareLinks.find(id: link.id)?.closed(at: base.addingTimeInterval(3)) == .exhausted)

            let (late, _) = try await store.shareLinks.issue(
                packageID: package.id, recipient: "PD", reason: "review", by: "supervisor", expiresAt: base.addingTimeInterval(10), maxDownloads: 5, now: base)
            #expect(try await store.shareLinks.consume(id: late.id, now: base.addingTimeInterval(10)) == nil)
            #expect(late.closed(at: base.addingTimeInterval(10)) == .expired)

            let (revoked, _) = try await store.shareLinks.issue(
                packageID: package.id, recipient: "PD", reason: "review", by: "supervisor", expiresAt: base.addingTimeInterval(3600), maxDownloads: 5,
                now: base)
            #expect(try await store.shareLinks.revoke(id: revoked.id, now: base))
            #expect(try await !store.shareLinks.revoke(id: revoked.id, now: base))
            #expect(try await store.shareLinks.consume(id: revoked.id, now: base.addingTimeInterval(1)) == nil)
            #expect(try await store.shareLinks.list(packageID: package.id).count == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func custodyTrailHoldsTheCaseAndEverythingBelowItOnly(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let log = AuditLog(store: store)
            let caseID = UUID()
            let target = Store.auditTarget(caseID: caseID)
            try await log.append(AuditEvent(actor: "analyst", action: "cases.create", target: target))
            try await log.append(AuditEvent(actor: "analyst", action: "cases.view", target: Store.auditTarget(caseID: UUID())))
            try await log.append(AuditEvent(actor: "analyst", action: "evidence.export", target: target + "/package:1"))
            try await log.append(AuditEvent(actor: "share:DA", action: "evidence.release", target: target + "/package:1/share:2", source: "203.0.113.7"))
            try await log.append(AuditEvent(actor: "analyst", action: "cases.view", target: target + "x"))
            let trail = try await store.custodyTrail(caseID: caseID)
            #expect(trail.map(\.action) == ["cases.create", "evidence.export", "evidence.release"])
            #expect(trail.last?.source == "203.0.113.7")
            // A linked footage request brings what its owner did with it; another request's entries stay out.
            let linked = UUID(), other = UUID()
            try await log.append(AuditEvent(actor: "partner:owner", action: "footage.approve", target: "camera:c1/request:\(linked.uuidString.lowercased())"))
            try await log.append(AuditEvent(actor: "partner:owner", action: "footage.decline", target: "camera:c1/request:\(other.uuidString.lowercased())"))
            try await log.append(AuditEvent(actor: "partner:owner", action: "footage.upload", target: "camera:c2/request:\(linked.uuidString.lowercased())/x"))
            let withRequest = try await store.custodyTrail(caseID: caseID, footageRequests: [linked])
            #expect(withRequest.map(\.action) == ["cases.create", "evidence.export", "evidence.release", "footage.approve"])
        }
    }
}
