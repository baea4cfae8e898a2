import Foundation
import RTCCCore
import RTCCStore
import Testing

@Suite struct LeadRepositoryTests {
    let base = Date(timeIntervalSince1970: 1_795_000_000)

    @Test(arguments: Backend.allCases)
    func eventsAreStoredOncePerSourceKindAndID(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let event = LeadEvent(kind: .gunshot, source: "token:feed", sourceEventID: "SST-1", occurredAt: base, receivedAt: base,
                                  location: GeoPoint(latitude: 32.5, longitude: -93.7), attributes: ["rounds": "3"])
            let first = try await store.leadEvents.insert(event)
            var again = event
            again.id = UUID()
            let second = try await store.leadEvents.insert(again)
            #expect(first.created && !second.created && second.event.id == event.id && second.event.attributes == ["rounds": "3"])
            var otherKind = again
            otherKind.kind = .tip
            #expect(try await store.leadEvents.insert(otherKind).created)
            #expect(try await store.leadEvents.count() == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func alertsAreSearchedBySeverityStatusTextAndKeepTheirBookmarksAndHistoryInOrder(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let camera = UUID()
            let low = Alert(kind: .tip, severity: .low, title: "Tip: loud music", raisedAt: base)
            let critical = Alert(kind: .gunshot, severity: .critical, title: "Gunshot detected: 4 rounds", raisedAt: base.addingTimeInterval(-60), cameraID: camera)
            let offline = Alert(kind: .cameraOffline, severity: .medium, title: "Camera offline: Texas St", raisedAt: base.addingTimeInterval(10), cameraID: camera)
            try await store.alerts.create(low, bookmarks: [], by: "token:tips")
            try await store.alerts.create(critical, bookmarks: [
                AlertBookmark(cameraID: camera, cameraName: "Texas St", distanceM: 12.5, from: base.addingTimeInterval(-90), until: base.addingTimeInterval(-30)),
                AlertBookmark(cameraID: UUID(), cameraName: "Market St", distanceM: 40, from: base.addingTimeInterval(-90), until: base.addingTimeInterval(-30)),
            ], by: "token:feed")
            try await store.alerts.create(offline, bookmarks: [], by: "system")
            #expect(try await store.alerts.search(AlertQuery()).items.map(\.id) == [critical.id, offline.id, low.id])
            var query = AlertQuery()
            query.minimumSeverity = .medium
            #expect(try await store.alerts.search(query).total == 2)
            query = AlertQuery()
            query.text = "LOUD"
            #expect(try await store.alerts.search(query).items.map(\.id) == [low.id])
            #expect(try await store.alerts.activeOutage(cameraID: camera)?.id == offline.id)

            var now = base.addingTimeInterval(5)
            var current = critical
            for action in [AlertAction.acknowledge, .note("first"), .note("second"), .assign(to: "officer")] {
                let (next, entry) = try current.applying(action, by: "analyst", at: now)
                try await store.alerts.update(next, entry: entry)
                current = next
                now = now.addingTimeInterval(0.0001)
            }
            let found = try #require(try await store.alerts.find(id: critical.id))
            #expect(found.status == .assigned && found.assignedTo == "officer" && found.acknowledgedAt == base.addingTimeInterval(5).millisecondPrecision)
            #expect(found.secondsToAcknowledge == 65)
            #expect(found.history?.map(\.action) == ["raised", "acknowledge", "note", "note", "assign"])
            #expect(found.history?.filter { $0.action == "note" }.map(\.detail) == ["first", "second"])
            #expect(found.bookmarks?.map(\.cameraName) == ["Texas St", "Market St"])
            query = AlertQuery()
            query.statuses = [.open]
            #expect(Set(try await store.alerts.search(query).items.map(\.id)) == [low.id, offline.id])
        }
    }

    @Test(arguments: Backend.allCases)
    func hotListImportsReplacePlatesAndExpiredEntriesDoNotMatch(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let entries = try HotListCSV.parse("plate,state,reason,expires\nabc-1234,la,stolen vehicle,2099-12-31\nOLD 1,TX,other,2020-01-01\n")
            try await store.hotList.upsert(entries, by: "supervisor")
            try await store.hotList.upsert(try HotListCSV.parse("plate,reason,state\nABC1234,amber alert,LA\n"), by: "supervisor")
            #expect(try await store.hotList.all().count == 2)
            let plate = try #require(PlateNumber("abc 1234"))
            #expect(try await store.hotList.matches(plate, state: "LA").map(\.reason) == [.amberAlert])
            #expect(try await store.hotList.matches(plate, state: nil).count == 1)
            #expect(try await store.hotList.matches(plate, state: "TX").isEmpty)
            #expect(try await store.hotList.matches(try #require(PlateNumber("OLD1")), state: "TX").isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBatchStoresEachNewEventWithItsAlertBookmarksAndAuditEntryInOneGo(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            let audit = AuditLog(store: store)
            try await audit.append(AuditEvent(actor: "admin", action: "auth.login"))
            func arrival(_ id: String, rounds: Int) -> LeadEventRepository.Arrival {
                var event = LeadEvent(kind: .gunshot, source: "token:feed", sourceEventID: id, occurredAt: base, receivedAt: base,
                                      location: GeoPoint(latitude: 32.5, longitude: -93.7), attributes: ["rounds": String(rounds)])
                let alert = Alert(kind: .gunshot, severity: .critical, title: "Gunshot \(id)", raisedAt: base, eventID: event.id)
                event.alertID = alert.id
                let bookmarks = (0..<rounds).map { AlertBookmark(cameraID: UUID(), cameraName: "Cam \($0)", distanceM: Double(10 * $0), from: base, until: base) }
                return .init(event: event, alert: alert, bookmarks: bookmarks, actor: "token:feed",
                             audit: AuditEvent(actor: "token:feed", action: "events.receive", target: "event:\(event.id)", detail: id))
            }
            let first = try await store.leadEvents.store([arrival("A", rounds: 2), arrival("B", rounds: 3)])
            #expect(first == [true, true])
            // A repeat (already stored) and a repeat within the same batch are skipped with their alerts and audit entries.
            let second = try await store.leadEvents.store([arrival("A", rounds: 1), arrival("C", rounds: 1), arrival("C", rounds: 4)])
            #expect(second == [false, true, false])
            #expect(try await store.leadEvents.count() == 3)
            let alerts = try await store.alerts.search(AlertQuery()).items
            #expect(Set(alerts.map(\.title)) == ["Gunshot A", "Gunshot B", "Gunshot C"])
            let b = try #require(alerts.first { $0.title == "Gunshot B" })
            let found = try #require(try await store.alerts.find(id: b.id))
            #expect(found.bookmarks?.map(\.cameraName) == ["Cam 0", "Cam 1", "Cam 2"] && found.history?.map(\.action) == ["raised"])
            #expect(try await audit.entries(action: "events.receive").map(\.detail).sorted() == ["A", "B", "C"])
            // The entries written inside the intake transaction continue the chain the log itself writes.
            try await audit.append(AuditEvent(actor: "admin", action: "auth.logout"))
            #expect(try await audit.verify() == .intact(entries: 5))
        }
    }

    @Test(arguments: Backend.allCases)
    func aBatchThatFailsPartWayStoresNothingAndTheNextBatchIsStored(_ backend: Backend) async throws {
        try await backend.withStore { (store: Store) async throws in
            func arrival(_ id: String, alertID: UUID) -> LeadEventRepository.Arrival {
                var event = LeadEvent(kind: .gunshot, source: "token:feed", sourceEventID: id, occurredAt: base, receivedAt: base, location: nil)
                let alert = Alert(id: alertID, kind: .gunshot, severity: .high, title: "Gunshot \(id)", raisedAt: base, eventID: event.id)
                event.alertID = alert.id
                return .init(event: event, alert: alert, bookmarks: [], actor: "token:feed",
                             audit: AuditEvent(actor: "token:feed", action: "events.receive", target: "event:\(event.id)", detail: id))
            }
            // Two new events whose alerts share an id: the events insert, then the alerts' insert fails on its key.
            let shared = UUID()
            await #expect(throws: (any Error).self) {
                try await store.leadEvents.store([arrival("A", alertID: shared), arrival("B", alertID: shared)])
            }
            #expect(try await store.leadEvents.count() == 0)
            #expect(try await AuditLog(store: store).entries(action: "events.receive").isEmpty)
            // The failed transaction was rolled back, not left open on the connection.
            #expect(try await store.leadEvents.store([arrival("A", alertID: UUID())]) == [true])
            #expect(try await store.leadEvents.count() == 1)
            #expect(try await AuditLog(store: store).verify() == .intact(entries: 1))
        }
    }
}
