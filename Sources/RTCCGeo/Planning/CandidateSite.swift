import Foundation

/// A place a camera could be mounted.
public struct CandidateSite: Sendable, Hashable {
    /// A name for reports (an address, a pole number); may be empty.
    public var name: String
    /// Where it is.
    public var position: Coordinate
    /// Height of the mount above the ground, metres.
    public var mountHeight: Double

    /// Creates a site.
    public init(name: String = "", position: Coordinate, mountHeight: Double = 4) {
        self.name = name
        self.position = position
        self.mountHeight = mountHeight
    }
}

/// The camera that could go on any site: its lens, range, and the headings it may be pointed at.
public struct CameraOption: Sendable, Hashable {
    /// Horizontal field of view, degrees.
    public var fieldOfView: Double
    /// Range, metres.
    public var range: Double
    /// Compass headings to choose from, degrees.
    public var headings: [Double]
    /// Horizontal resolution, pixels (needed for ``requiredLevel``).
    public var horizontalPixels: Int?
    /// When set, a cell counts as covered only where this DORI level is reached.
    public var requiredLevel: DORILevel?

    /// Creates an option.
    public init(fieldOfView: Double, range: Double, headings: [Double], horizontalPixels: Int? = nil, requiredLevel: DORILevel? = nil) {
        self.fieldOfView = fieldOfView
        self.range = range
        self.headings = headings
        self.horizontalPixels = horizontalPixels
        self.requiredLevel = requiredLevel
    }

    /// `count` headings evenly spaced from north (4 gives 0, 90, 180, 270).
    public static func evenHeadings(_ count: Int) -> [Double] {
        (0..<max(count, 0)).map { Double($0) * 360 / Double(count) }
    }
}
