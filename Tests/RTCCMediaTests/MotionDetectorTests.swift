import Foundation
import RTCCMedia
import Testing

@Suite struct MotionDetectorTests {
    /// The top half of the picture.
    static let yard = PictureZone(name: "yard", polygon: [.init(x: 0, y: 0), .init(x: 1, y: 0), .init(x: 1, y: 0.5), .init(x: 0, y: 0.5)])

    /// An MP4 of a white box crossing a grey picture from left to right at height `y` (pixels of 180), made by ffmpeg's lavfi.
    static func movingBoxClip(y: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("motion-\(y)-\(UUID().uuidString).mp4")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-y", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
            "-i", "color=c=gray:s=320x180:r=10:d=4[bg];color=c=white:s=30x30:r=10[box];[bg][box]overlay=x='20+60*t':y=\(y):shortest=1",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", url.path,
        ]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ffmpeg made the clip")
        return url
    }

    /// Runs the clip through ffmpeg (2 fps, 160×90 grey) and the detector; returns how many frames had motion per zone.
    static func motionFrames(_ clip: URL, zones: [PictureZone]) async throws -> [String: Int] {
        var detector = MotionDetector(settings: MotionDetector.Settings(zones: zones, sensitivity: 60, minimumArea: 0.01))
        var counts: [String: Int] = [:]
        var frames = 0
        for try await frame in FFmpegGrayFrames.frames(of: clip.path, width: 160, height: 90, fps: 2) {
            frames += 1
            for motion in detector.process(frame) { counts[motion.zone, default: 0] += 1 }
        }
        #expect(frames >= 7, "ffmpeg decoded \(frames) frames of 4 s at 2 fps")
        return counts
    }

    @Test func decodingSomethingThatIsNotVideoEndsWithAFailureNamingIt() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-clip-\(UUID().uuidString).mp4").path
        var frames = 0
        do {
            for try await _ in FFmpegGrayFrames.frames(of: missing, width: 160, height: 90, fps: 2) { frames += 1 }
            Issue.record("decoding a missing file ended without an error")
        } catch let failure as FFmpegGrayFrames.Failure {
            #expect(failure.description.contains("ffmpeg stopped decoding \(missing.prefix(80))"))
        }
        #expect(frames == 0)
    }

    @Test func aBoxMovingInsideTheZoneIsMotionAndOneMovingOutsideIsNot() async throws {
        let inside = try Self.movingBoxClip(y: 20)
        let outside = try Self.movingBoxClip(y: 130)
        defer {
            try? FileManager.default.removeItem(at: inside)
            try? FileManager.default.removeItem(at: outside)
        }
        let whole = PictureZone.whole()
        let seenInside = try await Self.motionFrames(inside, zones: [Self.yard, whole])
        let seenOutside = try await Self.motionFrames(outside, zones: [Self.yard, whole])
        #expect(seenInside["yard", default: 0] >= 5, "\(seenInside)")
        #expect(seenOutside["yard", default: 0] == 0, "\(seenOutside)")
        #expect(seenOutside[whole.name, default: 0] >= 5, "the box outside the zone still moves: \(seenOutside)")
    }

    @Test func aStillPictureAndSlowLightingChangesAreNoMotion() {
        var detector = MotionDetector(settings: MotionDetector.Settings(zones: [.whole()], sensitivity: 60, minimumArea: 0.01))
        var motion = 0
        for step in 0..<40 {
            motion += detector.process(GrayFrame(width: 32, height: 18, filledWith: UInt8(100 + step / 2))).count
        }
        #expect(motion == 0)
    }

    @Test func minimumAreaIgnoresChangesSmallerThanItsShareOfTheZone() {
        var strict = MotionDetector(settings: MotionDetector.Settings(zones: [.whole()], sensitivity: 80, minimumArea: 0.2))
        var loose = MotionDetector(settings: MotionDetector.Settings(zones: [.whole()], sensitivity: 80, minimumArea: 0.05))
        let blank = GrayFrame(width: 10, height: 10, filledWith: 0)
        var pixels = [UInt8](repeating: 0, count: 100)
        for index in 0..<10 { pixels[index] = 255 }
        let spot = GrayFrame(width: 10, height: 10, pixels: pixels)!
        _ = strict.process(blank)
        _ = loose.process(blank)
        #expect(strict.process(spot).isEmpty)
        #expect(loose.process(spot).map(\.changedFraction) == [0.1])
    }

    @Test func framesAreCutFromPiecesOfAnyLength() {
        var reader = GrayFrameReader(width: 4, height: 2)
        let bytes = (0..<20).map { UInt8($0) }
        #expect(reader.append(bytes[0..<3]).isEmpty)
        let frames = reader.append(bytes[3..<17])
        #expect(frames.map(\.pixels) == [Array(0..<8), Array(8..<16)])
        #expect(reader.append(bytes[17..<20]).isEmpty)
    }

    @Test func schedulesAcrossMidnightBelongToTheDayTheyStart() throws {
        // 22:00-06:00 on Fridays (weekday 6) in Chicago.
        let friday = DailySchedule(startMinute: 22 * 60, endMinute: 6 * 60, days: [6], timeZone: "America/Chicago")
        func at(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }
        #expect(friday.contains(try at("2026-11-28T04:30:00Z")))  // Fri 22:30 CST
        #expect(friday.contains(try at("2026-11-28T10:00:00Z")))  // Sat 04:00 CST, still Friday night
        #expect(!friday.contains(try at("2026-11-28T13:00:00Z")))  // Sat 07:00
        #expect(!friday.contains(try at("2026-11-29T04:30:00Z")))  // Sat 22:30
        #expect(DailySchedule.always.contains(Date()))
    }

    @Test func aPersonInTheZoneFiresOnceAfterLoiteringAndAgainOnlyAfterLeaving() {
        let rule = ObjectRule(name: "person loitering in the yard", label: "person", zone: Self.yard, minimumConfidence: 0.6, loiterSeconds: 10)
        var tracker = ObjectRuleTracker(rules: [rule])
        let person = DetectedObject(label: "person", confidence: 0.9, minX: 0.2, minY: 0.1, maxX: 0.3, maxY: 0.4)
        let car = DetectedObject(label: "car", confidence: 0.9, minX: 0.2, minY: 0.1, maxX: 0.3, maxY: 0.4)
        let below = DetectedObject(label: "person", confidence: 0.9, minX: 0.2, minY: 0.7, maxX: 0.3, maxY: 0.9)
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        var fired: [Double] = []
        for second in stride(from: 0.0, through: 30, by: 2) {
            let objects = second < 20 ? [person, car] : second < 24 ? [below] : [person]
            if !tracker.observe(objects, at: start.addingTimeInterval(second)).isEmpty { fired.append(second) }
        }
        #expect(fired == [10])
        var later = ObjectRuleTracker(rules: [rule])
        var again: [Double] = []
        for second in stride(from: 0.0, through: 50, by: 2) {
            let objects = second < 20 || second >= 26 ? [person] : []
            if !later.observe(objects, at: start.addingTimeInterval(second)).isEmpty { again.append(second) }
        }
        #expect(again == [10, 36])
        var faint = ObjectRuleTracker(rules: [rule])
        #expect(faint.observe([DetectedObject(label: "person", confidence: 0.3, minX: 0.2, minY: 0.1, maxX: 0.3, maxY: 0.4)], at: start).isEmpty)
    }
}
