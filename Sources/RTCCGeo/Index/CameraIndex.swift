import Foundation

/// "Who could have seen it": every camera whose view covers a point, with distance and DORI level, nearest first.
///
/// Cameras are placed in one ``LocalProjection`` plane and each is listed in every cell of a uniform grid that its
/// sector's bounding box touches, so a query tests only the cameras of one cell (a few dozen at city densities, out of
/// any number), then checks the buildings between each covering camera and the point.
public struct CameraIndex: Sendable {
    /// The plane the cameras are placed in.
    public let projection: LocalProjection
    /// The cameras, in the order given.
    public let cameras: [PlanarCamera]
    /// Buildings that block sight lines, if any.
    public let buildings: BuildingIndex?
    let grid: GridBuckets

    /// Indexes `views` in `projection`'s plane; `cellSize` (metres) trades memory for cameras tested per query.
    public init(views: [CameraView], projection: LocalProjection, buildings: BuildingIndex? = nil, cellSize: Double = 100) {
        self.projection = projection
        self.buildings = buildings
        cameras = views.map { PlanarCamera($0, in: projection) }
        grid = GridBuckets(boxes: cameras.map(\.boundingBox), cellSize: cellSize)
    }

    /// Every camera covering `coordinate` (active at `time`, when given), nearest first.
    public func sightings(of coordinate: Coordinate, at time: Date? = nil) -> [Sighting] {
        sightings(of: projection.project(coordinate), at: time)
    }

    /// Every camera covering plane point `point` (active at `time`, when given), nearest first.
    public func sightings(of point: PlanePoint, at time: Date? = nil) -> [Sighting] {
        var found: [Sighting] = []
        for item in grid.items(at: point) {
            if let sighting = sighting(Int(item), point, time) { found.append(sighting) }
        }
        return found.sorted(by: CameraIndex.nearestFirst)
    }

    /// The same answer as ``sightings(of:at:)-(PlanePoint,_)`` by testing every camera: the reference the grid is measured and
    /// checked against.
    public func sightingsByLinearScan(of point: PlanePoint, at time: Date? = nil) -> [Sighting] {
        var found: [Sighting] = []
        for index in cameras.indices {
            if let sighting = sighting(index, point, time) { found.append(sighting) }
        }
        return found.sorted(by: CameraIndex.nearestFirst)
    }

    @inline(__always)
    private func sighting(_ index: Int, _ point: PlanePoint, _ time: Date?) -> Sighting? {
        let camera = cameras[index]
        guard let (distance, level) = camera.coverage(of: point), camera.view.isActive(at: time) else { return nil }
        if let buildings, buildings.blocks(from: camera.position, to: point) { return nil }
        return Sighting(cameraIndex: index, cameraID: camera.view.id, distance: distance, level: level)
    }

    static func nearestFirst(_ a: Sighting, _ b: Sighting) -> Bool {
        a.distance != b.distance ? a.distance < b.distance : a.cameraIndex < b.cameraIndex
    }
}
