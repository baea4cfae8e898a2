import Foundation
import RTCCGeo
import Testing

@Suite struct CoverageRasterTests {
    @Test func fullCircleCameraCoversItsDiscShareOfTheArea() throws {
        let camera = PlanarCamera(try planeCamera("c", x: 50, y: 50, heading: 0, fov: 360, range: 40), in: testProjection)
        let raster = try CoverageRaster(area: rectangle(0, 0, 100, 100), resolution: 0.5, cameras: [camera])
        #expect(raster.cellsInArea == 40_000)
        #expect(abs(raster.coveredFraction() - Double.pi * 1600 / 10_000) < 0.002)
        #expect(raster.coveredFraction(at: .detect) == 0)  // no resolution given
    }

    @Test func doriLayersShrinkWithDemandedDensity() throws {
        let camera = PlanarCamera(try planeCamera("c", x: 50, y: 50, heading: 0, fov: 360, range: 45, pixels: 3000), in: testProjection)
        let raster = try CoverageRaster(area: rectangle(0, 0, 100, 100), resolution: 0.5, cameras: [camera])
        let fractions = DORILevel.allCases.map { raster.coveredFraction(at: $0) }
        #expect(fractions == fractions.sorted(by: >))
        let detectRange = 3000 / (2 * Double.pi * 25)  // 360° lens: pixels over the arc
        #expect(abs(fractions[0] - Double.pi * detectRange * detectRange / 10_000) < 0.003)
    }

    @Test func rasterAgreesWithPointQueriesCellByCell() async throws {
        var random = SeededRandom(seed: 11)
        let views = try (0..<60).map { i in
            try planeCamera(
                "c\(i)", x: .random(in: 0...300, using: &random), y: .random(in: 0...300, using: &random), heading: .random(in: 0..<360, using: &random),
                fov: .random(in: 30...200, using: &random), range: .random(in: 20...80, using: &random), pixels: 1920)
        }
        let area = rectangle(0, 0, 300, 300)
        let index = CameraIndex(views: views, projection: testProjection)
        let raster = try CoverageRaster(area: area, resolution: 3, cameras: index.cameras)
        let parallel = try await CoverageRaster.compute(area: area, resolution: 3, cameras: index.cameras, parallelism: 2)
        var disagreements = 0
        for row in 0..<raster.grid.rows {
            for column in 0..<raster.grid.columns {
                let p = raster.grid.centre(column: column, row: row)
                let best = index.sightings(of: p).compactMap(\.level).max()
                if raster.isCovered(p) != !index.sightings(of: p).isEmpty { disagreements += 1 }
                if raster.isCovered(p, at: .observe) != (best.map { $0 >= .observe } ?? false) { disagreements += 1 }
                if raster.isCovered(p) != parallel.isCovered(p) { disagreements += 1 }
            }
        }
        #expect(disagreements == 0)
        #expect(raster.coveredFraction() > 0.1)
    }

    @Test func gapRectanglesTileExactlyTheUncoveredCells() throws {
        let camera = PlanarCamera(try planeCamera("c", x: 30, y: 30, heading: 45, fov: 90, range: 25), in: testProjection)
        let area = PlanePolygon(rings: [[PlanePoint(x: 0, y: 0), PlanePoint(x: 100, y: 0), PlanePoint(x: 0, y: 80)]])
        let raster = try CoverageRaster(area: area, resolution: 1, cameras: [camera])
        let (gaps, truncated) = raster.gaps()
        #expect(!truncated)
        let gapArea = gaps.reduce(0.0) { $0 + ($1.maxX - $1.minX) * ($1.maxY - $1.minY) }
        let uncovered = Double(raster.cellsInArea) * (1 - raster.coveredFraction())
        #expect(abs(gapArea - uncovered) < 1e-6)
        #expect(gaps.count < 300)  // merged, not one per cell
        for gap in gaps {
            #expect(!raster.isCovered(PlanePoint(x: (gap.minX + gap.maxX) / 2, y: (gap.minY + gap.maxY) / 2)))
        }
    }

    @Test func buildingsCastShadowsInTheRaster() throws {
        let camera = PlanarCamera(try planeCamera("c", x: 50, y: 10, heading: 0, fov: 360, range: 80), in: testProjection)
        let area = rectangle(0, 0, 100, 100)
        let open = try CoverageRaster(area: area, resolution: 1, cameras: [camera])
        let shadowed = try CoverageRaster(area: area, resolution: 1, cameras: [camera], buildings: BuildingIndex(footprints: [rectangle(40, 30, 60, 40)]))
        #expect(shadowed.coveredFraction() < open.coveredFraction())
        #expect(!shadowed.isCovered(PlanePoint(x: 50.5, y: 60.5)))
        #expect(shadowed.isCovered(PlanePoint(x: 50.5, y: 20.5)))
    }

    @Test func nonPositiveResolutionIsRejected() {
        #expect(throws: CoverageError.resolutionNotPositive(0)) { try CoverageRaster(area: rectangle(0, 0, 10, 10), resolution: 0, cameras: []) }
    }
}
