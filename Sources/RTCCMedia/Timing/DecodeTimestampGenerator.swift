/// Derives decode timestamps (DTS) for video whose RTP timestamps are presentation times (PTS).
///
/// RTP carries only presentation time; with B-frames an MP4 also needs decode time. If at most
/// `reorderDepth` pictures precede any picture in decoding order and follow it in output order,
/// then the picture shown (n − depth)-th has arrived by the time the n-th picture is decoded, so
/// its presentation time is a valid decode time: never after the n-th picture's own PTS, always
/// increasing, with no look-ahead and no frame-rate guess. Lost pictures only make DTS lag.
/// Only the first `reorderDepth` pictures use `initialFrameDuration` to step back from the first PTS,
/// so the first picture should be one shown before all that follow it (an IDR picture, which is
/// where the depacketizers start); call ``reset()`` at a discontinuity.
public struct DecodeTimestampGenerator: Sendable {
    /// The reorder depth in pictures (0 for streams without B-frames: DTS then equals PTS).
    public let reorderDepth: Int
    /// The step used before enough pictures have arrived, in timestamp ticks.
    public let initialFrameDuration: Int64
    private var pending: [Int64] = []
    private var emitted = 0
    private var last: Int64?

    /// Creates a generator; `reorderDepth` is clamped to 0...16.
    public init(reorderDepth: Int, initialFrameDuration: Int64 = 3000) {
        self.reorderDepth = min(max(reorderDepth, 0), 16)
        self.initialFrameDuration = max(initialFrameDuration, 1)
    }

    /// Returns the decode time of the next picture in decoding order, given its presentation time.
    public mutating func decodeTimestamp(presentation: Int64) -> Int64 {
        let index = pending.firstIndex { $0 > presentation } ?? pending.count
        pending.insert(presentation, at: index)
        var candidate: Int64
        if pending.count > reorderDepth {
            candidate = pending.removeFirst()
        } else {
            let stepsBack = Int64(reorderDepth - emitted)
            candidate = (pending.first ?? presentation) - stepsBack * initialFrameDuration
        }
        // A stream that breaks its stated reorder depth gets the smallest DTS that still increases.
        if let last, candidate <= last { candidate = last + 1 }
        emitted += 1
        last = candidate
        return candidate
    }

    /// Forgets all history, e.g. after a stream discontinuity.
    public mutating func reset() {
        pending = []
        emitted = 0
        last = nil
    }
}
