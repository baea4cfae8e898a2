import Foundation

/// How a camera stream is doing, as a ``CameraRecorder`` sees it.
public struct CameraHealth: Sendable, Hashable {
    /// The link state.
    public enum State: String, Sendable, Hashable {
        /// Connecting or waiting for the first frame.
        case connecting
        /// Frames are arriving.
        case streaming
        /// Frames arrive, but packets were lost recently.
        case degraded
        /// No session; the recorder waits to reconnect.
        case down
        /// Video arrives but cannot be written (disk full, folder unwritable); the recorder retries with back-off.
        case recordingFailed = "recording_failed"
    }

    /// The link state.
    public var state: State
    /// Why the state is not `streaming` (a failure or loss description), if it is not.
    public var reason: String?
    /// Frames per second over the last few seconds.
    public var framesPerSecond: Double
    /// Video bits per second over the last few seconds.
    public var bitrate: Double
    /// When the last frame arrived.
    public var lastFrameAt: Date?
    /// Sessions started after the first.
    public var reconnects: Int
    /// RTP packets lost since the recorder started.
    public var packetsLost: Int
    /// The camera's clock minus the server's at its last RTCP sender report, seconds (nil before one arrived). Footage
    /// is timed by the server's clock whenever this is beyond the recorder's tolerance.
    public var clockOffset: TimeInterval?
    /// Times the recorder re-anchored the camera's timeline on arrival because its timing strayed (a clock jump,
    /// a fast or slow clock, a stall with timestamps standing still).
    public var clockReanchors = 0
    /// Frames handed to the segment writer since the recorder started.
    public var framesRecorded: Int

    /// Creates a health value; everything but the state defaults to zero or nil.
    public init(
        state: State, reason: String? = nil, framesPerSecond: Double = 0, bitrate: Double = 0, lastFrameAt: Date? = nil,
        reconnects: Int = 0, packetsLost: Int = 0, framesRecorded: Int = 0
    ) {
        self.state = state
        self.reason = reason
        self.framesPerSecond = framesPerSecond
        self.bitrate = bitrate
        self.lastFrameAt = lastFrameAt
        self.reconnects = reconnects
        self.packetsLost = packetsLost
        self.framesRecorded = framesRecorded
    }
}

/// What a ``CameraRecorder`` announces.
public enum CameraRecorderEvent: Sendable, Hashable {
    /// The health changed (state, or the counters at least once a second while streaming).
    case health(CameraHealth)
    /// No frame arrived for the configured time; `lastFrameAt` is the last one seen, if any.
    case offline(lastFrameAt: Date?)
    /// Frames arrive again after ``offline(lastFrameAt:)``.
    case online(at: Date)
    /// An RTSP session started (PLAY succeeded); frames follow from the next keyframe.
    case sessionStarted(at: Date)
    /// A segment was sealed.
    case segmentSealed(RecordedSegment)
    /// Video could not be written; `reason` says why. Announced once per failure, not per frame.
    case recordingFailed(reason: String)
    /// Writing works again after ``recordingFailed(reason:)``; frames between were not recorded.
    case recordingResumed(at: Date, framesLost: Int)
}

/// Frame rate and bitrate over a sliding window of arrivals.
struct RateMeter: Sendable {
    let window: Duration
    private var samples: [(at: ContinuousClock.Instant, bytes: Int)] = []

    init(window: Duration = .seconds(2)) {
        self.window = window
    }

    mutating func record(bytes: Int, at instant: ContinuousClock.Instant) {
        samples.append((instant, bytes))
        let cutoff = instant - window
        if let keep = samples.firstIndex(where: { $0.at >= cutoff }), keep > 0 { samples.removeFirst(keep) }
    }

    mutating func reset() { samples = [] }

    /// (frames per second, bits per second) over the window ending at `now`.
    func rates(now: ContinuousClock.Instant) -> (Double, Double) {
        let recent = samples.filter { now - $0.at <= window }
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        guard seconds > 0 else { return (0, 0) }
        return (Double(recent.count) / seconds, Double(recent.reduce(0) { $0 + $1.bytes }) * 8 / seconds)
    }
}
