import Foundation

/// The initialization segment of a live stream and what a player needs to open it.
public struct LiveInitialization: Sendable, Hashable {
    /// `ftyp` + `moov`.
    public var bytes: [UInt8]
    /// The video format the segment describes.
    public var format: VideoFormat
    /// The MIME type with codecs, for `MediaSource.isTypeSupported`, e.g. `video/mp4; codecs="avc1.64001F"`.
    public var mimeType: String
    /// Increases by one at every new initialization segment of the same live stream.
    public var version: Int
}

/// One picture of a live stream as a media fragment (`moof` + `mdat`) of its own.
public struct LiveFragment: Sendable, Hashable {
    /// The fragment's bytes.
    public var bytes: [UInt8]
    /// Whether a decoder can start here.
    public var isKeyframe: Bool
    /// Decode time on the stream's media timeline, in 90 kHz ticks.
    public var decodeTime: UInt64
    /// Presentation time on the stream's media timeline, seconds (what `requestVideoFrameCallback` reports as `mediaTime`).
    public var presentationSeconds: Double
    /// Duration, in 90 kHz ticks.
    public var duration: UInt32
    /// Wall-clock time of the picture (camera clock via RTCP, else arrival).
    public var wallClock: Date
    /// When the picture arrived at this server.
    public var receivedAt: Date
    /// The ``LiveInitialization/version`` this fragment belongs to.
    public var initializationVersion: Int
}

/// Turns recorded frames into a live fMP4 stream: one initialization segment per video format and
/// one fragment per picture, on a media timeline that never goes backwards.
///
/// The timeline follows the camera's decode times; where they jump (a reconnect, a camera restart,
/// a wrap) the timeline continues one frame later instead, so a player keeps playing across the
/// break. Pictures before the first keyframe of a format are dropped.
public struct LiveFragmenter: Sendable {
    /// The most a decode time may advance between two pictures before it counts as a break.
    public static let largestStep: Int64 = 5 * 90_000

    private var muxer: FMP4Muxer?
    private var version = 0
    private var previousInputDecodeTime: Int64?
    private var nextDecodeTime: UInt64 = 0
    private var previousDuration: Int64 = 3_000

    /// Creates a fragmenter whose timeline starts at zero.
    public init() {}

    /// The current initialization segment, once a keyframe has been seen.
    public private(set) var initialization: LiveInitialization?

    /// What one frame produced: a new initialization segment when the format changed, and the fragment.
    public struct Output: Sendable {
        /// Set when this frame starts a new format; send it before ``fragment``.
        public var initialization: LiveInitialization?
        /// The picture.
        public var fragment: LiveFragment
    }

    /// Adds the next frame in decoding order; nil while waiting for a keyframe.
    public mutating func push(_ frame: TimedVideoFrame) -> Output? {
        let unit = frame.accessUnit
        var announced: LiveInitialization?
        if muxer?.video != unit.format {
            guard unit.isKeyframe else { return nil }
            version += 1
            let fresh = FMP4Muxer(video: unit.format)
            muxer = fresh
            let segment = LiveInitialization(bytes: fresh.initializationSegment(), format: unit.format, mimeType: fresh.mimeType, version: version)
            initialization = segment
            announced = segment
        }
        guard var current = muxer else { return nil }
        if let previous = previousInputDecodeTime {
            let step = frame.timing.decodeTime - previous
            nextDecodeTime += UInt64(step > 0 && step <= Self.largestStep ? step : max(previousDuration, 1))
        }
        previousInputDecodeTime = frame.timing.decodeTime
        let duration = UInt32(clamping: max(frame.timing.duration, 1))
        previousDuration = Int64(duration)
        let offset = Int32(clamping: frame.timing.compositionOffset)
        current.nextVideoDecodeTime = nextDecodeTime
        let sample = FMP4Sample(accessUnit: unit, duration: duration, compositionOffset: offset)
        guard let bytes = try? current.fragment(video: [sample]) else { return nil }
        muxer = current
        let fragment = LiveFragment(
            bytes: bytes, isKeyframe: unit.isKeyframe, decodeTime: nextDecodeTime,
            presentationSeconds: Double(Int64(nextDecodeTime) + Int64(offset)) / 90_000, duration: duration, wallClock: frame.wallClock,
            receivedAt: frame.receivedAt, initializationVersion: version)
        return Output(initialization: announced, fragment: fragment)
    }
}
