import Foundation

/// One camera that covers a point: which, how far, and how well.
public struct Sighting: Sendable, Hashable {
    /// Position of the camera in the list the index or raster was built from.
    public var cameraIndex: Int
    /// The camera's ``CameraView/id``.
    public var cameraID: String
    /// Ground distance from the camera to the point, metres.
    public var distance: Double
    /// The best DORI level reached at the point; nil when the camera has no resolution or the point lies beyond its
    /// detect range (but within its range).
    public var level: DORILevel?

    /// Creates a sighting.
    public init(cameraIndex: Int, cameraID: String, distance: Double, level: DORILevel?) {
        self.cameraIndex = cameraIndex
        self.cameraID = cameraID
        self.distance = distance
        self.level = level
    }
}
