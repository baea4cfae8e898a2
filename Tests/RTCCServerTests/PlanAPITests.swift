import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCGeo
import RTCCServer
import RTCCStore
import Testing

/// `POST /api/v1/plans`: answers checked against RTCCGeo's optimiser run here on the same inputs.
@Suite struct PlanAPITests {
    static func plan(_ app: TestApp, _ client: any TestClientProtocol, _ body: [String: Any], query: String = "") async throws -> TestResponse {
        try await plan(app, client, jsonBody(body), query: query)
    }

    static func plan(_ app: TestApp, _ client: any TestClientProtocol, _ body: ByteBuffer, query: String = "") async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/plans" + query, method: .post, headers: app.headers(.analyst, jsonHeaders), body: body)
    }

    static func csv(_ sites: [(String, GeoPoint)]) -> String {
        "name,latitude,longitude\n" + sites.map { "\($0.0),\($0.1.latitude),\($0.1.longitude)\n" }.joined()
    }

    static func coordinate(_ point: GeoPoint) -> Coordinate { Coordinate(latitude: point.latitude, longitude: point.longitude) }

    @Test func aDomeInTheMiddleOfTheAreaIsChosenAndMeetsTheBound() async throws {
        let app = try await TestApp.make()
        let sites = [
            ("corner", SeenAPITests.offset(north: -200, east: -200)), ("centre", SeenAPITests.offset(north: 50, east: 50)),
            ("edge", SeenAPITests.offset(north: 0, east: 120)),
        ]
        try await app.test { client async throws in
            let response = try await Self.plan(app, client, [
                "candidates": Self.csv(sites), "budget": 1, "camera": ["fovDeg": 360, "rangeM": 80, "headings": [0]],
                "demand": ["kind": "uniform"], "polygon": CoverageAPITests.square(side: 100), "cellM": 10,
            ])
            #expect(response.status == .ok, "\(response.text)")
            let body = try #require(try response.json() as? [String: Any])
            let chosen = try #require(body["chosen"] as? [[String: Any]])
            #expect(chosen.map { $0["name"] as? String } == ["centre"])
            #expect(body["value"] as? Double == 100 && body["totalWeight"] as? Double == 100)
            #expect(body["upperBound"] as? Double == 100 && body["percentOfBound"] as? Double == 100)
            #expect(body["coveredPercent"] as? Double == 100 && body["demandCells"] as? Int == 100)
            #expect((body["csv"] as? String)?.hasPrefix("rank,site,name,latitude,longitude,heading_deg") == true)
            #expect(((body["geojson"] as? [String: Any])?["features"] as? [Any])?.count == 2)
        }
        // The same problem solved here in a plane of our own.
        let projection = LocalProjection(origin: Self.coordinate(SeenAPITests.point))
        let square = try JSONSerialization.data(withJSONObject: CoverageAPITests.square(side: 100))
        let polygon = try #require(try GeoJSONReader.polygons(square).first).projected(projection)
        let problem = try PlacementProblem(
            projection: projection, sites: sites.map { CandidateSite(name: $0.0, position: Self.coordinate($0.1)) },
            option: CameraOption(fieldOfView: 360, range: 80, headings: [0]), demand: try DemandGrid.uniform(over: polygon, cellSize: 10), budget: 1)
        let expected = PlacementOptimizer.solve(problem)
        #expect(expected.value == 100 && expected.choices.map { $0.site.name } == ["centre"])
        #expect(try await app.services.audit.entries(action: "plan.compute").count == 1)
    }

    /// Incidents in two clusters 400 m apart; the bigger cluster wins, unless a camera already watches it.
    @Test(arguments: [false, true])
    func incidentDensityMatchesRTCCGeoAndExistingCoverageCounts(_ watched: Bool) async throws {
        let app = try await TestApp.make()
        let start = Date(timeIntervalSince1970: 1_793_000_000)
        let big = (0..<6).map { SeenAPITests.offset(north: Double($0 * 5), east: 0) }
        let small = (0..<3).map { SeenAPITests.offset(north: Double($0 * 5), east: 400) }
        let stored = (big + small).enumerated().map { number, location in
            RTCCCore.Incident(
                id: UUID(), occurredAt: start.addingTimeInterval(Double(number) * 60), category: .robbery, location: location, summary: "",
                weaponRecovered: false)
        }
        let outside = RTCCCore.Incident(
            id: UUID(), occurredAt: start.addingTimeInterval(-86_400), category: .robbery, location: SeenAPITests.offset(north: 0, east: 800),
            summary: "", weaponRecovered: false)
        try await app.services.store.incidents.insert(stored + [outside])
        if watched { _ = try await SeenAPITests.camera(app, "Watcher", at: SeenAPITests.offset(north: 10, east: 0), heading: 0, fov: 360, range: 200) }
        let sites = [
            ("west", SeenAPITests.offset(north: -40, east: 0)), ("east", SeenAPITests.offset(north: -40, east: 400)),
            ("far", SeenAPITests.offset(north: -40, east: 800)),
        ]
        let body = jsonBody([
            "candidates": Self.csv(sites), "budget": 1, "camera": ["fovDeg": 90, "rangeM": 120, "headings": [0, 90, 180, 270]],
            "demand": ["kind": "incidents", "from": start.formatted(.iso8601), "until": start.addingTimeInterval(3600).formatted(.iso8601), "bandwidthM": 20],
            "cellM": 5,
        ] as [String: Any])
        try await app.test { client async throws in
            let response = try await Self.plan(app, client, body)
            #expect(response.status == .ok, "\(response.text)")
            let result = try #require(try response.json() as? [String: Any])
            let chosen = try #require((result["chosen"] as? [[String: Any]])?.first)
            #expect(result["incidents"] as? Int == 9)
            #expect(chosen["name"] as? String == (watched ? "east" : "west"))
            #expect(chosen["headingDeg"] as? Double == 0)

            // Independently: the same incidents and sites in our own plane.
            let projection = LocalProjection(origin: Self.coordinate(SeenAPITests.point))
            let demand = try DemandGrid.kernelDensity(
                incidents: (big + small).map { projection.project(Self.coordinate($0)) }, cellSize: 5, bandwidth: 20)
            let existing = watched
                ? [try CameraView(id: "w", position: Self.coordinate(SeenAPITests.offset(north: 10, east: 0)), mountHeight: 4, heading: 0, fieldOfView: 360, range: 200)]
                : []
            let problem = try PlacementProblem(
                projection: projection, sites: sites.map { CandidateSite(name: $0.0, position: Self.coordinate($0.1)) },
                option: CameraOption(fieldOfView: 90, range: 120, headings: [0, 90, 180, 270]), demand: demand, budget: 1, existing: existing)
            let expected = PlacementOptimizer.solve(problem)
            #expect(expected.choices.first?.site.name == chosen["name"] as? String)
            let value = try #require(result["value"] as? Double), total = try #require(result["totalWeight"] as? Double)
            #expect(abs(value - expected.value) <= 0.01 * expected.totalWeight, "\(value) vs \(expected.value)")
            #expect(abs(total - expected.totalWeight) <= 0.01 * expected.totalWeight)
            #expect(abs((result["alreadyCoveredWeight"] as? Double ?? -1) - expected.alreadyCoveredWeight) <= 0.01 * expected.totalWeight)
        }
    }

    @Test func aGridOverAVenuePlacesTheBudgetAndExportsGeoJSONAndCSV() async throws {
        let app = try await TestApp.make()
        let venue = Venue(id: UUID(), name: "Fair", polygon: [
            SeenAPITests.offset(north: 0, east: 0), SeenAPITests.offset(north: 0, east: 200), SeenAPITests.offset(north: 150, east: 200),
            SeenAPITests.offset(north: 150, east: 0),
        ])
        try await app.services.store.incidents.insert(venue: venue)
        let body = jsonBody([
            "venueID": venue.id.uuidString, "candidateGrid": ["spacingM": 40], "budget": 3, "camera": ["fovDeg": 90, "rangeM": 60],
            "demand": ["kind": "uniform"], "cellM": 10,
        ] as [String: Any])
        try await app.test { client async throws in
            let json = try #require(try await Self.plan(app, client, body).json() as? [String: Any])
            #expect((json["chosen"] as? [[String: Any]])?.count == 3)
            #expect((json["candidates"] as? Int ?? 0) >= 12)
            let bound = try #require(json["upperBound"] as? Double), value = try #require(json["value"] as? Double)
            #expect(value > 0 && value <= bound)
            let csv = try await Self.plan(app, client, body, query: "?format=csv")
            #expect(csv.headers[.contentType] == "text/csv")
            #expect(csv.text.split(separator: "\n").count == 4)
            let geo = try await Self.plan(app, client, body, query: "?format=geojson")
            #expect(geo.headers[.contentType] == "application/geo+json")
            let features = try #require((try geo.json() as? [String: Any])?["features"] as? [[String: Any]])
            #expect(features.count == 6)
            let bad = try await Self.plan(app, client, body, query: "?format=kml")
            #expect(bad.status == .badRequest)
        }
    }

    static let area = #""polygon": {"type": "Polygon", "coordinates": [[[-93.7000, 32.5000], [-93.6990, 32.5000], [-93.6990, 32.5009], [-93.7000, 32.5000]]]}"#
    static let uniform = #""demand": {"kind": "uniform"}, "# + area
    static let twoSites = #""candidates": "latitude,longitude\n32.5001,-93.6999\n32.5002,-93.6998\n""#

    @Test(arguments: [
        ("budget over candidates", #"{\#(twoSites), "budget": 3, \#(uniform)}"#, "budget", "exceeds the 2 candidate sites"),
        ("no candidate rows", #"{"candidates": "latitude,longitude\n", "budget": 1, \#(uniform)}"#, "candidates", "no sites"),
        ("bad candidate row", #"{"candidates": "latitude,longitude\n32.5001,-93.6999\n95,-93.6998\n", "budget": 1, \#(uniform)}"#, "candidates", "line 3"),
        ("fov zero", #"{\#(twoSites), "budget": 1, "camera": {"fovDeg": 0}, \#(uniform)}"#, "camera.fovDeg", "more than 0"),
        ("fov over 360", #"{\#(twoSites), "budget": 1, "camera": {"fovDeg": 400}, \#(uniform)}"#, "camera.fovDeg", "0 to 360"),
        ("no budget", #"{\#(twoSites), \#(uniform)}"#, "budget", "required"),
        ("unknown field", #"{\#(twoSites), "budget": 1, "colour": "red", \#(uniform)}"#, "colour", "not a known field"),
        ("uniform without area", #"{\#(twoSites), "budget": 1, "demand": {"kind": "uniform"}}"#, "polygon", "needs an area"),
        ("no incidents in range", #"{\#(twoSites), "budget": 1, "demand": {"kind": "incidents", "from": "2001-01-01T00:00:00Z", "until": "2001-01-02T00:00:00Z"}}"#,
         "demand.from", "no incidents"),
        ("too many cells", #"{\#(twoSites), "budget": 1, "cellM": 1, "demand": {"kind": "uniform"}, "polygon": {"type": "Polygon", "coordinates": [[[-93.70, 32.50], [-93.65, 32.50], [-93.65, 32.55], [-93.70, 32.50]]]}}"#,
         "cellM", "more than the 250000 allowed"),
        ("grid without area", #"{"candidateGrid": {"spacingM": 20}, "budget": 1, "demand": {"kind": "incidents", "from": "2001-01-01T00:00:00Z", "until": "2001-01-02T00:00:00Z"}}"#,
         "candidateGrid", "needs an area"),
        ("level without pixels", #"{\#(twoSites), "budget": 1, "camera": {"level": "identify"}, \#(uniform)}"#, "camera.pixels", "horizontal resolution"),
    ])
    func badPlansAreRefusedNamingTheProblemAndNothingIsRecorded(_ label: String, _ body: String, _ field: String, _ words: String) async throws {
        let app = try await TestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(uri: "/api/v1/plans", method: .post, headers: app.headers(.analyst, jsonHeaders), body: ByteBuffer(string: body))
            #expect((400...422).contains(Int(response.status.code)), "\(label): \(response.status) \(response.text)")
            let errors = (try response.problem()["errors"] as? [[String: String]]) ?? []
            #expect(errors.contains { $0["field"] == field && ($0["reason"] ?? "").contains(words) }, "\(label): \(response.text)")
        }
        #expect(try await app.services.audit.entries(action: "plan.compute").isEmpty)
    }
}
