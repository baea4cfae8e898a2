/// Timing of one picture in a recording: decode time, presentation time and decode duration, all
/// in 90 kHz ticks on the stream's extended RTP timeline.
public struct DecodeTiming: Sendable, Hashable {
    /// Decode time (DTS).
    public var decodeTime: Int64
    /// Presentation time (PTS, the RTP timestamp).
    public var presentationTime: Int64
    /// Ticks until the next picture's decode time.
    public var duration: Int64

    /// Creates a timing from its fields.
    public init(decodeTime: Int64, presentationTime: Int64, duration: Int64) {
        self.decodeTime = decodeTime
        self.presentationTime = presentationTime
        self.duration = duration
    }

    /// PTS − DTS, never negative.
    public var compositionOffset: Int64 { max(presentationTime - decodeTime, 0) }
}

/// Turns pictures in decoding order carrying RTP presentation times into decode times, with
/// B-frames keeping positive composition offsets.
///
/// With a reorder depth `D`, the i-th decode time is the i-th smallest presentation time seen
/// (a min-heap popped once `D + 1` pictures are queued) minus `D` frame durations. A picture's
/// duration is the distance to the next decode time, so output lags input by `D + 1` pictures;
/// ``flush()`` drains the rest at the end of a stream. Decode times never go backwards even when
/// a stream breaks its stated depth.
public struct DecodeTimeline<Payload: Sendable>: Sendable {
    /// The reorder depth in pictures.
    public let reorderDepth: Int
    private var frameDuration: Int64?
    private var heap = MinHeap()
    private var awaitingDecodeTime: [(presentation: Int64, payload: Payload)] = []
    private var awaitingDuration: (timing: DecodeTiming, payload: Payload)?
    private var lastPresentation: Int64?
    private var smallestStep: Int64?
    private var lastDecodeTime: Int64?

    /// Creates a timeline; `frameRate` (from the SPS) fixes the frame duration, otherwise the
    /// smallest positive step between presentation times is used.
    public init(reorderDepth: Int, frameRate: Double? = nil) {
        self.reorderDepth = min(max(reorderDepth, 0), 16)
        if let frameRate, frameRate > 0, frameRate.isFinite {
            frameDuration = max(Int64((90_000 / frameRate).rounded()), 1)
        }
    }

    /// The reorder depth to use for a video format: the SPS value when stated; 0 for streams
    /// without reordering; 2 when the SPS leaves it unstated (the 16 H.264 infers is too deep).
    public static func reorderDepth(for format: VideoFormat) -> Int {
        format.reorderDepth >= 16 ? 2 : max(format.reorderDepth, 0)
    }

    /// The frame duration in use, in ticks: from the frame rate, else the smallest distance between
    /// presentation times seen so far, else 3600 (25 fps).
    public var currentFrameDuration: Int64 { frameDuration ?? smallestStep ?? 3600 }

    /// Adds the next picture in decoding order; returns the pictures whose timing is now complete.
    /// The payload is taken, not copied: a picture's payload holds references whose retain and release would cost at
    /// every frame.
    public mutating func push(presentationTime: Int64, payload: consuming Payload) -> [(timing: DecodeTiming, payload: Payload)] {
        if frameDuration == nil {
            // Read in place: collecting the waiting pictures' times into an array would cost an allocation per picture.
            for index in awaitingDecodeTime.indices { noteStep(from: awaitingDecodeTime[index].presentation, to: presentationTime) }
            if let lastPresentation { noteStep(from: lastPresentation, to: presentationTime) }
        }
        lastPresentation = presentationTime
        heap.push(presentationTime)
        awaitingDecodeTime.append((presentationTime, payload))
        guard heap.count > reorderDepth, let smallest = heap.pop() else { return [] }
        return assignDecodeTime(from: smallest)
    }

    /// Keeps the smallest positive distance between two presentation times as the frame duration's estimate.
    private mutating func noteStep(from queued: Int64, to presentationTime: Int64) {
        let step = abs(presentationTime - queued)
        if step > 0, step < (smallestStep ?? .max) { smallestStep = step }
    }

    /// Ends the stream: returns every picture still waiting, the last one with one frame duration.
    public mutating func flush() -> [(timing: DecodeTiming, payload: Payload)] {
        var output: [(timing: DecodeTiming, payload: Payload)] = []
        while let smallest = heap.pop() {
            output += assignDecodeTime(from: smallest, draining: true)
        }
        if let pending = awaitingDuration {
            var timing = pending.timing
            timing.duration = currentFrameDuration
            output.append((timing, pending.payload))
            awaitingDuration = nil
        }
        awaitingDecodeTime = []
        lastPresentation = nil
        lastDecodeTime = nil
        return output
    }

    /// Gives the oldest waiting picture its decode time. While draining, pictures whose reordered
    /// partners never arrived would leave holes, so steps are capped at one frame duration.
    private mutating func assignDecodeTime(from smallest: Int64, draining: Bool = false) -> [(timing: DecodeTiming, payload: Payload)] {
        guard !awaitingDecodeTime.isEmpty else { return [] }
        let (presentation, payload) = awaitingDecodeTime.removeFirst()
        var decodeTime = smallest - Int64(reorderDepth) * currentFrameDuration
        if draining, let lastDecodeTime { decodeTime = min(decodeTime, lastDecodeTime + currentFrameDuration) }
        if let lastDecodeTime, decodeTime <= lastDecodeTime { decodeTime = lastDecodeTime + 1 }
        lastDecodeTime = decodeTime
        let timing = DecodeTiming(decodeTime: decodeTime, presentationTime: presentation, duration: 0)
        // Moved, not copied: a picture's payload holds references whose retain and release would cost at every frame.
        let previous = awaitingDuration.take()
        awaitingDuration = (timing, payload)
        guard var completed = previous else { return [] }
        completed.timing.duration = decodeTime - completed.timing.decodeTime
        return [completed]
    }
}

/// A binary min-heap of timestamps.
struct MinHeap: Sendable {
    private var storage: [Int64] = []

    var count: Int { storage.count }

    mutating func push(_ value: Int64) {
        storage.append(value)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int64? {
        guard let first = storage.first else { return nil }
        let last = storage.removeLast()
        guard !storage.isEmpty else { return first }
        storage[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < storage.count, storage[left] < storage[smallest] { smallest = left }
            if right < storage.count, storage[right] < storage[smallest] { smallest = right }
            guard smallest != parent else { break }
            storage.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
