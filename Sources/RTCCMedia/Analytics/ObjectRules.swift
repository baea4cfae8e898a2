import Foundation

/// One object an object detector found in a picture, its box in normalised coordinates.
public struct DetectedObject: Codable, Sendable, Hashable {
    /// What it is ("person", "car").
    public var label: String
    /// 0 … 1.
    public var confidence: Double
    /// Left edge, 0 … 1.
    public var minX: Double
    /// Top edge.
    public var minY: Double
    /// Right edge.
    public var maxX: Double
    /// Bottom edge.
    public var maxY: Double

    /// Creates a detection.
    public init(label: String, confidence: Double, minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.label = label
        self.confidence = confidence
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }
}

/// "A `label` in `zone` during `schedule`" — and, with `loiterSeconds`, "… for longer than that".
public struct ObjectRule: Codable, Sendable, Hashable {
    /// Shown in alerts ("person in the yard after 22:00").
    public var name: String
    /// Object label to look for.
    public var label: String
    /// Where.
    public var zone: PictureZone
    /// Lowest confidence that counts.
    public var minimumConfidence: Double
    /// When the rule applies.
    public var schedule: DailySchedule
    /// The object must stay this long (0: at once).
    public var loiterSeconds: Double

    /// Creates a rule.
    public init(name: String, label: String, zone: PictureZone, minimumConfidence: Double = 0.5, schedule: DailySchedule = .always, loiterSeconds: Double = 0) {
        self.name = name
        self.label = label
        self.zone = zone
        self.minimumConfidence = minimumConfidence
        self.schedule = schedule
        self.loiterSeconds = loiterSeconds
    }

    /// Problems with the rule (empty when valid).
    public func problems() -> [String] {
        var problems = zone.problems().map { "zone: \($0)" } + schedule.problems().map { "schedule: \($0)" }
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 100 { problems.append("name must be 1-100 characters") }
        if label.isEmpty || label.count > 40 { problems.append("label must be 1-40 characters") }
        if !(0...1).contains(minimumConfidence) { problems.append("minimumConfidence must be 0-1") }
        if !loiterSeconds.isFinite || !(0...86_400).contains(loiterSeconds) { problems.append("loiterSeconds must be 0-86400") }
        return problems
    }
}

/// Applies object rules to a camera's detections over time: a rule fires once when its object has been in the zone
/// (inside the schedule) for `loiterSeconds`, and can fire again only after the object has left.
public struct ObjectRuleTracker: Sendable {
    /// The rules.
    public let rules: [ObjectRule]
    private var since: [Int: Date] = [:]
    private var fired: Set<Int> = []

    /// Creates a tracker.
    public init(rules: [ObjectRule]) { self.rules = rules }

    /// Whether some rule's object is in its zone now (so detection should keep looking without motion).
    public var isTracking: Bool { !since.isEmpty }

    /// The rules that fire for the detections of a picture taken at `time`.
    public mutating func observe(_ objects: [DetectedObject], at time: Date) -> [ObjectRule] {
        var firing: [ObjectRule] = []
        for (index, rule) in rules.enumerated() {
            let present = rule.schedule.contains(time) && objects.contains {
                $0.label == rule.label && $0.confidence >= rule.minimumConfidence && rule.zone.overlaps(minX: $0.minX, minY: $0.minY, maxX: $0.maxX, maxY: $0.maxY)
            }
            guard present else {
                since[index] = nil
                fired.remove(index)
                continue
            }
            let start = since[index] ?? time
            since[index] = start
            if !fired.contains(index), time.timeIntervalSince(start) >= rule.loiterSeconds {
                fired.insert(index)
                firing.append(rule)
            }
        }
        return firing
    }
}
