import Foundation
import HTTPTypes
import HummingbirdTesting
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// A case collects what was done under its number: playback sessions, holds and footage requests appear in its links
/// and custody report without anyone linking them by hand, and those kinds cannot be linked by hand.
@Suite struct CaseWorkLinkTests {
    @Test func playbackHoldsAndFootageRequestsUnderACaseNumberAppearInItsLinksAndCustodyReport() async throws {
        let app = try await TestApp.make()
        let opened = try await app.services.store.cases.create(
            CaseDraft(number: "26-9001", type: "shooting", location: "401 Texas St", occurredAt: Date().addingTimeInterval(-600)), by: "analyst")
        let other = try await app.services.store.cases.create(
            CaseDraft(number: "26-9002", type: "burglary", location: "Market St", occurredAt: Date().addingTimeInterval(-600)), by: "analyst")
        let recorded = try await SeenAPITests.camera(app, "Texas St east", at: SeenAPITests.offset(north: -30, east: 0), heading: 0)
        let shop = try await SeenAPITests.camera(
            app, "Shop door", at: SeenAPITests.offset(north: 30, east: 0), heading: 180, kind: .partner, sharing: .registered, partner: app.partner.id)
        let until = Date(), from = until.addingTimeInterval(-1800)
        try await app.services.store.segments.upsert(SeenAPITests.segment(recorded.id, from: from.addingTimeInterval(60), seconds: 120))

        let (session, unrelated, handLinked): (String, String, Int) = try await app.test { client async throws in
            let playback = try await client.execute(
                uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["cameraIDs": [recorded.id.uuidString], "purpose": "shooting review", "caseNumber": "26-9001"]))
            #expect(playback.status == .created, "\(playback.text)")
            // A session under no case's number links nothing.
            let loose = try await client.execute(
                uri: "/api/v1/playback", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["cameraIDs": [recorded.id.uuidString], "purpose": "training", "caseNumber": "no such case"]))
            #expect(loose.status == .created)
            let hold = try await client.execute(
                uri: "/api/v1/seen/hold", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody([
                    "lat": SeenAPITests.point.latitude, "lon": SeenAPITests.point.longitude, "from": from.ISO8601Format(), "until": until.ISO8601Format(),
                    "reason": "shots fired at 401 Texas St", "caseNumber": "26-9001",
                ]))
            #expect(hold.status == .created, "\(hold.text)")
            let manual = try await client.execute(
                uri: "/api/v1/cases/\(other.id)/links", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["kind": "package", "reference": UUID().uuidString]))
            #expect(manual.text.contains("added by the work itself"), "\(manual.text)")
            return (
                try #require((try playback.json() as? [String: Any])?["id"] as? String),
                try #require((try loose.json() as? [String: Any])?["id"] as? String), Int(manual.status.code)
            )
        }
        #expect(handLinked == 422)
        let links = try #require(try await app.services.store.cases.find(id: opened.id)).links
        let kinds = Dictionary(grouping: links, by: \.kind).mapValues { $0.map(\.reference) }
        #expect(kinds[.playback] == [session.lowercased()])
        #expect(!links.contains { $0.reference == unrelated.lowercased() })
        let holds = try await app.services.store.holds.active()
        #expect(kinds[.hold] == holds.filter { $0.cameraID == recorded.id }.map { $0.id.uuidString.lowercased() } && kinds[.hold]?.count == 1)
        let requests = try await app.services.store.footageRequests.list(cameraID: shop.id)
        #expect(kinds[.footageRequest] == requests.map { $0.id.uuidString.lowercased() } && requests.count == 1)
        #expect(try await app.services.store.cases.find(id: other.id)?.links.isEmpty == true, "the refused hand link stored nothing")
        let linked = try await app.services.audit.entries(action: "cases.link")
        #expect(linked.count == 3 && linked.allSatisfy { $0.actor == "analyst" && $0.detail.hasSuffix("(recorded with the work)") })

        let report = try await app.test { client async throws in
            try await client.execute(uri: "/api/v1/cases/\(opened.id)/custody.html", method: .get, headers: app.headers(.auditor)).text
        }
        for reference in [session.lowercased()] + (kinds[.hold] ?? []) + (kinds[.footageRequest] ?? []) {
            #expect(report.contains(reference), "the custody report lists \(reference)")
        }
    }
}
