import Foundation
import Logging
import RTCCCore
import RTCCMedia
import RTCCStore

/// Watches one camera's decoded frames: motion in a zone during the schedule raises a `motion` alert (then none for the
/// cool-down), and, with detection configured, pictures with motion are sent to the detection service whose objects
/// go through the camera's rules; a rule that fires raises a `detection` alert. Alerts bookmark the camera's recording.
/// The camera's privacy mask blacks out its pixels first: motion there raises nothing, and no masked pixel is sent to
/// the detection service.
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
        let client = settings.detection.flatMap { URL(string: $0.url) }.map { DetectionClient(base: $0, policy: services.config.outboundNetworks) }
        var lastMotionAlert: Date?
        var lastDetection: Date?
        let mask = try await services.store.community.mask(cameraID: camera.id)
        var masked: (width: Int, height: Int, pixels: [Int])?
        for try await decoded in frames {
            let now = clock()
            var frame = decoded
            if !mask.isEmpty {
                if masked.map({ $0.width != frame.width || $0.height != frame.height }) ?? true {
                    masked = (frame.width, frame.height, Self.maskedPixels(mask, width: frame.width, height: frame.height))
                }
                frame = Self.blackingOut(masked?.pixels ?? [], of: frame)
            }
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

    /// The indices of a `width` × `height` picture's pixels that `mask` covers.
    static func maskedPixels(_ mask: PrivacyMask, width: Int, height: Int) -> [Int] {
        var indices: [Int] = []
        for y in 0..<height {
            for x in 0..<width where mask.covers(x: x, y: y, width: width, height: height) { indices.append(y * width + x) }
        }
        return indices
    }

    /// `frame` with the pixels at `indices` black.
    static func blackingOut(_ indices: [Int], of frame: GrayFrame) -> GrayFrame {
        var pixels = frame.pixels
        for index in indices where index < pixels.count { pixels[index] = 0 }
        return GrayFrame(width: frame.width, height: frame.height, pixels: pixels) ?? frame
    }

    private func raise(_ kind: Alert.Kind, severity: Alert.Severity, title: String, detail: String, at time: Date) async throws {
        let desk = LeadDesk(services: services)
        let alert = Alert(kind: kind, severity: severity, title: title, detail: detail, raisedAt: time.millisecondPrecision, cameraID: camera.id, location: camera.location)
        try await desk.raise(alert, bookmarks: [desk.bookmark(of: camera, around: time)], by: "analytics")
    }
}
