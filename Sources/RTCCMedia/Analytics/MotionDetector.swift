import Foundation

/// Motion in one zone of a camera's picture: the share of its pixels that changed.
public struct ZoneMotion: Sendable, Hashable {
    /// The zone's name.
    public var zone: String
    /// Changed pixels ÷ the zone's pixels, 0 … 1.
    public var changedFraction: Double
}

/// Motion detection on low-resolution grey frames: each pixel is compared with a slowly adapting background; a pixel
/// whose luminance differs by more than the sensitivity's threshold has changed, and a zone with at least
/// `minimumArea` of its pixels changed has motion. Lighting drifts into the background instead of raising motion.
public struct MotionDetector: Sendable {
    /// How a camera's motion is judged.
    public struct Settings: Codable, Sendable, Hashable {
        /// Where to look.
        public var zones: [PictureZone]
        /// 1 (only large, strong changes) … 100 (the faintest change): sets the luminance threshold.
        public var sensitivity: Int
        /// Share of a zone that must change, 0 … 1.
        public var minimumArea: Double

        /// Creates settings.
        public init(zones: [PictureZone] = [.whole()], sensitivity: Int = 50, minimumArea: Double = 0.01) {
            self.zones = zones
            self.sensitivity = sensitivity
            self.minimumArea = minimumArea
        }

        /// Luminance difference (0-255) above which a pixel counts as changed.
        public var threshold: Int { max(4, Int((Double(101 - min(max(sensitivity, 1), 100)) * 1.2).rounded())) }

        /// Problems with the settings (empty when valid).
        public func problems() -> [String] {
            var problems: [String] = []
            if zones.isEmpty || zones.count > 16 { problems.append("zones must hold 1-16 zones") }
            for (index, zone) in zones.enumerated() { problems += zone.problems().map { "zones[\(index)]: \($0)" } }
            if !(1...100).contains(sensitivity) { problems.append("sensitivity must be 1-100") }
            if !minimumArea.isFinite || !(0.0001...1).contains(minimumArea) { problems.append("minimumArea must be 0.0001-1 (a share of the zone)") }
            return problems
        }
    }

    /// The settings in use.
    public let settings: Settings
    private var background: [Float] = []
    private var masks: [[Int]] = []
    private var size = (width: 0, height: 0)
    /// How fast the background follows the picture (per frame).
    private let learningRate: Float = 0.05

    /// Creates a detector with no background yet.
    public init(settings: Settings) { self.settings = settings }

    /// Compares `frame` with the background and learns it; returns the zones with motion (none for the first frame, or
    /// after the picture size changes).
    public mutating func process(_ frame: GrayFrame) -> [ZoneMotion] {
        if frame.width != size.width || frame.height != size.height {
            size = (frame.width, frame.height)
            masks = settings.zones.map { $0.mask(width: frame.width, height: frame.height) }
            background = frame.pixels.map(Float.init)
            return []
        }
        let threshold = Float(settings.threshold)
        var changed = [Bool](repeating: false, count: frame.pixels.count)
        for index in frame.pixels.indices {
            let value = Float(frame.pixels[index])
            let difference = abs(value - background[index])
            changed[index] = difference > threshold
            // Changed pixels are learnt slowly so that a moving object does not burn into the background.
            background[index] += (value - background[index]) * (changed[index] ? learningRate / 5 : learningRate)
        }
        var motion: [ZoneMotion] = []
        for (zone, mask) in zip(settings.zones, masks) where !mask.isEmpty {
            let count = mask.reduce(0) { $0 + (changed[$1] ? 1 : 0) }
            let fraction = Double(count) / Double(mask.count)
            if fraction >= settings.minimumArea { motion.append(ZoneMotion(zone: zone.name, changedFraction: fraction)) }
        }
        return motion
    }
}

/// Splits a byte stream into fixed-size grey frames (ffmpeg's rawvideo output arrives in arbitrary pieces).
public struct GrayFrameReader: Sendable {
    /// Frame width.
    public let width: Int
    /// Frame height.
    public let height: Int
    private var pending: [UInt8] = []

    /// Creates a reader for `width × height` frames.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The complete frames the bytes finish, in order; the remainder waits for more.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [GrayFrame] {
        pending.append(contentsOf: bytes)
        let size = width * height
        var frames: [GrayFrame] = []
        var start = 0
        while pending.count - start >= size {
            if let frame = GrayFrame(width: width, height: height, pixels: Array(pending[start..<start + size])) { frames.append(frame) }
            start += size
        }
        if start > 0 { pending.removeFirst(start) }
        return frames
    }

    /// The ffmpeg arguments that decode `input` into frames of this size at `fps` frames a second.
    public func ffmpegArguments(input: String, fps: Double, realtime: Bool = false) -> [String] {
        var arguments = ["-hide_banner", "-nostdin", "-loglevel", "error"]
        if input.hasPrefix("rtsp://") { arguments += ["-rtsp_transport", "tcp"] }
        if realtime { arguments += ["-re"] }
        arguments += ["-i", input, "-an", "-vf", "fps=\(fps),scale=\(width):\(height)", "-pix_fmt", "gray", "-f", "rawvideo", "pipe:1"]
        return arguments
    }
}
