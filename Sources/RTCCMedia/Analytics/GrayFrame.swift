import Foundation

/// One decoded picture as 8-bit luminance, row by row (what ffmpeg writes for `-pix_fmt gray -f rawvideo`).
public struct GrayFrame: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width × height` luminance values.
    public let pixels: [UInt8]

    /// Wraps pixels; nil unless there are exactly `width × height` of them.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, pixels.count == width * height else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A frame of one value (tests, blank input).
    public init(width: Int, height: Int, filledWith value: UInt8) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: value, count: width * height)
    }

    /// The picture as a binary PGM (P5) file, which image services decode like a JPEG.
    public var pgm: Data {
        var data = Data("P5\n\(width) \(height)\n255\n".utf8)
        data.append(contentsOf: pixels)
        return data
    }
}

/// A point in normalised picture coordinates: (0, 0) top left, (1, 1) bottom right.
public struct PicturePoint: Codable, Sendable, Hashable {
    /// 0 … 1 from the left edge.
    public var x: Double
    /// 0 … 1 from the top edge.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// An area of the picture to watch, as a polygon in normalised coordinates.
public struct PictureZone: Codable, Sendable, Hashable {
    /// Shown in alerts ("driveway").
    public var name: String
    /// At least three corners, in order.
    public var polygon: [PicturePoint]

    /// Creates a zone.
    public init(name: String, polygon: [PicturePoint]) {
        self.name = name
        self.polygon = polygon
    }

    /// The whole picture.
    public static func whole(_ name: String = "whole picture") -> PictureZone {
        PictureZone(name: name, polygon: [.init(x: 0, y: 0), .init(x: 1, y: 0), .init(x: 1, y: 1), .init(x: 0, y: 1)])
    }

    /// Problems with the zone (empty when valid).
    public func problems() -> [String] {
        var problems: [String] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 60 { problems.append("name must be 1-60 characters") }
        if polygon.count < 3 || polygon.count > 64 { problems.append("polygon must have 3-64 points") }
        if polygon.contains(where: { !(0...1).contains($0.x) || !(0...1).contains($0.y) }) {
            problems.append("every point must lie in the picture: x and y from 0 to 1")
        }
        return problems
    }

    /// Whether the normalised point lies inside (even-odd rule).
    public func contains(_ point: PicturePoint) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let a = polygon[i], b = polygon[j]
            if (a.y > point.y) != (b.y > point.y), point.x < (b.x - a.x) * (point.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Whether a normalised box overlaps the zone: its centre or any corner lies inside.
    public func overlaps(minX: Double, minY: Double, maxX: Double, maxY: Double) -> Bool {
        let points = [PicturePoint(x: (minX + maxX) / 2, y: (minY + maxY) / 2), .init(x: minX, y: minY), .init(x: maxX, y: minY),
                      .init(x: maxX, y: maxY), .init(x: minX, y: maxY)]
        return points.contains(where: contains)
    }

    /// The pixel indices of a `width × height` picture whose centres lie inside.
    func mask(width: Int, height: Int) -> [Int] {
        var indices: [Int] = []
        for row in 0..<height {
            let y = (Double(row) + 0.5) / Double(height)
            for column in 0..<width where contains(PicturePoint(x: (Double(column) + 0.5) / Double(width), y: y)) {
                indices.append(row * width + column)
            }
        }
        return indices
    }
}

/// Hours of the day a rule applies, in a time zone: `start` to `end` minutes after midnight, across midnight when
/// `end` < `start` (22:00-06:00); every day when `days` is empty, else only on those weekdays (1 = Sunday … 7).
public struct DailySchedule: Codable, Sendable, Hashable {
    /// Minutes after midnight the window opens.
    public var startMinute: Int
    /// Minutes after midnight it closes.
    public var endMinute: Int
    /// Weekdays (Calendar numbering, 1 = Sunday); empty for every day.
    public var days: [Int]
    /// Time zone identifier ("America/Chicago").
    public var timeZone: String

    /// Creates a schedule.
    public init(startMinute: Int, endMinute: Int, days: [Int] = [], timeZone: String = "UTC") {
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.days = days
        self.timeZone = timeZone
    }

    /// Always on.
    public static let always = DailySchedule(startMinute: 0, endMinute: 1440)

    /// Problems with the schedule (empty when valid).
    public func problems() -> [String] {
        var problems: [String] = []
        if !(0...1440).contains(startMinute) || !(0...1440).contains(endMinute) { problems.append("startMinute and endMinute must be 0-1440") }
        if days.contains(where: { !(1...7).contains($0) }) { problems.append("days must be weekdays 1 (Sunday) to 7 (Saturday)") }
        if TimeZone(identifier: timeZone) == nil { problems.append("timeZone \(timeZone) is not a known time zone") }
        return problems
    }

    /// Whether `date` falls inside the window.
    public func contains(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if startMinute <= endMinute {
            guard minute >= startMinute, minute < endMinute else { return false }
            return days.isEmpty || days.contains(parts.weekday ?? 0)
        }
        // Across midnight: the part after midnight belongs to the previous day's window.
        if minute >= startMinute { return days.isEmpty || days.contains(parts.weekday ?? 0) }
        guard minute < endMinute else { return false }
        let previous = ((parts.weekday ?? 1) + 5) % 7 + 1
        return days.isEmpty || days.contains(previous)
    }
}
