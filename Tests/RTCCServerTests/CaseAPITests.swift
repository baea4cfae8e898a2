import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

@Suite struct CaseAPITests {
    static let purpose: HTTPFields = [HTTPField.Name("X-RTCC-Purpose")!: "26-004512 follow-up"]

    @Test func caseIsOpenedSearchedViewedChangedLinkedAndNotedWithEveryStepAudited() async throws {
        let app = try await TestApp.make()
        let camera = app.cityCamera.id.uuidString.lowercased()
        try await app.test { client async throws in
            let created = try await client.execute(
                uri: "/api/v1/cases", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["number": " 26-004512 ", "type": "shooting", "location": "1908 Murphy St", "occurredAt": "2026-11-30T21:14:00Z",
                                "point": ["latitude": 32.5115, "longitude": -93.7488]]))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require((try created.json() as? [String: Any])?["id"] as? String)
            let duplicate = try await client.execute(
                uri: "/api/v1/cases", method: .post, headers: app.headers(.supervisor, jsonHeaders),
                body: jsonBody(["number": "26-004512", "type": "robbery", "location": "", "occurredAt": "2026-11-30T21:14:00Z"]))
            #expect(duplicate.status == .conflict)

            let found = try await client.execute(uri: "/api/v1/cases?q=MURPHY&status=open", method: .get, headers: app.headers(.officer), body: nil)
            #expect(found.text.contains(id) && !found.text.contains("26-000042"))
            let linked = try await client.execute(
                uri: "/api/v1/cases/\(id)/links", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["kind": "camera", "reference": camera.uppercased()]))
            #expect(linked.status == .created)
            let again = try await client.execute(
                uri: "/api/v1/cases/\(id)/links", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["kind": "camera", "reference": camera]))
            #expect(again.status == .ok)
            let byCamera = try await client.execute(uri: "/api/v1/cases?cameraID=\(camera)", method: .get, headers: app.headers(.auditor), body: nil)
            #expect(byCamera.text.contains(id))
            let noted = try await client.execute(
                uri: "/api/v1/cases/\(id)/notes", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["text": "Suspect vehicle eastbound."]))
            #expect(noted.status == .created)
            let patched = try await client.execute(
                uri: "/api/v1/cases/\(id)", method: .patch, headers: app.headers(.supervisor, jsonHeaders), body: jsonBody(["status": "released"]))
            #expect((try patched.json() as? [String: Any])?["status"] as? String == "released")
            let viewed = try await client.execute(uri: "/api/v1/cases/\(id)", method: .get, headers: app.headers(.officer, Self.purpose), body: nil)
            let view = try viewed.json() as? [String: Any]
            #expect((view?["links"] as? [[String: Any]])?.first?["reference"] as? String == camera)
            #expect((view?["notes"] as? [[String: Any]])?.first?["author"] as? String == "analyst")
            #expect(view?["number"] as? String == "26-004512")
        }
        let audit = app.services.audit
        #expect(try await audit.entries(action: "cases.create").first?.actor == "analyst")
        #expect(try await audit.entries(action: "cases.view").first?.purpose == "26-004512 follow-up")
        #expect(try await audit.entries(action: "cases.update").first?.detail.contains("status open → released") == true)
        #expect(try await audit.entries(action: "cases.link").count == 1, "linking twice is one change")
        #expect(try await audit.entries(action: "cases.note").count == 1)
    }

    @Test func badCaseInputGetsProblemsNamingEveryField() async throws {
        let app = try await TestApp.make()
        let caseID = try #require(app.evidence?.evidenceCase.id)
        try await app.test { client async throws in
            let invalid = try await client.execute(
                uri: "/api/v1/cases", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["number": "", "type": "shooting", "location": "x", "occurredAt": "2026-11-30T21:14:00Z", "occurredUntil": "2026-11-30T20:00:00Z",
                                "point": ["latitude": 100, "longitude": 0]]))
            #expect(invalid.status == .unprocessableContent)
            let fields = (try invalid.problem()["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? []
            #expect(Set(fields) == ["number", "occurredUntil", "point.latitude"])
            let unknown = try await client.execute(
                uri: "/api/v1/cases/\(caseID)", method: .patch, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["createdBy": "someone"]))
            #expect(unknown.status == .badRequest)
            let badStatus = try await client.execute(
                uri: "/api/v1/cases/\(caseID)", method: .patch, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["status": "lost"]))
            #expect(badStatus.status == .badRequest)
            let badLink = try await client.execute(
                uri: "/api/v1/cases/\(caseID)/links", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["kind": "camera", "reference": UUID().uuidString]))
            #expect(badLink.status == .unprocessableContent)
            let emptyNote = try await client.execute(
                uri: "/api/v1/cases/\(caseID)/notes", method: .post, headers: app.headers(.analyst, jsonHeaders), body: jsonBody(["text": "  "]))
            #expect(emptyNote.status == .unprocessableContent)
            let missing = try await client.execute(uri: "/api/v1/cases/\(UUID())", method: .get, headers: app.headers(.analyst), body: nil)
            #expect(missing.status == .notFound && missing.headers[.contentType] == "application/problem+json")
            let badQuery = try await client.execute(uri: "/api/v1/cases?status=lost", method: .get, headers: app.headers(.analyst), body: nil)
            #expect(badQuery.status == .badRequest)
        }
        #expect(try await app.services.store.cases.find(id: caseID)?.location == "Texas St & Market St", "refused changes change nothing")
    }

    @Test func custodyReportListsEveryActionInHTMLAndAPDFThatPopplerRenders() async throws {
        let app = try await TestApp.make()
        let fixture = try #require(app.evidence)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-custody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app.test { client async throws in
            _ = try await client.execute(
                uri: "/api/v1/cases/\(fixture.evidenceCase.id)/notes", method: .post, headers: app.headers(.analyst, jsonHeaders),
                body: jsonBody(["text": "<script>alert(1)</script> seen at 21:14"]))
            _ = try await client.execute(uri: "/api/v1/share/\(fixture.shareToken)", method: .get, headers: [:], body: nil)
            let html = try await client.execute(uri: "/api/v1/cases/\(fixture.evidenceCase.id)/custody.html", method: .get, headers: app.headers(.auditor), body: nil)
            #expect(html.status == .ok && html.headers[.contentType]?.hasPrefix("text/html") == true)
            for expected in ["26-000042", "cases.note", "evidence.release", "share:Caddo Parish DA", "Caddo Parish DA", "cases.custody_report", "intact"] {
                #expect(html.text.contains(expected), "missing \(expected)")
            }
            #expect(html.text.contains("&lt;script&gt;") && !html.text.contains("<script>"))
            let pdf = try await client.execute(uri: "/api/v1/cases/\(fixture.evidenceCase.id)/custody.pdf", method: .get, headers: app.headers(.officer), body: nil)
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let file = directory.appendingPathComponent("custody.pdf")
            try Data(pdf.body.readableBytesView).write(to: file)
            let rendered = try await RecordedFootage.run("pdftoppm", ["-png", "-r", "40", file.path, "page"], in: directory)
            #expect(rendered.status == 0, "\(rendered.output)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).contains { $0.hasPrefix("page") && $0.hasSuffix(".png") })
            let text = try await RecordedFootage.run("pdftotext", [file.path, "-"], in: directory)
            #expect(text.output.contains("evidence.release") && text.output.contains("26-000042"), "\(text.output.prefix(500))")
        }
        let reports = try await app.services.audit.entries(action: "cases.custody_report")
        #expect(reports.map(\.detail).sorted() == ["html", "pdf"])
    }
}
