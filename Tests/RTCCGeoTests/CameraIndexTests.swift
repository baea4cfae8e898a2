import Foundation
import RTCCGeo
import Testing

@Suite struct CameraIndexTests {
    @Test func pointIsAnsweredWithEveryCoveringCameraNearestFirst() throws {
        let views = [
            try planeCamera("far", x: -40, y: 0, heading: 90),
            try planeCamera("near", x: 10, y: 0, heading: 270),
            try planeCamera("away", x: 5, y: 5, heading: 0),
        ]
        let index = CameraIndex(views: views, projection: testProjection)
        let seen = index.sightings(of: PlanePoint(x: 0, y: 0))
        #expect(seen.map(\.cameraID) == ["near", "far"])
        #expect(abs(seen[0].distance - 10) < 0.01)
    }

    @Test func buildingBetweenCameraAndPointHidesIt() throws {
        let views = [try planeCamera("c", x: 0, y: -30, heading: 0)]
        let buildings = BuildingIndex(footprints: [rectangle(-5, -10, 5, -5)])
        let index = CameraIndex(views: views, projection: testProjection, buildings: buildings)
        #expect(index.sightings(of: PlanePoint(x: 0, y: 0)).isEmpty)
        #expect(index.sightings(of: PlanePoint(x: 10, y: -5)).count == 1)
    }

    @Test func temporaryCameraCountsOnlyWhileActive() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let views = [try planeCamera("event", x: 0, y: -10, heading: 0, active: DateInterval(start: start, duration: 3600))]
        let index = CameraIndex(views: views, projection: testProjection)
        #expect(index.sightings(of: PlanePoint(x: 0, y: 0), at: start.addingTimeInterval(60)).count == 1)
        #expect(index.sightings(of: PlanePoint(x: 0, y: 0), at: start.addingTimeInterval(7200)).isEmpty)
    }

    @Test func gridAnswersMatchALinearScanOnARandomCity() throws {
        var random = SeededRandom(seed: 7)
        let views = try (0..<2000).map { i in
            try planeCamera(
                "c\(i)", x: .random(in: -2000...2000, using: &random), y: .random(in: -2000...2000, using: &random),
                heading: .random(in: 0..<360, using: &random), fov: .random(in: 20...360, using: &random), range: .random(in: 10...250, using: &random),
                pixels: 1920)
        }
        let buildings = BuildingIndex(
            footprints: (0..<300).map { _ in
                let x = Double.random(in: -2000...2000, using: &random), y = Double.random(in: -2000...2000, using: &random)
                return rectangle(x, y, x + .random(in: 5...40, using: &random), y + .random(in: 5...40, using: &random))
            })
        let index = CameraIndex(views: views, projection: testProjection, buildings: buildings, cellSize: 80)
        var total = 0
        for _ in 0..<500 {
            let p = PlanePoint(x: .random(in: -2100...2100, using: &random), y: .random(in: -2100...2100, using: &random))
            let grid = index.sightings(of: p), scan = index.sightingsByLinearScan(of: p)
            #expect(grid == scan)
            total += grid.count
        }
        #expect(total > 100)
    }

    @Test func replaySortsIncidentsIntoSeenCoveredByPlanAndGap() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let index = CameraIndex(views: [try planeCamera("a", x: 0, y: -10, heading: 0)], projection: testProjection)
        let replay = IncidentReplay(existing: index, proposed: [try planeCamera("p", x: 100, y: -10, heading: 0)])
        let incidents = [(0.0, 0.0), (100, 0), (300, 300)].map { x, y in
            Incident(time: now, type: "theft", location: testProjection.unproject(PlanePoint(x: x, y: y)))
        }
        let outcomes = replay.replay(incidents)
        #expect(outcomes.map(\.verdict) == [.seen, .coveredByPlan, .gap])
        #expect(outcomes[0].seenBy.first?.cameraID == "a")
        #expect(IncidentReplay.summarise(outcomes) == IncidentReplay.Summary(seen: 1, coveredByPlan: 1, gap: 1))
    }
}
