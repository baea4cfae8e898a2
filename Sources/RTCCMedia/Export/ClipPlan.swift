import Foundation

/// Which source samples a clip holds and where they sit on the clip's timeline.
///
/// The clip's timeline keeps real time: a sample's presentation time in the clip is its
/// wall-clock time minus the wall-clock time of the clip's time zero, so a recording gap stays a
/// gap (the last picture before it is held on screen for its length) and decode times never
/// jump backwards or leave holes. Where two segments' wall clocks overlap, the later one is
/// moved to follow the earlier one directly.
struct ClipPlan: Sendable {
    /// One sample of the clip, in decoding order.
    struct Sample: Sendable, Hashable {
        /// Index of its segment in the plan's sources.
        var source: Int
        var offset: Int
        var size: Int
        var duration: Int64
        var compositionOffset: Int64
        var isSync: Bool
        /// 1-based index into ``ClipPlan/sampleEntries``.
        var sampleEntry: Int
    }

    var samples: [Sample] = []
    var sampleEntries: [[UInt8]] = []
    var timescale: Int64 = 90_000
    var width = 0
    var height = 0
    /// Presentation time (clip media ticks) of the first picture shown; the edit list starts here.
    var editStart: Int64 = 0
    /// How long the edit shows, in ticks.
    var editDuration: Int64 = 0
    /// Pictures whose wall-clock time is in the requested range.
    var presentedFrames = 0
    var firstFrame = Date(timeIntervalSince1970: 0)
    var lastFrame = Date(timeIntervalSince1970: 0)
    /// The smallest positive sample duration, in ticks.
    var frameDuration: Int64 = 3600

    /// A sample of a source segment with its wall-clock presentation time.
    private struct Located {
        var source: Int
        var sample: SegmentSample
        var wallClock: Date
    }

    /// Plans a clip of `[from, until)` out of the parsed `sources` (ordered by start); nil when no
    /// picture's wall-clock time is in the range.
    init?(sources: [(segment: RecordedSegment, parsed: FragmentedSegment)], from: Date, until: Date) {
        guard let first = sources.first else { return nil }
        timescale = first.parsed.timescale
        width = first.parsed.width
        height = first.parsed.height
        let located = Self.locate(sources)
        let inRange = located.indices.filter { located[$0].wallClock >= from && located[$0].wallClock < until }
        guard let firstDecoded = inRange.first, let lastDecoded = inRange.last,
            let shownFirst = inRange.min(by: { located[$0].wallClock < located[$1].wallClock }),
            let shownLast = inRange.max(by: { located[$0].wallClock < located[$1].wallClock })
        else { return nil }
        let start = located[...firstDecoded].lastIndex { $0.sample.isSync } ?? firstDecoded
        let chosen = Array(located[start...lastDecoded])
        presentedFrames = inRange.count
        firstFrame = located[shownFirst].wallClock
        lastFrame = located[shownLast].wallClock
        frameDuration = chosen.map(\.sample.duration).filter { $0 > 0 }.min() ?? 3600
        let times = buildSamples(chosen, sources: sources)
        editStart = times[shownFirst - start]
        let lastShown = times[shownLast - start]
        let following = times.filter { $0 > lastShown }.min()
        editDuration = (following ?? lastShown + frameDuration) - editStart
    }

    /// Every sample of every source with its wall-clock time: the segment's start is the
    /// wall-clock time of its first sample's presentation. Where the next source starts before a source ends (two
    /// recorders overlapping at a hand-over), the earlier source stops at the next one's start: the overlap is shown once.
    private static func locate(_ sources: [(segment: RecordedSegment, parsed: FragmentedSegment)]) -> [Located] {
        var located: [Located] = []
        for (index, source) in sources.enumerated() {
            guard let origin = source.parsed.samples.first?.presentationTime else { continue }
            let scale = Double(max(source.parsed.timescale, 1))
            let cut = index + 1 < sources.count ? sources[index + 1].segment.start : nil
            for sample in source.parsed.samples {
                let wall = source.segment.start.addingTimeInterval(Double(sample.presentationTime - origin) / scale)
                // In decode order: what follows may depend on this picture, so the source ends here.
                if let cut, wall >= cut, cut > source.segment.start { break }
                located.append(Located(source: index, sample: sample, wallClock: wall))
            }
        }
        return located
    }

    /// Fills ``samples`` and returns each chosen sample's presentation time on the clip's timeline.
    private mutating func buildSamples(_ chosen: [Located], sources: [(segment: RecordedSegment, parsed: FragmentedSegment)]) -> [Int64] {
        guard let head = chosen.first else { return [] }
        let scale = Double(timescale)
        let zeroWallClock = sources[head.source].segment.start.addingTimeInterval(
            Double(head.sample.decodeTime - (sources[head.source].parsed.samples.first?.presentationTime ?? 0)) / scale)
        var shift = -head.sample.decodeTime
        var decodeTimes: [Int64] = []
        var entryIndex: [Int: Int] = [:]
        for (position, item) in chosen.enumerated() {
            if position > 0, item.source != chosen[position - 1].source, let previous = decodeTimes.last {
                let origin = sources[item.source].parsed.samples.first?.presentationTime ?? 0
                let seconds = sources[item.source].segment.start.timeIntervalSince(zeroWallClock)
                shift = Int64((seconds * scale).rounded()) - origin
                let minimum = previous + max(chosen[position - 1].sample.duration, 1)
                if shift + item.sample.decodeTime < previous + 1 { shift = minimum - item.sample.decodeTime }
                samples[position - 1].duration = shift + item.sample.decodeTime - previous
            }
            let entry = sampleEntryIndex(for: sources[item.source].parsed.sampleEntry, cache: &entryIndex, source: item.source)
            decodeTimes.append(shift + item.sample.decodeTime)
            samples.append(
                Sample(
                    source: item.source, offset: item.sample.offset, size: item.sample.size, duration: max(item.sample.duration, 1),
                    compositionOffset: item.sample.compositionOffset, isSync: item.sample.isSync, sampleEntry: entry))
        }
        return zip(decodeTimes, samples).map { $0 + $1.compositionOffset }
    }

    /// The 1-based index of a sample entry, adding it when no earlier source had the same bytes.
    private mutating func sampleEntryIndex(for entry: [UInt8], cache: inout [Int: Int], source: Int) -> Int {
        if let known = cache[source] { return known }
        let index: Int
        if let existing = sampleEntries.firstIndex(of: entry) {
            index = existing + 1
        } else {
            sampleEntries.append(entry)
            index = sampleEntries.count
        }
        cache[source] = index
        return index
    }

    /// Sum of the sample durations, in ticks.
    var mediaDuration: Int64 { samples.reduce(0) { $0 + $1.duration } }

    /// Bytes of sample data.
    var payloadBytes: Int64 { samples.reduce(0) { $0 + Int64($1.size) } }
}
