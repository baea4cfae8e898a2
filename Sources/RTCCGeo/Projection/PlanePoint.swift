import Foundation

/// A point in a ``LocalProjection``'s plane: metres east and north of its origin.
public struct PlanePoint: Sendable, Hashable {
    /// Metres east of the origin.
    public var x: Double
    /// Metres north of the origin.
    public var y: Double

    /// Creates a plane point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Euclidean distance to `other`, metres.
    public func distance(to other: PlanePoint) -> Double {
        ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()
    }
}

/// An axis-aligned rectangle in the plane.
public struct PlaneBox: Sendable, Hashable {
    /// Smallest x (west edge), metres.
    public var minX: Double
    /// Smallest y (south edge), metres.
    public var minY: Double
    /// Largest x (east edge), metres.
    public var maxX: Double
    /// Largest y (north edge), metres.
    public var maxY: Double

    /// Creates a box from its edges.
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The smallest box holding every point; nil for no points.
    public init?(enclosing points: some Sequence<PlanePoint>) {
        var box: PlaneBox?
        for p in points {
            if var b = box {
                b.minX = min(b.minX, p.x)
                b.minY = min(b.minY, p.y)
                b.maxX = max(b.maxX, p.x)
                b.maxY = max(b.maxY, p.y)
                box = b
            } else {
                box = PlaneBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)
            }
        }
        guard let box else { return nil }
        self = box
    }

    /// Whether the two boxes share any point (edges included).
    public func intersects(_ other: PlaneBox) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    /// The smallest box holding both.
    public func union(_ other: PlaneBox) -> PlaneBox {
        PlaneBox(minX: min(minX, other.minX), minY: min(minY, other.minY), maxX: max(maxX, other.maxX), maxY: max(maxY, other.maxY))
    }
}
