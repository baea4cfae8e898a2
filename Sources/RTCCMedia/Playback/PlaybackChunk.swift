import Foundation

/// A stretch of recorded video as fragmented MP4 for a Media Source Extensions player: the
/// initialization segment, then fragments whose media time is wall-clock time minus an origin the
/// player chose, so that `currentTime + origin` is the wall-clock time on screen and several
/// cameras played with the same origin stay in step.
public struct PlaybackChunk: Sendable, Hashable {
    /// Initialization segment and fragments, ready to append.
    public var bytes: [UInt8]
    /// Wall-clock time of the first picture (a keyframe at or before the requested time).
    public var firstFrame: Date
    /// Wall-clock time just after the last picture.
    public var end: Date
    /// Pictures in the chunk.
    public var frames: Int
    /// Where the next chunk starts: the keyframe the chunk stopped before, or the start of the next
    /// recording after a gap; nil when the recording ends here.
    public var next: Date?
    /// The shortest picture duration, seconds (one frame step).
    public var frameDuration: Double
    /// The video codec string, e.g. `avc1.64001E`.
    public var codec: String
}

/// Why a playback chunk cannot be made.
public enum PlaybackError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing is recorded at or after the requested time (within the segments given).
    case noRecording(at: Date)
    /// The origin lies after the footage; choose an origin before the requested time.
    case originAfterFootage(origin: Date, footage: Date)
    /// A segment file could not be read.
    case segmentUnreadable(path: String, reason: String)

    /// Explanation for people.
    public var description: String {
        switch self {
        case .noRecording(let at): "nothing is recorded at or after \(at.formatted(.iso8601))"
        case .originAfterFootage(let origin, let footage):
            "the origin \(origin.formatted(.iso8601)) lies after the footage at \(footage.formatted(.iso8601)); pick an earlier origin"
        case .segmentUnreadable(let path, let reason): "the recording \(path) cannot be read: \(reason)"
        }
    }
}
