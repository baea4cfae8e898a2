import Foundation

/// The newest media segments of a live stream for HTTP Live Streaming (RFC 8216, fMP4 segments):
/// each segment is one group of pictures (keyframe to keyframe), at most ``capacity`` are kept.
public struct HLSWindow: Sendable {
    /// One finished media segment.
    public struct Segment: Sendable, Hashable {
        /// Media sequence number.
        public var sequence: Int
        /// The fragments' bytes, concatenated.
        public var bytes: [UInt8]
        /// Length in seconds.
        public var duration: Double
        /// Wall-clock time of the first picture.
        public var start: Date
        /// Whether a format change (a new initialization segment) precedes this segment.
        public var followsDiscontinuity: Bool
        /// The initialization segment version the segment needs.
        public var initializationVersion: Int
    }

    /// How many finished segments are kept.
    public let capacity: Int
    /// Finished segments, oldest first.
    public private(set) var segments: [Segment] = []
    /// Initialization segments still referred to by a kept segment, by version.
    public private(set) var initializations: [Int: LiveInitialization] = [:]
    private var building: Segment?
    private var nextSequence = 0
    private var discontinuityPending = false
    /// The longest segment each ever kept, seconds, for `EXT-X-TARGETDURATION`.
    private var longest: Double = 1

    /// Creates an empty window.
    public init(capacity: Int) { self.capacity = max(capacity, 3) }

    /// Starts a new format: the next segment follows a discontinuity.
    mutating func restart(with initialization: LiveInitialization) {
        initializations[initialization.version] = initialization
        if building != nil { finishSegment() }
        discontinuityPending = !segments.isEmpty
    }

    /// Adds a picture; a keyframe closes the segment being built.
    mutating func append(_ fragment: LiveFragment) {
        if fragment.isKeyframe {
            if building != nil { finishSegment() }
            building = Segment(
                sequence: nextSequence, bytes: [], duration: 0, start: fragment.wallClock, followsDiscontinuity: discontinuityPending,
                initializationVersion: fragment.initializationVersion)
            nextSequence += 1
            discontinuityPending = false
        }
        guard building != nil else { return }
        building?.bytes += fragment.bytes
        building?.duration += Double(fragment.duration) / 90_000
        if (building?.bytes.count ?? 0) > 64 << 20 { building = nil }
    }

    private mutating func finishSegment() {
        guard let segment = building else { return }
        building = nil
        segments.append(segment)
        longest = max(longest, segment.duration)
        if segments.count > capacity { segments.removeFirst(segments.count - capacity) }
        let used = Set(segments.map(\.initializationVersion))
        initializations = initializations.filter { used.contains($0.key) || $0.key == (initializations.keys.max() ?? 0) }
    }

    /// The segment with this media sequence number, while it is kept.
    public func segment(_ sequence: Int) -> Segment? { segments.first { $0.sequence == sequence } }

    /// The media playlist, naming segments `segment-<n>.m4s` and initialization segments `init-<v>.mp4`, or nil
    /// while fewer than `minimumSegments` are ready.
    public func playlist(minimumSegments: Int = 2, query: String = "") -> String? {
        guard segments.count >= minimumSegments, let first = segments.first else { return nil }
        let suffix = query.isEmpty ? "" : "?\(query)"
        var lines = [
            "#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\(Int(longest.rounded(.up)))",
            "#EXT-X-MEDIA-SEQUENCE:\(first.sequence)", "#EXT-X-INDEPENDENT-SEGMENTS",
        ]
        var discontinuities = 0
        var mapVersion: Int?
        for segment in segments {
            if segment.followsDiscontinuity, mapVersion != nil {
                lines.append("#EXT-X-DISCONTINUITY")
                discontinuities += 1
            }
            if mapVersion != segment.initializationVersion {
                lines.append("#EXT-X-MAP:URI=\"init-\(segment.initializationVersion).mp4\(suffix)\"")
                mapVersion = segment.initializationVersion
            }
            lines.append("#EXT-X-PROGRAM-DATE-TIME:\(segment.start.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))")
            lines.append("#EXTINF:\(String(format: "%.3f", segment.duration)),")
            lines.append("segment-\(segment.sequence).m4s\(suffix)")
        }
        if discontinuities > 0 { lines.insert("#EXT-X-DISCONTINUITY-SEQUENCE:0", at: 5) }
        return lines.joined(separator: "\n") + "\n"
    }
}
