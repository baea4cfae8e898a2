import Foundation

/// A point in a camera's picture, normalised: x from 0 (left) to 1 (right), y from 0 (top) to 1 (bottom).
public struct PicturePoint: Codable, Sendable, Hashable {
    /// Horizontal position, 0…1.
    public var x: Double
    /// Vertical position, 0…1.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// Polygons over the private areas of one camera's picture (a neighbour's window, a back yard). Masked pixels are
/// blacked out before any picture reaches a user without the `unmask` permission.
public struct PrivacyMask: Codable, Sendable, Hashable {
    /// The polygons, each 3-64 points in picture coordinates.
    public var polygons: [[PicturePoint]]

    /// Creates a mask.
    public init(polygons: [[PicturePoint]]) { self.polygons = polygons }

    /// Whether nothing is masked.
    public var isEmpty: Bool { polygons.isEmpty }

    /// Checks the polygons: at most 16, each of 3-64 points inside the picture, with some area.
    public func validate() throws(ValidationError) {
        var errors: [FieldError] = []
        if polygons.count > 16 { errors.append(FieldError(field: "polygons", reason: "at most 16 polygons per camera")) }
        for (index, polygon) in polygons.prefix(16).enumerated() {
            let field = "polygons[\(index)]"
            if polygon.count < 3 || polygon.count > 64 {
                errors.append(FieldError(field: field, reason: "needs 3 to 64 points"))
                continue
            }
            if polygon.contains(where: { !$0.x.isFinite || !$0.y.isFinite || !(0...1).contains($0.x) || !(0...1).contains($0.y) }) {
                errors.append(FieldError(field: field, reason: "points must lie in the picture: x and y from 0 to 1"))
            } else if abs(Self.area(polygon)) < 1e-6 {
                errors.append(FieldError(field: field, reason: "has no area: its points lie on a line"))
            }
        }
        try ValidationError.check(errors)
    }

    /// Shoelace area in picture units (signed).
    static func area(_ polygon: [PicturePoint]) -> Double {
        var sum = 0.0
        for index in polygon.indices {
            let a = polygon[index], b = polygon[(index + 1) % polygon.count]
            sum += a.x * b.y - b.x * a.y
        }
        return sum / 2
    }

    /// Whether the pixel centre `(x, y)` of a `width` × `height` picture is masked (even-odd rule per polygon).
    public func covers(x: Int, y: Int, width: Int, height: Int) -> Bool {
        let px = (Double(x) + 0.5) / Double(width), py = (Double(y) + 0.5) / Double(height)
        return polygons.contains { Self.contains($0, px, py) }
    }

    static func contains(_ polygon: [PicturePoint], _ px: Double, _ py: Double) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let a = polygon[i], b = polygon[j]
            if (a.y > py) != (b.y > py), px < (b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    /// The mask as a PAM image (`P7`, `RGB_ALPHA`): opaque black over masked pixels, transparent elsewhere, ready for
    /// ffmpeg's `overlay` filter.
    public func pam(width: Int, height: Int) -> Data {
        var data = Data("P7\nWIDTH \(width)\nHEIGHT \(height)\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n".utf8)
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            // Scanline fill: find where each polygon's edges cross this row, then fill between pairs.
            let py = (Double(y) + 0.5) / Double(height)
            for polygon in polygons {
                var crossings: [Double] = []
                var j = polygon.count - 1
                for i in polygon.indices {
                    let a = polygon[i], b = polygon[j]
                    if (a.y > py) != (b.y > py) { crossings.append(((b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x) * Double(width)) }
                    j = i
                }
                crossings.sort()
                var index = 0
                while index + 1 < crossings.count {
                    let start = max(0, Int((crossings[index] - 0.5).rounded(.up))), end = min(width - 1, Int((crossings[index + 1] - 0.5).rounded(.down)))
                    if start <= end {
                        for x in start...end { pixels[(y * width + x) * 4 + 3] = 255 }
                    }
                    index += 2
                }
            }
        }
        data.append(contentsOf: pixels)
        return data
    }
}
