import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import SQLKit
import Testing

@Suite struct ImpactAPITests {
    static func iso(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    static let csvHeaders: HTTPFields = [.contentType: "text/csv"]

    static func json(_ response: TestResponse) throws -> [String: Any] { try #require(try response.json() as? [String: Any]) }

    @Test func badCrimeRowsAreNamedByLineAndNothingIsImported() async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let csv = """
                occurred_at,offense,latitude,longitude,case_number
                2026-03-01T22:10:00Z,09A,32.50,-93.75,26-000101
                2026-03-02T22:10:00Z,arson?,32.50,-93.75,26-000102
                not a time,13A,95,-93.75,26-000103
                2099-01-01T00:00:00Z,120,32.5,-93.75,26-000104
                """
            let bad = try await client.execute(uri: "/api/v1/incidents/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders), body: ByteBuffer(string: csv))
            #expect(bad.status == .unprocessableContent)
            let fields = (try bad.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(fields == ["line 3: offense", "line 4: occurred_at", "line 4: latitude", "line 5: occurred_at"], "\(bad.text)")
            let missing = try await client.execute(
                uri: "/api/v1/incidents/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders), body: ByteBuffer(string: "occurred_at,offense\n"))
            #expect(missing.status == .unprocessableContent && missing.text.contains("lacks the column latitude"))
            let empty = try await client.execute(uri: "/api/v1/weapons/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders), body: ByteBuffer(string: ""))
            #expect(empty.status == .unprocessableContent && empty.text.contains("is empty"))
            #expect(try await client.execute(
                uri: "/api/v1/incidents/import", method: .post, headers: app.headers(.analyst, Self.csvHeaders), body: ByteBuffer(string: csv)).status == .forbidden)
            let reversed = try await client.execute(uri: "/api/v1/dashboard?from=2026-05-01T00:00:00Z&until=2026-04-01T00:00:00Z", method: .get, headers: app.headers(.analyst))
            #expect(reversed.status == .unprocessableContent && reversed.text.contains("empty"))
            let future = try await client.execute(uri: "/api/v1/dashboard?until=2099-01-01T00:00:00Z", method: .get, headers: app.headers(.analyst))
            #expect(future.status == .unprocessableContent && future.text.contains("future"))
            let month = try await client.execute(uri: "/api/v1/reports/monthly?month=2026-13", method: .get, headers: app.headers(.analyst))
            #expect(month.status == .unprocessableContent && month.text.contains("YYYY-MM"))
            #expect(try await client.execute(uri: "/api/v1/dashboard/secrets.csv", method: .get, headers: app.headers(.analyst)).status == .notFound)
        }
        #expect(try await app.services.store.incidents.list(from: nil, until: nil, category: nil, limit: 10, offset: 0).total == 0)
    }

    @Test func everyFigureMatchesTheImportedData() async throws {
        let app = try await TestApp.make()
        let store = app.services.store
        // Homicides: 5 in 2024, 3 in 2025 (2 before 30 November), 4 in 2026 before the range ends; 86 in the record year 1993.
        var rows = ["occurred_at,offense,latitude,longitude,case_number,weapon_recovered"]
        let homicides = ["2024-02-01", "2024-04-01", "2024-06-01", "2024-08-01", "2024-12-20", "2025-01-15", "2025-07-04", "2025-12-24",
                         "2026-01-10", "2026-03-03", "2026-06-30", "2026-11-20"]
        for (number, day) in homicides.enumerated() { rows.append("\(day)T12:00:00Z,09A,32.51,-93.75,H-\(number),\(number % 3 == 0)") }
        // Violent crime by month: 2 aggravated assaults in March 2026, 1 in March 2025; 1 robbery in October 2026; and a burglary (not violent).
        rows += ["2026-03-05T01:00:00Z,13A,32.5,-93.7,A-1,false", "2026-03-06T01:00:00Z,13A,32.5,-93.7,A-2,false", "2025-03-06T01:00:00Z,13A,32.5,-93.7,A-3,false",
                 "2026-10-09T01:00:00Z,120,32.5,-93.7,R-1,true", "2026-10-10T01:00:00Z,220,32.5,-93.7,B-1,false",
                 // The data begins on 1 January 2024, so 2024 and 2025 count from it.
                 "2024-01-01T00:30:00Z,220,32.5,-93.7,B-0,false"]
        let incidentRows = rows
        let until = "2026-11-30T00:00:00Z"
        let range = "from=2026-01-01T00:00:00Z&until=\(until)"
        // Alerts: 3 on 2 November (acknowledged after 30, 60 and 90 s), 1 on 4 November never acknowledged, 1 before the range.
        let raised = Self.iso("2026-11-02T10:00:00Z")
        for (offset, wait, kind) in [(0.0, 30.0, "gunshot"), (60, 60, "plate_hit"), (120, 90, "gunshot")] as [(Double, Double, String)] {
            try await insertAlert(store, kind: kind, at: raised.addingTimeInterval(offset), acknowledgedAfter: wait)
        }
        try await insertAlert(store, kind: "camera_offline", at: Self.iso("2026-11-04T08:00:00Z"), acknowledgedAfter: nil)
        try await insertAlert(store, kind: "gunshot", at: Self.iso("2025-12-31T08:00:00Z"), acknowledgedAfter: 5)
        for (status, day) in [("approved", "2026-06-01"), ("declined", "2026-06-02"), ("approved", "2026-07-01"), ("pending", "2025-06-01")] {
            try await insertRequest(store, status: status, at: Self.iso("\(day)T09:00:00Z"), camera: app.partnerCamera.id)
        }
        let shown: (dashboard: Data, csv: String, report: String) = try await app.test { client async throws in
            let imported = try await client.execute(
                uri: "/api/v1/incidents/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders), body: ByteBuffer(string: incidentRows.joined(separator: "\n")))
            #expect(imported.status == .created, "\(imported.text)")
            #expect(try Self.json(imported)["added"] as? Int == incidentRows.count - 1)
            let again = try await client.execute(
                uri: "/api/v1/incidents/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders), body: ByteBuffer(string: incidentRows.joined(separator: "\n")))
            let skipped = try Self.json(again)["skipped"] as? Int
            #expect(again.status == .ok && skipped == incidentRows.count - 1, "a re-import adds nothing")
            let totals = try await client.execute(
                uri: "/api/v1/crime-totals/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders),
                body: ByteBuffer(string: "year,category,count,source\n1993,homicide,86,city annual report 1993\n2010,09A,41,FBI UCR\n"))
            #expect(totals.status == .created, "\(totals.text)")
            let weapons = try await client.execute(
                uri: "/api/v1/weapons/import", method: .post, headers: app.headers(.supervisor, Self.csvHeaders),
                body: ByteBuffer(string: "recovered_at,weapon_type,case_number,rtcc_assisted\n2026-05-01T10:00:00Z,handgun,26-1,true\n2026-05-02T10:00:00Z,rifle,26-2,false\n2026-05-03T10:00:00Z,handgun,26-3,yes\n2025-05-03T10:00:00Z,handgun,25-3,yes\n"))
            #expect(weapons.status == .created, "\(weapons.text)")
            let dashboard = try await client.execute(uri: "/api/v1/dashboard?\(range)", method: .get, headers: app.headers(.officer))
            #expect(dashboard.status == .ok, "\(dashboard.text)")
            let csv = try await client.execute(uri: "/api/v1/dashboard/homicides.csv?\(range)", method: .get, headers: app.headers(.analyst))
            let report = try await client.execute(uri: "/api/v1/reports/monthly?month=2026-11", method: .get, headers: app.headers(.analyst))
            #expect(report.status == .ok && report.headers[.contentType]?.hasPrefix("text/html") == true)
            return (Data(dashboard.body.readableBytesView), csv.text, report.text)
        }
        let d = try #require(try JSONSerialization.jsonObject(with: shown.dashboard) as? [String: Any])
        let homicide = try #require(d["homicides"] as? [String: Any])
        #expect(homicide["year"] as? Int == 2026 && homicide["yearToDate"] as? Int == 4)
        let previous = (homicide["previousYearsToDate"] as? [[String: Any]])?.map { [$0["year"] as? Int ?? 0, $0["count"] as? Int ?? 0] }
        #expect(previous == [[2024, 4], [2025, 2]], "before 30 November of each year")
        let full = (homicide["fullYears"] as? [[String: Any]])?.map { [$0["year"] as? Int ?? 0, $0["count"] as? Int ?? 0] }
        #expect(full == [[1993, 86], [2010, 41], [2024, 5], [2025, 3]])
        #expect((homicide["record"] as? [String: Any])?["year"] as? Int == 1993)
        let alerts = try #require(d["alerts"] as? [String: Any])
        #expect(alerts["total"] as? Int == 4 && alerts["acknowledged"] as? Int == 3)
        #expect(alerts["byKind"] as? [String: Int] == ["gunshot": 2, "plate_hit": 1, "camera_offline": 1])
        #expect(alerts["medianSecondsToAcknowledge"] as? Double == 60 && alerts["p90SecondsToAcknowledge"] as? Double == 90)
        let days = try #require(alerts["perDay"] as? [[String: Any]])
        #expect(days.count == 333, "every day of the range, empty ones too")
        #expect(days.first { $0["day"] as? String == "2026-11-02" }?["total"] as? Int == 3)
        #expect(days.first { $0["day"] as? String == "2026-11-04" }?["total"] as? Int == 1)
        #expect((d["footageRequests"] as? [String: Any])?["byStatus"] as? [String: Int] == ["approved": 2, "declined": 1])
        let weapons = try #require(d["weapons"] as? [String: Any])
        #expect(weapons["recovered"] as? Int == 3 && weapons["rtccAssisted"] as? Int == 2 && weapons["byKind"] as? [String: Int] == ["handgun": 2, "rifle": 1])
        // Weapons recovered at incidents in 2026: homicides numbered 9 (2026-03-03: 9 % 3 == 0) and the October robbery.
        #expect(weapons["incidentsWithWeaponRecovered"] as? Int == 2)
        let trend = try #require(d["trend"] as? [[String: Any]])
        #expect(trend.count == 11)
        let march = try #require(trend.first { $0["month"] as? String == "2026-03" })
        #expect(march["violent"] as? Int == 3 && march["yearBefore"] as? Int == 1, "two assaults and a homicide; one assault in March 2025")
        #expect(trend.first { $0["month"] as? String == "2026-10" }?["violent"] as? Int == 1, "the burglary is not violent")
        let network = try #require(d["network"] as? [String: Any])
        #expect(network["cameras"] as? Int == (try await store.cameras.count()))
        #expect(shown.csv.contains("1993,86,,city annual report 1993") && shown.csv.contains("2026,,4,incident data"), "\(shown.csv)")
        #expect(shown.report.contains("Homicides in 2026 to date: <strong>4</strong>") && shown.report.contains("the record year is 1993 with 86"))
        #expect(shown.report.contains("<svg"))
    }

    @Test func aDistrictAddedAsAnAreaIsMeasuredOnTheDashboardAsCoverageMeasuresIt() async throws {
        let app = try await TestApp.make()
        // A temporary camera in the district whose event is over: neither the dashboard nor the map's coverage (both
        // "now") may count it, while coverage asked at an instant of its event does.
        let eventDay = Date().addingTimeInterval(-3 * 86_400)
        _ = try await app.services.store.cameras.create(CameraRecord(
            camera: try CameraDraft(
                name: "Fair tower 1", kind: .temporary, location: GeoPoint(latitude: 32.5115, longitude: -93.7488), headingDeg: 90,
                fieldOfViewDeg: 120, rangeM: 80, activeWindow: ActiveWindow(from: eventDay, until: eventDay.addingTimeInterval(8 * 3600))).validated(),
            sealedSecrets: nil))
        let (dashboard, coverage, bad, during): (Data, Data, Int, Data) = try await app.test { client async throws in
            let square: [String: Any] = ["type": "Polygon", "coordinates": [[[-93.7500, 32.5105], [-93.7476, 32.5105], [-93.7476, 32.5125], [-93.7500, 32.5125], [-93.7500, 32.5105]]]]
            let created = try await client.execute(
                uri: "/api/v1/venues", method: .post, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(["name": "District 1 (downtown)", "polygon": square]))
            #expect(created.status == .created, "\(created.text)")
            let bad = try await client.execute(
                uri: "/api/v1/venues", method: .post, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(["name": "District 1 (downtown)", "polygon": ["type": "Point"]]))
            let dashboard = try await client.execute(uri: "/api/v1/dashboard", method: .get, headers: app.headers(.analyst))
            // Asked as the map asks: the venue, no resolution, no instant.
            let venueID = try #require((try created.json() as? [String: Any])?["id"] as? String)
            let coverage = try await client.execute(
                uri: "/api/v1/coverage", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["venueID": venueID]))
            let during = try await client.execute(
                uri: "/api/v1/coverage", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["venueID": venueID, "at": eventDay.addingTimeInterval(3600).ISO8601Format()]))
            return (Data(dashboard.body.readableBytesView), Data(coverage.body.readableBytesView), Int(bad.status.code), Data(during.body.readableBytesView))
        }
        #expect(bad == 422)
        let areas = try #require((try JSONSerialization.jsonObject(with: dashboard) as? [String: Any])?["coverage"] as? [[String: Any]])
        let district = try #require(areas.first { $0["name"] as? String == "District 1 (downtown)" })
        let measured = try #require(((try JSONSerialization.jsonObject(with: coverage) as? [String: Any])?["coveredPercent"] as? [String: Double])?["any"])
        let shown = try #require(district["percent"] as? Double)
        #expect(abs(shown - measured) <= 0.1 && measured > 0, "dashboard \(shown) %, map \(measured) %: the city camera downtown sees part of the district")
        let atEvent = try #require(((try JSONSerialization.jsonObject(with: during) as? [String: Any])?["coveredPercent"] as? [String: Double])?["any"])
        #expect(atEvent > measured + 1, "during its event the temporary camera adds its view (\(atEvent) % against \(measured) %)")
        #expect(try await app.services.store.incidents.venues().count == 1, "the refused duplicate stored nothing")
    }

    @Test func caseOutcomesCountAsAssistedCases() async throws {
        let app = try await TestApp.make()
        let opened = try await app.services.store.cases.create(CaseDraft(number: "26-7777", type: "shooting", location: "Fair", occurredAt: Date()), by: "analyst")
        let result: (Int, Int, Int) = try await app.test { client async throws in
            let set = try await client.execute(
                uri: "/api/v1/cases/\(opened.id)/outcome", method: .put, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["leadProvided": true, "footageDelivered": true, "arrest": true, "weaponRecovered": false]))
            #expect(set.status == .ok, "\(set.text)")
            let bad = try await client.execute(
                uri: "/api/v1/cases/\(opened.id)/outcome", method: .put, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["arrest": "yes"]))
            #expect(bad.status.code >= 400 && bad.status.code < 500)
            let d = try Self.json(try await client.execute(uri: "/api/v1/dashboard", method: .get, headers: app.headers(.supervisor)))
            let evidence = try #require(d["evidence"] as? [String: Any])
            return (evidence["casesAssisted"] as? Int ?? -1, evidence["arrests"] as? Int ?? -1, evidence["casesOpened"] as? Int ?? -1)
        }
        let casesThisYear = try await app.services.store.cases.search(CaseQuery()).total
        #expect(result == (1, 1, casesThisYear))
        #expect(try await app.services.store.impact.outcome(caseID: opened.id)?.arrest == true)
    }

    func insertAlert(_ store: Store, kind: String, at: Date, acknowledgedAfter wait: Double?) async throws {
        try await store.sql.insert(into: "alerts")
            .columns("id", "kind", "severity", "status", "raised_at", "acknowledged_at", "title", "detail", "updated_at")
            .values(SQLBind(UUID()), SQLBind(kind), SQLBind("high"), SQLBind(wait == nil ? "open" : "acknowledged"), SQLBind(at),
                    SQLBind(wait.map { at.addingTimeInterval($0) }), SQLBind("test \(kind)"), SQLBind(""), SQLBind(at))
            .run()
    }

    func insertRequest(_ store: Store, status: String, at: Date, camera: UUID) async throws {
        try await store.sql.insert(into: "footage_requests")
            .columns("id", "camera_id", "case_number", "reason", "from_at", "until_at", "status", "requested_by", "created_at", "expires_at")
            .values(SQLBind(UUID()), SQLBind(camera), SQLBind("26-1"), SQLBind("test"), SQLBind(at), SQLBind(at.addingTimeInterval(600)), SQLBind(status),
                    SQLBind("analyst"), SQLBind(at), SQLBind(at.addingTimeInterval(86_400)))
            .run()
    }
}
