import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// Every cell of the role × endpoint matrix: allowed → 2xx, denied → 403, anonymous → 401.
@Suite struct RoleMatrixTests {
    struct Call {
        var uri: String
        var body: ByteBuffer? = nil
        var headers: HTTPFields = [:]
    }

    /// A valid request for each endpoint, against the fixture's records.
    static func call(for endpoint: Endpoint, app: TestApp) -> Call {
        let unique = UUID().uuidString.prefix(8)
        switch endpoint.path {
        case "/api/v1/auth/login":
            return Call(uri: endpoint.path, body: jsonBody(["username": "officer", "password": TestApp.password]), headers: jsonHeaders)
        case "/api/v1/cameras" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["name": "New \(unique)", "kind": "city", "location": ["latitude": 32.5, "longitude": -93.7]]), headers: jsonHeaders)
        case "/api/v1/cameras/import":
            return Call(uri: endpoint.path, body: ByteBuffer(string: "name,kind,latitude,longitude\nImported \(unique),city,32.5,-93.7\n"), headers: [.contentType: "text/csv"])
        case "/api/v1/cameras/{id}":
            return Call(
                uri: "/api/v1/cameras/\(app.partnerCamera.id)", body: endpoint.method == .patch ? jsonBody(["tags": ["checked"]]) : nil,
                headers: endpoint.method == .patch ? jsonHeaders : [:])
        case "/api/v1/cameras/{id}/recordings", "/api/v1/cameras/{id}/events", "/api/v1/cameras/{id}/health":
            return Call(uri: endpoint.path.replacingOccurrences(of: "{id}", with: app.partnerCamera.id.uuidString))
        case "/api/v1/holds" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["cameraID": app.cityCamera.id.uuidString, "from": "2026-11-01T10:00:00Z",
                                                           "until": "2026-11-01T11:00:00Z", "reason": "case 26-1"]), headers: jsonHeaders)
        case "/api/v1/holds/{id}":
            return Call(uri: "/api/v1/holds/\(app.hold?.id ?? UUID())")
        case "/api/v1/partners" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["name": "Shop \(unique)", "kind": "business", "contactName": "C", "email": "c@example.org", "address": "1 Main St"]), headers: jsonHeaders)
        case "/api/v1/partners/{id}":
            let id = endpoint.method == .delete ? app.emptyPartner.id : app.partner.id
            return Call(uri: "/api/v1/partners/\(id)", body: endpoint.method == .patch ? jsonBody(["phone": "318-555-0101"]) : nil,
                        headers: endpoint.method == .patch ? jsonHeaders : [:])
        case "/api/v1/partners/{id}/overview":
            return Call(uri: "/api/v1/partners/\(app.partner.id)/overview")
        case "/api/v1/users" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["username": "new\(unique.lowercased())", "displayName": "New", "role": "officer", "password": "a long enough password"]), headers: jsonHeaders)
        case "/api/v1/users/{id}":
            return Call(uri: "/api/v1/users/\(app.spareUser.id)", body: jsonBody(["displayName": "Renamed"]), headers: jsonHeaders)
        case "/api/v1/users/{id}/unlock", "/api/v1/users/{id}/sessions", "/api/v1/users/{id}/mfa":
            return Call(uri: endpoint.path.replacingOccurrences(of: "{id}", with: app.spareUser.id.uuidString))
        case "/api/v1/users/{id}/password":
            return Call(uri: "/api/v1/users/\(app.spareUser.id)/password", body: jsonBody(["password": "a long enough password"]), headers: jsonHeaders)
        case "/api/v1/me/mfa/enrolment/confirm":
            return Call(uri: endpoint.path, body: jsonBody(["code": "123456"]), headers: jsonHeaders)
        case "/api/v1/tokens" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["name": "feed", "scopes": ["session:read"]]), headers: jsonHeaders)
        case "/api/v1/tokens/{id}":
            return Call(uri: "/api/v1/tokens/\(app.token?.id ?? UUID())")
        case "/api/v1/cameras/{id}/live", "/api/v1/cameras/{id}/snapshot.jpg", "/api/v1/cameras/{id}/media":
            return Call(uri: endpoint.path.replacingOccurrences(of: "{id}", with: app.partnerCamera.id.uuidString))
        case "/api/v1/cameras/{id}/hls/{file}":
            return Call(uri: "/api/v1/cameras/\(app.partnerCamera.id)/hls/index.m3u8")
        case "/api/v1/cameras/probe":
            return Call(uri: endpoint.path, body: jsonBody(["url": "rtsp://127.0.0.1:9/nothing-listens"]), headers: jsonHeaders)
        case "/api/v1/onvif/discover":
            return Call(uri: endpoint.path, body: jsonBody(["seconds": 0.2, "addresses": ["127.0.0.1:9"], "multicast": false]), headers: jsonHeaders)
        case "/api/v1/onvif/inspect":
            return Call(uri: endpoint.path, body: jsonBody(["address": "127.0.0.1:9", "username": "u", "password": "p"]), headers: jsonHeaders)
        case "/api/v1/cameras/{id}/onvif":
            return Call(
                uri: "/api/v1/cameras/\(app.cityCamera.id)/onvif", body: endpoint.method == .put ? jsonBody(["address": "127.0.0.1:9"]) : nil,
                headers: endpoint.method == .put ? jsonHeaders : [:])
        case "/api/v1/cameras/{id}/ptz", "/api/v1/cameras/{id}/ptz/lock":
            return Call(
                uri: endpoint.path.replacingOccurrences(of: "{id}", with: app.cityCamera.id.uuidString), body: endpoint.method == .put ? jsonBody([:]) : nil,
                headers: endpoint.method == .put ? jsonHeaders : [:])
        case "/api/v1/cameras/{id}/ptz/move":
            return Call(uri: "/api/v1/cameras/\(app.cityCamera.id)/ptz/move", body: jsonBody(["mode": "stop"]), headers: jsonHeaders)
        case "/api/v1/cameras/{id}/ptz/goto":
            return Call(uri: "/api/v1/cameras/\(app.cityCamera.id)/ptz/goto", body: jsonBody(["preset": "1"]), headers: jsonHeaders)
        case "/api/v1/cameras/{id}/ptz/presets":
            return Call(uri: "/api/v1/cameras/\(app.cityCamera.id)/ptz/presets", body: jsonBody(["name": "Gate"]), headers: jsonHeaders)
        case "/api/v1/playback":
            return Call(uri: endpoint.path, body: jsonBody(["cameraIDs": [app.partnerCamera.id.uuidString], "purpose": "case review 26-1"]), headers: jsonHeaders)
        case "/api/v1/me/layouts" where endpoint.method == .put:
            return Call(uri: endpoint.path, body: jsonBody(["layouts": [["name": "A", "grid": 4, "tiles": []]], "current": "A"]), headers: jsonHeaders)
        case "/api/v1/telemetry/live" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["latencies": [120.5, 98.0]]), headers: jsonHeaders)
        case "/api/v1/seen":
            return Call(uri: "/api/v1/seen?lat=32.5116&lon=-93.7487&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z")
        case "/api/v1/seen/hold":
            return Call(uri: endpoint.path, body: jsonBody(["lat": 32.5116, "lon": -93.7487, "from": "2026-11-01T10:00:00Z",
                                                           "until": "2026-11-01T11:00:00Z", "reason": "case 26-1"]), headers: jsonHeaders)
        case "/api/v1/coverage":
            return Call(uri: endpoint.path, body: jsonBody(["polygon": ["type": "Polygon", "coordinates": [[[-93.749, 32.511], [-93.748, 32.511], [-93.748, 32.512], [-93.749, 32.511]]]],
                                                           "resolutionM": 5]), headers: jsonHeaders)
        case "/api/v1/plans":
            return Call(uri: endpoint.path, body: jsonBody(["candidates": "latitude,longitude\n32.5116,-93.7487\n32.5118,-93.7485\n", "budget": 1,
                                                           "demand": ["kind": "uniform"], "cellM": 5,
                                                           "polygon": ["type": "Polygon", "coordinates": [[[-93.749, 32.511], [-93.748, 32.511], [-93.748, 32.512], [-93.749, 32.511]]]]]),
                        headers: jsonHeaders)
        case "/api/v1/coverage/replay":
            return Call(uri: endpoint.path, body: jsonBody(["csv": "time,type,latitude,longitude\n2026-11-01T10:00:00Z,theft,32.5116,-93.7487\n"]), headers: jsonHeaders)
        case "/api/v1/deployments" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["name": "Parade \(unique)", "polygon": Self.smallSquare, "startsAt": "2026-12-24T10:00:00Z",
                                                           "endsAt": "2026-12-24T18:00:00Z"]), headers: jsonHeaders)
        case "/api/v1/deployments/{id}" where endpoint.method == .patch:
            return Call(uri: endpoint.path, body: jsonBody(["notes": "radio channel 4"]), headers: jsonHeaders)
        case "/api/v1/deployments/{id}/cameras" where endpoint.method == .put:
            return Call(uri: endpoint.path, body: jsonBody(["cameraIDs": []]), headers: jsonHeaders)
        case "/api/v1/deployments/{id}/cameras":
            return Call(uri: endpoint.path, body: jsonBody(["cameras": [["latitude": 32.5116, "longitude": -93.7487, "headingDeg": 90]]]), headers: jsonHeaders)
        case "/api/v1/deployments/{id}/plan":
            return Call(uri: endpoint.path, body: jsonBody(["budget": 1, "candidates": "latitude,longitude\n32.5116,-93.7487\n", "cellM": 5]), headers: jsonHeaders)
        case "/api/v1/venues" where endpoint.method == .post:
            return Call(uri: endpoint.path, body: jsonBody(["name": "District \(unique)", "polygon": Self.smallSquare]), headers: jsonHeaders)
        case "/api/v1/dashboard/{table}":
            return Call(uri: "/api/v1/dashboard/alerts.csv")
        case "/api/v1/reports/monthly":
            return Call(uri: "/api/v1/reports/monthly?month=2026-10")
        case "/api/v1/incidents/import":
            return Call(uri: endpoint.path, body: ByteBuffer(string: "occurred_at,offense,latitude,longitude,case_number\n2026-10-01T10:00:00Z,13A,32.5,-93.7,\(unique)\n"),
                        headers: [.contentType: "text/csv"])
        case "/api/v1/weapons/import":
            return Call(uri: endpoint.path, body: ByteBuffer(string: "recovered_at,weapon_type,case_number,rtcc_assisted\n2026-10-01T10:00:00Z,handgun,26-1,true\n"),
                        headers: [.contentType: "text/csv"])
        case "/api/v1/crime-totals/import":
            return Call(uri: endpoint.path, body: ByteBuffer(string: "year,category,count\n1993,homicide,86\n"), headers: [.contentType: "text/csv"])
        case "/api/v1/cases/{id}/outcome":
            let caseID = app.evidence?.evidenceCase.id.uuidString ?? UUID().uuidString
            return Call(uri: "/api/v1/cases/\(caseID)/outcome", body: jsonBody(["leadProvided": true, "footageDelivered": false, "arrest": false, "weaponRecovered": false]),
                        headers: jsonHeaders)
        case "/api/v1/streets" where endpoint.method == .put:
            return Call(uri: endpoint.path, body: jsonBody(["type": "FeatureCollection", "features": []]), headers: jsonHeaders)
        case "/api/v1/addresses":
            return Call(uri: endpoint.path, body: ByteBuffer(string: "number,street,lat,lon\n401,Texas St,32.5116,-93.7487\n"), headers: [.contentType: "text/csv"])
        case "/api/v1/addresses/search":
            return Call(uri: "/api/v1/addresses/search?q=401%20Texas%20St")
        case "/api/v1/addresses/reverse":
            return Call(uri: "/api/v1/addresses/reverse?lat=32.5116&lon=-93.7487&maxDistanceM=10000")
        case "/api/v1/buildings":
            return Call(uri: endpoint.path, body: jsonBody(["type": "FeatureCollection", "features": []]), headers: jsonHeaders)
        case "/api/v1/events/gunshots":
            return Call(uri: endpoint.path, body: jsonBody(["id": "G-\(unique)", "time": Date().ISO8601Format(), "latitude": 32.5116, "longitude": -93.7487,
                                                           "rounds": 2, "confidence": 0.8]), headers: jsonHeaders)
        case "/api/v1/events/plates":
            return Call(uri: endpoint.path, body: jsonBody(["id": "P-\(unique)", "time": Date().ISO8601Format(), "plate": "ABC 1234", "state": "LA",
                                                           "cameraID": app.cityCamera.id.uuidString]), headers: jsonHeaders)
        case "/api/v1/events/calls":
            return Call(uri: endpoint.path, body: jsonBody(["id": "C-\(unique)", "time": Date().ISO8601Format(), "callType": "prowler", "priority": 3]),
                        headers: jsonHeaders)
        case "/api/v1/events/tips":
            return Call(uri: endpoint.path, body: jsonBody(["id": "T-\(unique)", "time": Date().ISO8601Format(), "text": "loud party"]), headers: jsonHeaders)
        case "/api/v1/hotlist/import":
            return Call(uri: endpoint.path, body: ByteBuffer(string: "plate,state,reason\nABC1234,LA,stolen_vehicle\n"), headers: [.contentType: "text/csv"])
        case "/api/v1/cameras/{id}/analytics":
            return Call(
                uri: "/api/v1/cameras/\(app.partnerCamera.id)/analytics", body: endpoint.method == .put ? jsonBody(["enabled": false, "fps": 2, "width": 160,
                "cooldownSeconds": 60, "motion": ["zones": [["name": "all", "polygon": [["x": 0, "y": 0], ["x": 1, "y": 0], ["x": 1, "y": 1]]]], "sensitivity": 50,
                "minimumArea": 0.01], "schedule": ["startMinute": 0, "endMinute": 1440, "days": [], "timeZone": "UTC"]]) : nil,
                headers: endpoint.method == .put ? jsonHeaders : [:])
        case "/api/v1/alerts/{id}":
            return Call(uri: "/api/v1/alerts/\(app.alert?.id ?? UUID())")
        case "/api/v1/alerts/{id}/actions":
            return Call(uri: "/api/v1/alerts/\(app.alert?.id ?? UUID())/actions", body: jsonBody(["action": "note", "text": "seen"]), headers: jsonHeaders)
        default:
            if let community = app.community?.call(for: endpoint, partner: app.partner, partnerCamera: app.partnerCamera) {
                return Call(uri: community.uri, body: community.body, headers: community.headers)
            }
            if let evidence = app.evidence?.call(for: endpoint, cameraID: app.cityCamera.id) {
                return Call(uri: evidence.uri, body: evidence.body, headers: evidence.headers)
            }
            return Call(uri: endpoint.path)
        }
    }

    /// What an allowed caller gets where the fixture cannot make the call succeed: the fixture records no camera,
    /// so live video is refused as not streaming (409), there is no picture (404), and media needs a playback session (400).
    static let allowedStatus: [String: Int] = [
        "GET /api/v1/cameras/{id}/live": 409, "GET /api/v1/cameras/{id}/hls/{file}": 409, "GET /api/v1/cameras/{id}/snapshot.jpg": 404,
        "GET /api/v1/cameras/{id}/media": 400,
        // The probe reaches the handler, which connects and finds no camera listening there.
        "POST /api/v1/cameras/probe": 422,
        // No ONVIF device listens where the fixture points, and its cameras are not linked to one.
        "POST /api/v1/onvif/inspect": 422, "PUT /api/v1/cameras/{id}/onvif": 422, "GET /api/v1/cameras/{id}/onvif": 404,
        "DELETE /api/v1/cameras/{id}/onvif": 404, "GET /api/v1/cameras/{id}/ptz": 404, "PUT /api/v1/cameras/{id}/ptz/lock": 404,
        "POST /api/v1/cameras/{id}/ptz/move": 404, "POST /api/v1/cameras/{id}/ptz/goto": 404, "POST /api/v1/cameras/{id}/ptz/presets": 404,
        // Confirming needs an enrolment started and its current code: the fixture has neither, so the handler says so.
        "POST /api/v1/me/mfa/enrolment/confirm": 409,
        // The fixture loads no address points, so the nearest one is not found.
        "GET /api/v1/addresses/reverse": 404,
    ]

    /// A small square downtown, as a GeoJSON Polygon.
    static var smallSquare: [String: Any] {
        ["type": "Polygon", "coordinates": [[[-93.749, 32.511], [-93.748, 32.511], [-93.748, 32.512], [-93.749, 32.512], [-93.749, 32.511]]]]
    }

    static let cells: [(Endpoint, Role?)] = Endpoint.all.flatMap { endpoint in ([nil] + Role.allCases).map { (endpoint, $0) } }

    /// One app for the reading cells: a read changes nothing another cell looks at, and an app per cell (about a
    /// thousand of them) made this matrix most of the parallel suite's work, starving suites with time limits.
    static let readingApp = Task { try await TestApp.make() }

    /// Reads that change state: a share link and a package download count their uses.
    static let countedReads: Set<String> = ["/api/v1/share/{id}", "/api/v1/packages/{id}/download"]

    @Test(arguments: cells)
    func cell(_ endpoint: Endpoint, _ role: Role?) async throws {
        let reads = endpoint.method == .get && !Self.countedReads.contains(endpoint.path)
        let app = reads ? try await Self.readingApp.value : try await TestApp.make()
        var prepared = Self.call(for: endpoint, app: app)
        if endpoint.path.hasPrefix("/api/v1/deployments/{id}") {
            let square = [[GeoPoint(latitude: 32.511, longitude: -93.749), GeoPoint(latitude: 32.511, longitude: -93.748), GeoPoint(latitude: 32.512, longitude: -93.748)]]
            let event = try await app.services.store.deployments.create(
                DeploymentDraft(name: "Parade", area: square, startsAt: Date(timeIntervalSince1970: 1_795_000_000), endsAt: Date(timeIntervalSince1970: 1_795_010_000)),
                by: "test")
            prepared.uri = prepared.uri.replacingOccurrences(of: "{id}", with: event.id.uuidString)
        }
        let call = prepared
        let expected: ClosedRange<Int>
        if case .everyone = endpoint.access {
            expected = 200...299
        } else if let role {
            let allowed = Self.allowedStatus[endpoint.description].map { $0...$0 } ?? 200...299
            expected = endpoint.allows(role) ? allowed : 403...403
        } else {
            expected = 401...401
        }
        try await app.test { client async throws in
            try await client.execute(uri: call.uri, method: endpoint.method, headers: app.headers(role, call.headers), body: call.body) { response in
                #expect(expected.contains(Int(response.status.code)), "\(endpoint) as \(role?.rawValue ?? "anonymous"): \(response.status) \(response.text)")
                if !(200...299).contains(Int(response.status.code)) {
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    @Test func securityDocumentShowsTheMatrixTheCodeEnforces() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/SECURITY.md"), encoding: .utf8)
        var table = "| Endpoint | " + Role.allCases.map(\.rawValue).joined(separator: " | ") + " | anonymous |\n"
        table += "|---|" + String(repeating: "---|", count: Role.allCases.count + 1) + "\n"
        for endpoint in Endpoint.all {
            let everyone: Bool
            if case .everyone = endpoint.access { everyone = true } else { everyone = false }
            let cells = Role.allCases.map { endpoint.allows($0) ? "✅" : "403" } + [everyone ? "✅" : "401"]
            table += "| `\(endpoint)` | " + cells.joined(separator: " | ") + " |\n"
        }
        #expect(document.contains(table), "docs/SECURITY.md must contain exactly this table:\n\(table)")
    }
}

extension Endpoint: CustomTestStringConvertible {
    public var testDescription: String { description }
}
