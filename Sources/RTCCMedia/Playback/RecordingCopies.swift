import Foundation

/// Merges the copies of a camera recorded twice (by two writers at once, each with its own ``RecordingFence/copy``)
/// into one timeline for playback and export, and compares them.
///
/// The copy that holds more of the footage is shown; wherever it has nothing, the other copy fills in. Consecutive
/// sources are cut where the next one starts (``PlaybackChunker`` and ``ClipPlan`` show each instant once), so the
/// merged list is ordered by start and every switch to another source happens at that source's first picture, a
/// keyframe: nothing recorded by either copy is left out, and nothing is shown twice.
public enum RecordingCopies {
    /// Two segments closer than this are back to back (a writer's consecutive segments meet within a frame).
    public static let joinTolerance: TimeInterval = 0.25

    /// The copy a segment belongs to (0 without a fence).
    public static func copy(of segment: RecordedSegment) -> Int { segment.fence?.copy ?? 0 }

    /// The segments to show, ordered by start: with one copy, all of them (the cut at each next start removes the
    /// overlap of two writers at a hand-over); with two, the fuller copy's (within `window`, when given), and the
    /// other's where the fuller has a gap.
    public static func playable(_ segments: [RecordedSegment], within window: DateInterval? = nil) -> [RecordedSegment] {
        let ordered = segments.sorted { ($0.start, copy(of: $0)) < ($1.start, copy(of: $1)) }
        let copies = Set(ordered.map(copy(of:)))
        guard copies.count > 1 else { return ordered }
        let held = Dictionary(uniqueKeysWithValues: copies.map { ($0, covered(byCopy: $0, of: ordered, within: window)) })
        let preferred = copies.max { (held[$0] ?? 0, -$0) < (held[$1] ?? 0, -$1) } ?? 0
        var chosen: [RecordedSegment] = []
        var time = Date.distantPast
        while let next = pick(at: time, among: ordered, preferring: preferred, after: chosen.last) {
            // A source that began before the last chosen ones replaces them from its start: it covers them.
            while let last = chosen.last, last.start >= next.start { chosen.removeLast() }
            chosen.append(next)
            var shownUntil = next.end
            if copy(of: next) != preferred, let back = ordered.first(where: {
                copy(of: $0) == preferred && $0.start > time && $0.start < next.end
            }) {
                // A filler from the other copy: back to the fuller copy as soon as it has footage again.
                shownUntil = back.start
            }
            guard shownUntil > time else { break }
            time = shownUntil
        }
        return chosen
    }

    /// The source to show from `time`: one that holds `time` (the preferred copy first, then one that starts after the
    /// last chosen, then the longest), else the next one to start.
    private static func pick(at time: Date, among ordered: [RecordedSegment], preferring preferred: Int, after last: RecordedSegment?) -> RecordedSegment? {
        let probe = time.addingTimeInterval(joinTolerance)
        let holding = ordered.filter { $0.start <= probe && $0.end > probe && $0.end > time }
        if let best = holding.min(by: { rank($0, preferred, last) < rank($1, preferred, last) }) { return best }
        let later = ordered.filter { $0.start > time }
        guard let first = later.first else { return nil }
        return later.first { $0.start.timeIntervalSince(first.start) <= joinTolerance && copy(of: $0) == preferred } ?? first
    }

    private static func rank(_ segment: RecordedSegment, _ preferred: Int, _ last: RecordedSegment?) -> (Int, Int, TimeInterval) {
        let startsAfterLast = last.map { segment.start > $0.start } ?? true
        return (copy(of: segment) == preferred ? 0 : 1, startsAfterLast ? 0 : 1, -segment.end.timeIntervalSince1970)
    }

    /// Seconds covered by `copy`'s segments among `segments` (overlaps counted once), within `window` when given.
    private static func covered(byCopy copy: Int, of segments: [RecordedSegment], within window: DateInterval?) -> TimeInterval {
        let joined = coverage(segments.filter { Self.copy(of: $0) == copy })
        return (window.map { clip(joined, to: $0) } ?? joined).reduce(0) { $0 + $1.duration }
    }

    /// The time `segments` cover, joined where they meet or overlap (within ``joinTolerance``), oldest first.
    public static func coverage(_ segments: [RecordedSegment]) -> [DateInterval] {
        var joined: [DateInterval] = []
        for segment in segments.sorted(by: { $0.start < $1.start }) where segment.end > segment.start {
            if let last = joined.last, segment.start.timeIntervalSince(last.end) <= joinTolerance {
                joined[joined.count - 1] = DateInterval(start: last.start, end: max(last.end, segment.end))
            } else {
                joined.append(DateInterval(start: segment.start, end: segment.end))
            }
        }
        return joined
    }

    /// `intervals` clipped to `window`, those left empty dropped.
    public static func clip(_ intervals: [DateInterval], to window: DateInterval) -> [DateInterval] {
        intervals.compactMap { interval in
            let start = max(interval.start, window.start), end = min(interval.end, window.end)
            return end > start ? DateInterval(start: start, end: end) : nil
        }
    }

    /// The parts of `intervals` not covered by `covering` (both oldest first, each without overlaps).
    public static func subtract(_ covering: [DateInterval], from intervals: [DateInterval]) -> [DateInterval] {
        var result: [DateInterval] = []
        for interval in intervals {
            var start = interval.start
            for cut in covering where cut.end > start && cut.start < interval.end {
                if cut.start > start { result.append(DateInterval(start: start, end: cut.start)) }
                start = max(start, cut.end)
            }
            if start < interval.end { result.append(DateInterval(start: start, end: interval.end)) }
        }
        return result
    }
}
