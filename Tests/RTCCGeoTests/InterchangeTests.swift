import Foundation
import RTCCGeo
import Testing

@Suite struct InterchangeTests {
    @Test func sitesAreReadFromCSVWithOptionalColumns() throws {
        let sites = try SiteFile.parseCSV("latitude,longitude,mount_height_m,name\n32.5,-93.75,6,\"Pole 1, Main St\"\n\n32.51,-93.74,,b\n")
        #expect(sites.count == 2)
        #expect(sites[0].name == "Pole 1, Main St" && sites[0].mountHeight == 6)
        #expect(sites[1].mountHeight == SiteFile.defaultMountHeight)
    }

    @Test func csvWithBadRowsReportsEveryProblemByLineAndReturnsNothing() {
        let text = "latitude,longitude\n32.5,-93.75\nabc,-93.75\n32.5,-200\n32.5,-93.7\n"
        #expect {
            try SiteFile.parseCSV(text)
        } throws: { error in
            guard let error = error as? InterchangeError else { return false }
            return error.problems.map(\.location) == ["line 3", "line 4"] && error.description.contains("'abc' is not a number")
        }
    }

    @Test func sitesAreReadFromGeoJSONPoints() throws {
        let json = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"name":"a","mount_height_m":5},"geometry":{"type":"Point","coordinates":[-93.75,32.5]}},
              {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-93.74,32.51]}}]}
            """
        let sites = try SiteFile.parse(Data(json.utf8))
        #expect(sites.map(\.name) == ["a", "site2"])
        #expect(sites[0].mountHeight == 5 && sites[1].position.latitude == 32.51)
    }

    @Test func incidentsAreReadWithISOTimesAndBadTimesAreNamed() throws {
        let incidents = try IncidentFile.parseCSV("time,type,latitude,longitude\n2026-11-30T22:15:00Z,burglary,32.5,-93.75\n")
        #expect(incidents.first?.type == "burglary")
        #expect(incidents.first?.time == Date(timeIntervalSince1970: 1_796_076_900))
        #expect(throws: InterchangeError.self) { try IncidentFile.parseCSV("time,type,latitude,longitude\nyesterday,theft,32.5,-93.75\n") }
    }

    @Test func polygonsComeFromPolygonsAndMultiPolygonsAndBadOnesNameTheirFeature() throws {
        let good = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[0.01,0],[0.01,0.01],[0,0]]]}},
              {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[1,1],[1.01,1],[1.01,1.01],[1,1]]],[[[2,2],[2.01,2],[2.01,2.01],[2,2]]]]}}]}
            """
        #expect(try GeoJSONReader.polygons(Data(good.utf8)).count == 3)
        let bowTie = #"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#
        #expect {
            try GeoJSONReader.polygons(Data(bowTie.utf8))
        } throws: { error in
            (error as? InterchangeError)?.problems.first?.location == "feature 0" && "\(error)".contains("intersects itself")
        }
    }

    @Test func camerasAreReadWithActiveIntervals() throws {
        let text = "latitude,longitude,heading_deg,fov_deg,range_m,name,active_from,active_until\n32.5,-93.75,90,60,80,ev,2026-12-31T18:00:00Z,2027-01-01T02:00:00Z\n"
        let camera = try #require(try CameraFile.parseCSV(text).first)
        #expect(camera.isActive(at: Date(timeIntervalSince1970: 1_798_740_000)))  // 2026-12-31T19:20Z
        #expect(!camera.isActive(at: Date(timeIntervalSince1970: 1_798_000_000)))
        #expect(throws: InterchangeError.self) { try CameraFile.parseCSV("latitude,longitude,heading_deg,fov_deg,range_m\n32.5,-93.75,90,0,80\n") }
    }

    @Test func planIsWrittenAsGeoJSONAndCSV() throws {
        let site = CandidateSite(name: "a,b", position: testOrigin)
        let plan = PlacementPlan(
            choices: [.init(siteIndex: 0, site: site, heading: 90, uniqueWeight: 2)], value: 2, upperBound: 3, totalWeight: 5, alreadyCoveredWeight: 0,
            evaluations: 1, swaps: 0)
        let option = CameraOption(fieldOfView: 90, range: 50, headings: [90])
        let object = try JSONSerialization.jsonObject(with: PlanWriter.geoJSON(plan, option: option, projection: testProjection)) as? [String: Any]
        #expect((object?["features"] as? [Any])?.count == 2)
        #expect(PlanWriter.csv(plan).contains("\"a,b\""))
        let summary = try JSONSerialization.jsonObject(with: PlanWriter.summary(plan)) as? [String: Any]
        #expect(summary?["upper_bound"] as? Double == 3)
    }
}
