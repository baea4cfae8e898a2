/// Counters kept by ``H264Depacketizer`` and ``H265Depacketizer``.
public struct DepacketizerStatistics: Sendable, Hashable {
    /// RTP packets processed.
    public var packets: Int = 0
    /// Packets missing according to sequence numbers.
    public var lostPackets: Int = 0
    /// Access units emitted.
    public var accessUnits: Int = 0
    /// Access units dropped because a packet was lost or malformed.
    public var droppedAccessUnits: Int = 0
    /// Access units dropped while waiting for the first keyframe.
    public var skippedBeforeKeyframe: Int = 0

    /// Creates zeroed counters.
    public init() {}
}
