import Foundation

/// What one camera can see on the ground: a horizontal sector from its position, with the DORI ranges its resolution
/// gives.
///
/// Values are validated once at construction, so every `CameraView` is usable. The heading is normalised into
/// 0..<360 (−10 becomes 350, 370 becomes 10).
///
/// **DORI ranges.** For a field of view below 180° the image plane is flat and the pixel density at slant distance d
/// is `pixels / (2·d·tan(fov/2))`, so a level of density D is reached up to `pixels / (2·tan(fov/2)·D)` (IEC 62676-4).
/// At 180° and above that formula breaks down (tan(fov/2) is infinite or negative), so for such panoramic and
/// fish-eye lenses the pixels are taken as spread evenly over the arc: density `pixels / (d·fov_radians)`, reached up
/// to `pixels / (fov_radians·D)`. Both distances are slant distances from the lens; the ground range is what is left
/// after the mount height (√(r² − h²)), and every range is capped by ``range``.
public struct CameraView: Sendable, Hashable {
    /// A caller's name for the camera (an id, a label); reported back in sightings and plans.
    public let id: String
    /// Where the camera is.
    public let position: Coordinate
    /// Height of the lens above the ground, metres.
    public let mountHeight: Double
    /// Optical axis, degrees clockwise from true north, in 0..<360.
    public let heading: Double
    /// Horizontal field of view, degrees, in 0 < fov ≤ 360.
    public let fieldOfView: Double
    /// Farthest ground distance the camera is counted as seeing, metres.
    public let range: Double
    /// Horizontal resolution, pixels; without it no DORI level can be given.
    public let horizontalPixels: Int?
    /// When the camera records (a temporary event camera, say); nil means always.
    public let activeInterval: DateInterval?

    /// Creates a view, validating every value.
    public init(
        id: String, position: Coordinate, mountHeight: Double = 0, heading: Double, fieldOfView: Double, range: Double,
        horizontalPixels: Int? = nil, activeInterval: DateInterval? = nil
    ) throws(CameraViewError) {
        guard position.latitude.isFinite, position.longitude.isFinite, abs(position.latitude) <= 90, abs(position.longitude) <= 180 else {
            throw .positionInvalid(latitude: position.latitude, longitude: position.longitude)
        }
        guard mountHeight.isFinite, mountHeight >= 0 else { throw .mountHeightInvalid(mountHeight) }
        guard heading.isFinite else { throw .headingNotFinite(heading) }
        guard fieldOfView.isFinite, fieldOfView > 0, fieldOfView <= 360 else { throw .fieldOfViewOutOfRange(fieldOfView) }
        guard range.isFinite, range > 0 else { throw .rangeNotPositive(range) }
        if let horizontalPixels, horizontalPixels <= 0 { throw .pixelsNotPositive(horizontalPixels) }
        self.id = id
        self.position = position
        self.mountHeight = mountHeight
        self.heading = CameraView.normalised(heading)
        self.fieldOfView = fieldOfView
        self.range = range
        self.horizontalPixels = horizontalPixels
        self.activeInterval = activeInterval
    }

    /// The ground distance up to which the camera reaches `level`, metres, capped by ``range``.
    ///
    /// Nil without a horizontal resolution; 0 when the level is not reached anywhere on the ground (the slant range is
    /// shorter than the mount height).
    public func doriRange(_ level: DORILevel) -> Double? {
        guard let horizontalPixels else { return nil }
        let pixels = Double(horizontalPixels)
        let slant: Double
        if fieldOfView < 180 {
            slant = pixels / (2 * tan(fieldOfView * .pi / 360) * level.pixelsPerMetre)
        } else {
            slant = pixels / (fieldOfView * .pi / 180 * level.pixelsPerMetre)
        }
        let ground = max(0, slant * slant - mountHeight * mountHeight).squareRoot()
        return min(range, ground)
    }

    /// Whether the camera records at `time` (always when it has no active interval or no time is given).
    public func isActive(at time: Date?) -> Bool {
        guard let time, let activeInterval else { return true }
        return activeInterval.contains(time)
    }

    /// `degrees` wrapped into 0..<360.
    static func normalised(_ degrees: Double) -> Double {
        let wrapped = degrees.truncatingRemainder(dividingBy: 360)
        let positive = wrapped < 0 ? wrapped + 360 : wrapped
        return positive >= 360 ? 0 : positive
    }
}
