import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// The camera registry and building footprints placed in one plane, ready for "who could have seen it" and coverage.
struct SightingIndex: Sendable {
    /// The registry's cameras, in the index's order.
    let cameras: [Camera]
    /// The cameras' views in the plane, with buildings.
    let index: CameraIndex
    /// How many building footprints block sight lines.
    let buildingCount: Int

    /// Places `cameras` (those with usable geometry) and `buildings` in a projection centred on the cameras.
    ///
    /// A stored footprint whose geometry is not a valid polygon stops the build with ``UnusableBuildingFootprint``:
    /// leaving it out would let sight lines pass through a building, and "who could have seen it" would name cameras
    /// that could not.
    init(cameras: [Camera], buildings: [BuildingFootprint]) throws(UnusableBuildingFootprint) {
        let usable = cameras.compactMap { camera in camera.view.map { (camera, $0) } }
        let centre: Coordinate
        if usable.isEmpty {
            centre = Coordinate(latitude: DemoCity.downtown.latitude, longitude: DemoCity.downtown.longitude)
        } else {
            centre = Coordinate(
                latitude: usable.map(\.1.position.latitude).reduce(0, +) / Double(usable.count),
                longitude: usable.map(\.1.position.longitude).reduce(0, +) / Double(usable.count))
        }
        let projection = LocalProjection(origin: centre)
        var footprints: [PlanePolygon] = []
        footprints.reserveCapacity(buildings.count)
        for (position, building) in buildings.enumerated() {
            do {
                footprints.append(try SightingIndex.polygon(building.rings).projected(projection))
            } catch {
                throw UnusableBuildingFootprint(position: position + 1, reason: error)
            }
        }
        self.cameras = usable.map(\.0)
        index = CameraIndex(
            views: usable.map(\.1), projection: projection, buildings: footprints.isEmpty ? nil : BuildingIndex(footprints: footprints))
        buildingCount = footprints.count
    }

    /// The cameras covering `point` while active at some time in `[from, until]`, nearest first.
    func sightings(of point: Coordinate, from: Date, until: Date) -> [(camera: Camera, sighting: Sighting)] {
        index.sightings(of: point).compactMap { sighting in
            let camera = cameras[sighting.cameraIndex]
            return camera.isActive(from: from, until: until) ? (camera, sighting) : nil
        }
    }

    /// A validated polygon from rings of points.
    static func polygon(_ rings: [[GeoPoint]]) throws(PolygonValidationError) -> GeoPolygon {
        try GeoPolygon(rings: rings.map { $0.map { Coordinate(latitude: $0.latitude, longitude: $0.longitude) } })
    }
}

/// A stored building footprint is not a valid polygon, so sight lines cannot be computed safely.
struct UnusableBuildingFootprint: Error, CustomStringConvertible {
    /// Which stored footprint, counting from 1 in the store's order.
    var position: Int
    /// What is wrong with its rings.
    var reason: PolygonValidationError

    var description: String {
        "building footprint number \(position) in the database is not a valid polygon (\(reason)); re-import the footprints or delete that one"
    }
}

/// Keeps one ``SightingIndex`` and rebuilds it only when the registry or the footprints change.
actor SightingIndexCache {
    private struct Key: Hashable {
        var cameras: RegistryVersion
        var buildings: BuildingsVersion
    }

    private var current: (key: Key, index: SightingIndex)?
    private var checkedAt: ContinuousClock.Instant?

    /// The index for the store's current registry and footprints. With `freshWithin`, an index whose versions were
    /// checked less than that long ago is used without asking the database again (event intake at high rates).
    func index(_ store: Store, freshWithin: Duration = .zero) async throws -> SightingIndex {
        let now = ContinuousClock.now
        if freshWithin > .zero, let current, let checkedAt, now - checkedAt < freshWithin { return current.index }
        let key = Key(cameras: try await store.cameras.version(), buildings: try await store.buildings.version())
        checkedAt = now
        if let current, current.key == key { return current.index }
        let index = try SightingIndex(cameras: try await store.cameras.all(), buildings: try await store.buildings.all())
        current = (key, index)
        return index
    }
}
