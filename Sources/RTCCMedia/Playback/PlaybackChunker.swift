import Foundation

/// Cuts recorded segments into ``PlaybackChunk``s without transcoding.
///
/// A chunk for `[from, until)` starts at the last keyframe at or before `from` (or the first
/// keyframe after it when the recording starts later) and stops before the first keyframe at or
/// after `until`, so consecutive chunks join without overlap and each starts decodable. Segments
/// still being written are read up to their last complete fragment.
public struct PlaybackChunker: Sendable {
    /// The most pictures in one fragment of a chunk.
    public var picturesPerFragment = 15

    /// Creates a chunker.
    public init() {}

    private struct Located {
        var sample: SegmentSample
        var wallClock: Date
    }

    private struct Source {
        var segment: RecordedSegment
        var data: [UInt8]
        var initialization: ArraySlice<UInt8>
        var parsed: FragmentedSegment
        var located: [Located]
    }

    /// A chunk of `segments` (any order; those not overlapping are ignored) for `[from, until)` on a
    /// timeline whose zero is `origin`.
    public func chunk(of segments: [RecordedSegment], from: Date, until: Date, origin: Date) throws(PlaybackError) -> PlaybackChunk {
        let ordered = segments.filter { $0.end > from }.sorted { $0.start < $1.start }
        guard !ordered.isEmpty else { throw .noRecording(at: from) }
        var output: [UInt8] = []
        var frames = 0
        var firstFrame: Date?
        var end = from
        var next: Date?
        var frameDuration = Int64.max
        var codec = ""
        var previousEntry: [UInt8]?
        var timelineEnd: Int64 = 0
        var sequence: UInt32 = 1
        var started = false
        sources: for (index, segment) in ordered.enumerated() {
            // Two recorders overlapping at a hand-over: the earlier segment stops where the next one starts.
            let overlapCut = index + 1 < ordered.count && ordered[index + 1].start < segment.end && ordered[index + 1].start > segment.start
                ? ordered[index + 1].start : nil
            if started, segment.start >= until {
                next = segment.start
                break
            }
            guard let source = try load(segment) else { continue }
            let located = source.located
            var first = 0
            if !started {
                guard let wanted = located.firstIndex(where: { $0.wallClock >= from }) ?? (located.last.map { _ in located.count - 1 }) else { continue }
                first = located[...wanted].lastIndex { $0.sample.isSync } ?? (located[wanted...].firstIndex { $0.sample.isSync } ?? located.count)
                guard first < located.count else { continue }
            } else {
                guard let sync = located.firstIndex(where: { $0.sample.isSync }) else { continue }
                first = sync
            }
            var last = located.count
            var reachedUntil = false
            if let stop = located[(first + 1)...].firstIndex(where: { $0.sample.isSync && $0.wallClock >= until }) {
                last = stop
                next = located[stop].wallClock
                reachedUntil = true
            }
            if let overlapCut, let stop = located[(first + 1)..<last].firstIndex(where: { $0.wallClock >= overlapCut }) {
                last = stop
                reachedUntil = false
                next = nil
            }
            let scale = Double(max(source.parsed.timescale, 1))
            let originPTS = source.parsed.samples.first?.presentationTime ?? 0
            var shift = Int64((source.segment.start.timeIntervalSince(origin) * scale).rounded()) - originPTS
            if started, shift + located[first].sample.decodeTime < timelineEnd {
                shift = timelineEnd - located[first].sample.decodeTime
            }
            guard shift + located[first].sample.decodeTime >= 0 else {
                throw .originAfterFootage(origin: origin, footage: located[first].wallClock)
            }
            if previousEntry != source.parsed.sampleEntry {
                output += source.initialization
                previousEntry = source.parsed.sampleEntry
            }
            codec = segment.codec
            var position = first
            while position < last {
                let upper = min(position + picturesPerFragment, last)
                let samples = located[position..<upper].map { item in
                    FMP4Sample(
                        data: Array(source.data[item.sample.offset..<(item.sample.offset + item.sample.size)]),
                        duration: UInt32(clamping: max(item.sample.duration, 1)),
                        compositionOffset: Int32(clamping: item.sample.compositionOffset), isSync: item.sample.isSync)
                }
                let base = UInt64(shift + located[position].sample.decodeTime)
                let run = FMP4Muxer.TrackRun(trackID: FMP4Muxer.videoTrackID, baseDecodeTime: base, samples: samples)
                let moofSize = FMP4Muxer.movieFragment(sequence: sequence, runs: [run], moofSize: 0).count
                output += FMP4Muxer.movieFragment(sequence: sequence, runs: [run], moofSize: moofSize)
                let payload = samples.reduce(0) { $0 + $1.data.count }
                output.appendBigEndian(UInt32(8 + payload))
                output += Array("mdat".utf8)
                for sample in samples { output += sample.data }
                sequence &+= 1
                position = upper
            }
            for item in located[first..<last] {
                frameDuration = min(frameDuration, max(item.sample.duration, 1))
                end = max(end, item.wallClock.addingTimeInterval(Double(item.sample.duration) / scale))
            }
            if firstFrame == nil { firstFrame = located[first].wallClock }
            frames += last - first
            let lastSample = located[last - 1].sample
            timelineEnd = shift + lastSample.decodeTime + max(lastSample.duration, 1)
            started = true
            if reachedUntil { break sources }
        }
        guard let firstFrame, frames > 0 else { throw .noRecording(at: from) }
        return PlaybackChunk(
            bytes: output, firstFrame: firstFrame, end: end, frames: frames, next: next,
            frameDuration: Double(frameDuration == .max ? 3_000 : frameDuration) / 90_000, codec: codec)
    }

    /// Reads a segment up to its last complete fragment; nil when it holds no picture yet.
    private func load(_ segment: RecordedSegment) throws(PlaybackError) -> Source? {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment.path)))
        } catch {
            throw .segmentUnreadable(path: segment.path, reason: error.localizedDescription)
        }
        let boxes = MP4TopLevelBox.walk(bytes)
        guard let moov = boxes.first(where: { $0.type == "moov" }) else { return nil }
        let complete = boxes.last(where: { $0.type == "mdat" })?.end ?? moov.end
        let data = Array(bytes[..<complete])
        guard case .success(let parsed) = FragmentedSegment.parse(data), let originPTS = parsed.samples.first?.presentationTime else { return nil }
        let scale = Double(max(parsed.timescale, 1))
        let located = parsed.samples.map { sample in
            Located(sample: sample, wallClock: segment.start.addingTimeInterval(Double(sample.presentationTime - originPTS) / scale))
        }
        return Source(segment: segment, data: data, initialization: data[..<moov.end], parsed: parsed, located: located)
    }
}
