import Foundation
import Hummingbird
import RTCCCore
import RTCCMedia

/// What a camera's analytics do: motion detection in zones during a schedule, and optionally object detection by a
/// DeepStack / CodeProject.AI compatible service with rules ("person in the yard after 22:00", "loitering > 60 s").
/// Frames are decoded by ffmpeg from the camera's sub stream (else its main stream) as small grey pictures.
public struct AnalyticsSettings: Codable, Sendable, Hashable {
    /// Object detection by an HTTP service.
    public struct Detection: Codable, Sendable, Hashable {
        /// `http(s)://host:port` of the service; `/v1/vision/detection` is appended.
        public var url: String
        /// Rules on what it finds.
        public var rules: [ObjectRule]
        /// At most one request per this many seconds (detection runs when motion is seen).
        public var intervalSeconds: Double

        /// Creates detection settings.
        public init(url: String, rules: [ObjectRule], intervalSeconds: Double = 1) {
            self.url = url
            self.rules = rules
            self.intervalSeconds = intervalSeconds
        }
    }

    /// Whether analytics run for the camera.
    public var enabled: Bool
    /// Frames a second decoded (0.5 … 10).
    public var fps: Double
    /// Decoded picture width in pixels (height keeps 16:9).
    public var width: Int
    /// Zones, sensitivity and minimum area.
    public var motion: MotionDetector.Settings
    /// When motion raises alerts.
    public var schedule: DailySchedule
    /// After a motion alert, no other for this many seconds.
    public var cooldownSeconds: Double
    /// Object detection, if any.
    public var detection: Detection?

    /// Creates settings.
    public init(
        enabled: Bool = true, fps: Double = 2, width: Int = 160, motion: MotionDetector.Settings = .init(), schedule: DailySchedule = .always,
        cooldownSeconds: Double = 60, detection: Detection? = nil
    ) {
        self.enabled = enabled
        self.fps = fps
        self.width = width
        self.motion = motion
        self.schedule = schedule
        self.cooldownSeconds = cooldownSeconds
        self.detection = detection
    }

    /// Decoded picture height.
    public var height: Int { max(2, (width * 9 / 16) / 2 * 2) }

    /// The keys a settings document may have.
    static let keys: Set<String> = ["enabled", "fps", "width", "motion", "schedule", "cooldownSeconds", "detection"]

    /// Reads and checks a settings document; every problem is reported at once.
    static func parse(_ data: Data) throws -> AnalyticsSettings {
        let object = try Request.jsonObject(data)
        _ = try JSONFields(object, allowed: keys)
        let settings = try Request.decode(AnalyticsSettings.self, from: data)
        try ValidationError.check(settings.problems())
        return settings
    }

    /// Problems as field errors.
    func problems() -> [FieldError] {
        var errors: [FieldError] = []
        if !fps.isFinite || !(0.5...10).contains(fps) { errors.append(FieldError(field: "fps", reason: "must be 0.5-10 frames a second")) }
        if !(64...640).contains(width) { errors.append(FieldError(field: "width", reason: "must be 64-640 pixels")) }
        errors += motion.problems().map { FieldError(field: "motion", reason: $0) }
        errors += schedule.problems().map { FieldError(field: "schedule", reason: $0) }
        if !cooldownSeconds.isFinite || !(0...86_400).contains(cooldownSeconds) {
            errors.append(FieldError(field: "cooldownSeconds", reason: "must be 0-86400"))
        }
        if let detection {
            if URL(string: detection.url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
                errors.append(FieldError(field: "detection.url", reason: "must be an http:// or https:// URL of a DeepStack / CodeProject.AI server"))
            }
            if detection.rules.isEmpty || detection.rules.count > 32 { errors.append(FieldError(field: "detection.rules", reason: "must hold 1-32 rules")) }
            for (index, rule) in detection.rules.enumerated() {
                errors += rule.problems().map { FieldError(field: "detection.rules[\(index)]", reason: $0) }
            }
            if !detection.intervalSeconds.isFinite || !(0.1...3600).contains(detection.intervalSeconds) {
                errors.append(FieldError(field: "detection.intervalSeconds", reason: "must be 0.1-3600"))
            }
        }
        return errors
    }
}
