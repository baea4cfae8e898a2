import Foundation
import RTCCGeo
import Testing

@Suite struct BuildingOcclusionTests {
    /// A 20 × 10 m building from (0, 0) to (20, 10).
    let building = PlanePolygon(rings: [[PlanePoint(x: 0, y: 0), PlanePoint(x: 20, y: 0), PlanePoint(x: 20, y: 10), PlanePoint(x: 0, y: 10)]])
    var index: BuildingIndex { BuildingIndex(footprints: [building], cellSize: 8) }

    @Test func sightLineThroughABuildingIsBlocked() {
        #expect(index.blocks(from: PlanePoint(x: 10, y: -20), to: PlanePoint(x: 10, y: 30)))
        #expect(index.blocks(from: PlanePoint(x: -5, y: -5), to: PlanePoint(x: 25, y: 15)))
    }

    @Test func sightLinePassingBesideOrAlongAWallIsNotBlocked() {
        #expect(!index.blocks(from: PlanePoint(x: -5, y: -1), to: PlanePoint(x: 30, y: -1)))
        #expect(!index.blocks(from: PlanePoint(x: -5, y: 0), to: PlanePoint(x: 30, y: 0)))  // along the south wall
        #expect(!index.blocks(from: PlanePoint(x: -10, y: 0), to: PlanePoint(x: 10, y: 20)))  // grazes the corner (0, 10)
    }

    @Test func cameraOnItsOwnFacadeLookingAwayIsNotBlocked() {
        let onWall = PlanePoint(x: 10, y: 0)
        #expect(!index.blocks(from: onWall, to: PlanePoint(x: 10, y: -40)))
        #expect(!index.blocks(from: onWall, to: PlanePoint(x: 40, y: -5)))
        let slightlyInside = PlanePoint(x: 10, y: 0.4)
        #expect(!index.blocks(from: slightlyInside, to: PlanePoint(x: 10, y: -40)))
    }

    @Test func cameraOnItsOwnFacadeLookingAcrossTheBuildingIsBlocked() {
        #expect(index.blocks(from: PlanePoint(x: 10, y: 0), to: PlanePoint(x: 10, y: 30)))
    }

    @Test func targetInsideABuildingIsNotSeen() {
        #expect(index.blocks(from: PlanePoint(x: 10, y: -20), to: PlanePoint(x: 10, y: 5)))
        #expect(!index.blocks(from: PlanePoint(x: 10, y: -20), to: PlanePoint(x: 10, y: 0)))  // on the wall: seen
    }

    @Test func sightLineThroughAHoleCrossesTheRingsButStaysOutsideTheInterior() {
        let courtyard = PlanePolygon(rings: [
            [PlanePoint(x: 0, y: 0), PlanePoint(x: 30, y: 0), PlanePoint(x: 30, y: 30), PlanePoint(x: 0, y: 30)],
            [PlanePoint(x: 10, y: 10), PlanePoint(x: 20, y: 10), PlanePoint(x: 20, y: 20), PlanePoint(x: 10, y: 20)],
        ])
        let index = BuildingIndex(footprints: [courtyard])
        #expect(!index.blocks(from: PlanePoint(x: 12, y: 12), to: PlanePoint(x: 18, y: 18)))
        #expect(index.blocks(from: PlanePoint(x: 12, y: 12), to: PlanePoint(x: 40, y: 12)))
    }

    @Test func horizonStopsAtTheFirstWallInEachDirection() {
        let depth = index.horizon(from: PlanePoint(x: 10, y: -20), range: 100, bins: 360)
        #expect(abs(depth[0] - 20) < 0.1)  // bin 0 is centred on bearing 0.5°: the south wall 20 m north
        #expect(depth[180] == .infinity)  // south: nothing
    }
}
