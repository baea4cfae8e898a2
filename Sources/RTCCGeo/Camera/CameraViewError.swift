import Foundation

/// Why a camera's view could not be built; each message says which value to fix.
public enum CameraViewError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The horizontal field of view is not in 0 < fov ≤ 360 degrees.
    case fieldOfViewOutOfRange(Double)
    /// The range is not a positive finite number of metres.
    case rangeNotPositive(Double)
    /// The mount height is negative or not finite.
    case mountHeightInvalid(Double)
    /// The heading is not a finite number.
    case headingNotFinite(Double)
    /// The position is not a finite latitude in −90…90 and longitude in −180…180.
    case positionInvalid(latitude: Double, longitude: Double)
    /// The horizontal resolution is not a positive number of pixels.
    case pixelsNotPositive(Int)

    /// A message naming the bad value and the accepted range.
    public var description: String {
        switch self {
        case .fieldOfViewOutOfRange(let fov):
            "field of view \(fov)° is out of range: give a horizontal field of view greater than 0 and at most 360 degrees"
        case .rangeNotPositive(let range): "range \(range) m is invalid: give a positive number of metres"
        case .mountHeightInvalid(let height): "mount height \(height) m is invalid: give 0 or more metres above the ground"
        case .headingNotFinite(let heading): "heading \(heading) is not a number: give degrees clockwise from north"
        case .positionInvalid(let latitude, let longitude):
            "position \(latitude), \(longitude) is invalid: latitude must be in -90…90 and longitude in -180…180 degrees"
        case .pixelsNotPositive(let pixels): "horizontal resolution \(pixels) px is invalid: give a positive number of pixels or none"
        }
    }
}
