import Foundation
import Logging
import RTCCCore
import RTCCMedia

/// Watches one camera's decoded frames: motion in a zone during the schedule raises a `motion` alert (then none for the
/// cool-down), and, with detection configured, pictures with motion are sent to the detection service whose objects
/// go through the camera's rules; a rule that fires raises a `detection` alert. Alerts bookmark the camera's recording.
public struct CameraWatcher: Sendable {
    let services: AppServices
    let camera: Camera
    let settings: AnalyticsSettings
    let logger: Logger

    /// Creates a watcher of `camera` with its settings.
    public init(services: AppServices, camera: Camera, settings: AnalyticsSettings, logger: Logger) {
        self.services = services
        self.camera = camera
        self.settings = settings
        self.logger = logger
    }

    /// Runs over `frames` until they end; `clock` gives each frame's time.
    public func run<Frames: AsyncSequence & Sendable>(_ frames: Frames, clock: @Sendable () -> Date = { Date() }) async throws where Frames.Element == GrayFrame {
        var detector = MotionDetector(settings: settings.motion)
        var tracker = ObjectRuleTracker(rules: settings.detection?.rules ?? [])
        let client = settings.detection.flatMap { URL(string: $0.url) }.map(DetectionClient.init)
        var lastMotionAlert: Date?
        var lastDetection: Date?
        for try await frame in frames {
            let now = clock()
            let motion = detector.process(frame)
            if !motion.isEmpty, settings.schedule.contains(now), lastMotionAlert.map({ now.timeIntervalSince($0) >= settings.cooldownSeconds }) ?? true {
                lastMotionAlert = now
                let zones = motion.map { "\($0.zone) (\(Int(($0.changedFraction * 100).rounded()))%)" }.joined(separator: ", ")
                try await raise(.motion, severity: .low, title: "Motion in \(motion.map(\.zone).joined(separator: ", ")) on \(camera.name)",
                                detail: "changed: \(zones)", at: now)
            }
            guard let client, let detection = settings.detection, !motion.isEmpty || tracker.isTracking,
                lastDetection.map({ now.timeIntervalSince($0) >= detection.intervalSeconds }) ?? true
            else { continue }
            lastDetection = now
            do {
                let objects = try await client.detect(frame)
                for rule in tracker.observe(objects, at: now) {
                    try await raise(.detection, severity: .high, title: "\(rule.name) on \(camera.name)",
                                    detail: "\(rule.label) in \(rule.zone.name)" + (rule.loiterSeconds > 0 ? " for \(Int(rule.loiterSeconds)) s" : ""), at: now)
                }
            } catch let failure as DetectionClient.Failure {
                logger.warning("object detection failed", metadata: ["camera": "\(camera.id)", "error": "\(failure.description)"])
            }
        }
    }

    private func raise(_ kind: Alert.Kind, severity: Alert.Severity, title: String, detail: String, at time: Date) async throws {
        let span = TimeInterval(services.config.bookmarkSeconds)
        let bookmark = AlertBookmark(
            cameraID: camera.id, cameraName: camera.name, distanceM: 0, from: time.addingTimeInterval(-span).millisecondPrecision,
            until: time.addingTimeInterval(span).millisecondPrecision)
        let alert = Alert(kind: kind, severity: severity, title: title, detail: detail, raisedAt: time.millisecondPrecision, cameraID: camera.id, location: camera.location)
        try await LeadDesk(services: services).raise(alert, bookmarks: [bookmark], by: "analytics")
    }
}
