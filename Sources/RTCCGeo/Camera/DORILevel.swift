import Foundation

/// The four DORI levels of IEC 62676-4, each a pixel density on the target.
///
/// Levels are ordered: `identify` is the best, and a point seen at one level is seen at every level below it.
public enum DORILevel: Int, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// 25 px/m: a person can be told from an object.
    case detect
    /// 62.5 px/m: clothing and what a person is doing.
    case observe
    /// 125 px/m: a person known to the viewer can be recognised.
    case recognise
    /// 250 px/m: a stranger can be identified beyond reasonable doubt.
    case identify

    /// Pixels per metre on the target that this level needs.
    public var pixelsPerMetre: Double {
        switch self {
        case .detect: 25
        case .observe: 62.5
        case .recognise: 125
        case .identify: 250
        }
    }

    /// The level's name as written in files and reports (`detect`, `observe`, `recognise`, `identify`).
    public var name: String {
        switch self {
        case .detect: "detect"
        case .observe: "observe"
        case .recognise: "recognise"
        case .identify: "identify"
        }
    }

    /// The level with this name (also accepts the American `recognize`), or nil.
    public init?(name: String) {
        switch name.lowercased() {
        case "detect": self = .detect
        case "observe": self = .observe
        case "recognise", "recognize": self = .recognise
        case "identify": self = .identify
        default: return nil
        }
    }

    /// Orders levels from `detect` (lowest) to `identify` (highest).
    public static func < (lhs: DORILevel, rhs: DORILevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
