import Crypto
import Foundation
import Synchronization
import Logging

/// Cuts an exact wall-clock range out of one camera's recording into a single progressive MP4
/// file, without transcoding.
///
/// The clip starts at the keyframe at or before `from` and ends with the last picture shown before
/// `until`; an edit list (`elst`) hides the pictures before `from`, so players start within one
/// frame of it. It may span several segments and recording gaps. The clip's timeline keeps real
/// time: a gap stays in the timeline as the last picture before it held on screen, so clip time
/// plus ``ClipExportResult/firstFrame`` is the wall-clock time throughout, and the result lists
/// every gap.
///
/// Each source segment's SHA-256 is checked against its sealed value before any byte of it is
/// used, and again while its samples are copied. The clip is written under a temporary name in the
/// destination's folder and renamed once complete and flushed.
///
/// A range may reach the **live edge**: a segment still being recorded (no sealed SHA-256) is read up to its last
/// complete fragment, which the recorder never rewrites, and the clip ends there. Its source entry then carries the
/// SHA-256 of exactly the bytes read and ``ClipExportResult/Source/sealed`` false, and
/// ``ClipExportResult/liveEdge`` says where the recording stood; the rest of the range is not yet recorded, not a gap.
///
/// The work is blocking file I/O; call it from a thread that may block.
public struct ClipExporter: Sendable {
    /// What to export.
    public struct Request: Sendable, Hashable {
        /// The camera's segments covering the range, in any order; the newest may still be open.
        public var segments: [RecordedSegment]
        /// The first wall-clock instant wanted (inclusive).
        public var from: Date
        /// The end of the range (exclusive).
        public var until: Date
        /// Where the clip is written; must not exist.
        public var destination: URL

        /// Creates a request.
        public init(segments: [RecordedSegment], from: Date, until: Date, destination: URL) {
            self.segments = segments
            self.from = from
            self.until = until
            self.destination = destination
        }
    }

    private let logger: Logger

    /// Creates an exporter.
    public init(logger: Logger = Logger(label: "rtcc.media.clip-exporter")) {
        self.logger = logger
    }

    /// Exports `request`; `progress` receives the fraction done (0…1) as segments are checked and copied.
    public func export(_ request: Request, progress: @Sendable (Double) -> Void = { _ in }) throws(ClipExportError) -> ClipExportResult {
        guard request.until > request.from else { throw .emptyRange(from: request.from, until: request.until) }
        let chosen = request.segments
            .filter { $0.end > request.from && $0.start < request.until }
            .sorted { $0.start < $1.start }
        guard !chosen.isEmpty else { throw .noRecording(from: request.from, until: request.until) }
        guard !FileManager.default.fileExists(atPath: request.destination.path) else {
            throw .destinationExists(path: request.destination.path)
        }
        let totalBytes = Double(max(chosen.reduce(0) { $0 + $1.bytes } * 2, 1))
        // Reading and hash-checking the sources is most of the work: do the segments side by side on every core.
        let checked = Mutex<[Int: Result<(bytes: [UInt8], parsed: FragmentedSegment), ClipExportError>]>([:])
        let readBytes = Mutex<Int64>(0)
        DispatchQueue.concurrentPerform(iterations: chosen.count) { index in
            let segment = chosen[index]
            let outcome: Result<(bytes: [UInt8], parsed: FragmentedSegment), ClipExportError>
            do throws(ClipExportError) {
                let data = try segment.sha256 == nil ? Self.completedFragments(of: segment) : Self.verifiedBytes(of: segment)
                outcome = .success((data, try Self.parse(data, of: segment)))
                // Reported under the lock, so the fractions arrive in order whichever segment finishes first.
                readBytes.withLock { value in
                    value += Int64(data.count)
                    progress(Double(value) / totalBytes)
                }
            } catch {
                outcome = .failure(error)
            }
            checked.withLock { $0[index] = outcome }
        }
        var sources: [(segment: RecordedSegment, parsed: FragmentedSegment)] = []
        var kept: [Int: [UInt8]] = [:]
        var keptBytes = 0
        var readDigests: [UUID: String] = [:]
        let results = checked.withLock { $0 }
        for (index, segment) in chosen.enumerated() {
            switch results[index] {
            case .success(let loaded):
                let position = sources.count
                sources.append((segment, loaded.parsed))
                if segment.sha256 == nil {
                    // An open segment keeps growing: the copy must use exactly the bytes planned and hashed here.
                    kept[position] = loaded.bytes
                    readDigests[segment.id] = SegmentHash.hex(SHA256.hash(data: loaded.bytes))
                } else if keptBytes + loaded.bytes.count <= 1 << 30 {
                    // Up to 1 GiB of checked sources stays in memory for the copy; larger exports read (and check) again.
                    kept[position] = loaded.bytes
                    keptBytes += loaded.bytes.count
                }
            case .failure(.segmentMalformed) where segment.sha256 == nil && segment.id == chosen.last?.id:
                // The newest segment was opened but holds no complete fragment yet: the live edge is before it.
                continue
            case .failure(let error): throw error
            case nil: throw .segmentUnreadable(segment: segment.id, path: segment.path, reason: "it was not read")
            }
        }
        guard !sources.isEmpty else { throw .noRecording(from: request.from, until: request.until) }
        let doneBytes = readBytes.withLock { $0 }
        try Self.checkCodecs(sources.map(\.segment))
        guard let plan = ClipPlan(sources: sources, from: request.from, until: request.until) else {
            throw .noRecording(from: request.from, until: request.until)
        }
        let written = try ClipFileWriter.write(plan, sources: sources.map(\.segment), checked: kept, to: request.destination) { bytes in
            progress(min(Double(doneBytes + bytes) / totalBytes, 1))
        }
        progress(1)
        let frame = Double(plan.frameDuration) / Double(plan.timescale)
        // Where an open segment's readable part ends: one frame after the last picture it holds.
        var used = sources.map(\.segment)
        var liveEdge: Date?
        if let open = used.indices.last, used[open].sha256 == nil {
            let parsed = sources[open].parsed
            let base = used[open].start
            // The same wall-clock mapping as the plan's: the segment starts at its first sample's presentation time.
            let origin = parsed.samples.first?.presentationTime ?? 0
            let latest = parsed.samples.map { $0.presentationTime + $0.duration }.max() ?? origin
            let edge = base.addingTimeInterval(Double(latest - origin) / Double(max(parsed.timescale, 1)))
            used[open].end = edge
            liveEdge = edge
        }
        let coveredUntil = liveEdge.map { min($0, request.until) } ?? request.until
        let result = ClipExportResult(
            path: request.destination.path, frames: plan.presentedFrames, firstFrame: plan.firstFrame, lastFrame: plan.lastFrame,
            gaps: Self.gaps(in: used, from: request.from, until: coveredUntil, frame: frame),
            sha256: written.sha256, bytes: written.bytes,
            sources: used.map {
                ClipExportResult.Source(
                    segment: $0.id, path: $0.path, sha256: $0.sha256 ?? readDigests[$0.id] ?? "", sealed: $0.sha256 != nil, start: $0.start,
                    end: $0.end)
            },
            liveEdge: liveEdge.flatMap { $0 < request.until ? $0 : nil })
        logger.info(
            "clip exported",
            metadata: ["path": "\(result.path)", "frames": "\(result.frames)", "bytes": "\(result.bytes)", "gaps": "\(result.gaps.count)"])
        return result
    }

    /// The bytes of a segment still being recorded, up to the end of its last complete fragment (`moof` then `mdat`).
    ///
    /// The recorder only appends, so these bytes never change; a fragment being written is left out.
    static func completedFragments(of segment: RecordedSegment) throws(ClipExportError) -> [UInt8] {
        let data: [UInt8]
        do {
            data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment.path)))
        } catch {
            throw .segmentUnreadable(segment: segment.id, path: segment.path, reason: "\(error)")
        }
        var end = 0
        var sawFragmentHeader = false
        for box in MP4TopLevelBox.walk(data) {
            switch box.type {
            case "moof": sawFragmentHeader = true
            case "mdat" where sawFragmentHeader:
                end = box.end
                sawFragmentHeader = false
            case "ftyp", "moov": if !sawFragmentHeader { end = max(end, box.end) }
            default: break
            }
        }
        return Array(data[0..<end])
    }

    /// The file's bytes, after checking them against the sealed SHA-256.
    static func verifiedBytes(of segment: RecordedSegment) throws(ClipExportError) -> [UInt8] {
        guard let sealed = segment.sha256 else { return try completedFragments(of: segment) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: segment.path))
        } catch {
            throw .segmentUnreadable(segment: segment.id, path: segment.path, reason: "\(error)")
        }
        let actual = SegmentHash.hex(SHA256.hash(data: data))
        guard actual == sealed.lowercased() else {
            throw .segmentHashMismatch(segment: segment.id, path: segment.path, sealed: sealed, actual: actual)
        }
        return [UInt8](data)
    }

    private static func parse(_ data: [UInt8], of segment: RecordedSegment) throws(ClipExportError) -> FragmentedSegment {
        switch FragmentedSegment.parse(data) {
        case .success(let parsed) where !parsed.samples.isEmpty: return parsed
        case .success: throw .segmentMalformed(segment: segment.id, path: segment.path, reason: "it holds no sample")
        case .failure(let failure): throw .segmentMalformed(segment: segment.id, path: segment.path, reason: failure.reason)
        }
    }

    /// Segments may change parameter sets (new sample entries) but not the codec family.
    private static func checkCodecs(_ segments: [RecordedSegment]) throws(ClipExportError) {
        for (previous, next) in zip(segments, segments.dropFirst()) where previous.codec.prefix(4) != next.codec.prefix(4) {
            throw .codecChanged(segment: next.id, from: previous.codec, to: next.codec)
        }
    }

    /// The parts of `[from, until)` with no recording: before, between and after the segments
    /// (differences under one frame ignored) and the gaps each segment reports.
    static func gaps(in segments: [RecordedSegment], from: Date, until: Date, frame: Double) -> [DateInterval] {
        var holes: [DateInterval] = []
        var covered = from
        for segment in segments {
            if segment.start.timeIntervalSince(covered) > frame { holes.append(DateInterval(start: covered, end: segment.start)) }
            covered = max(covered, segment.end)
            holes += segment.gaps
        }
        if until.timeIntervalSince(covered) > frame { holes.append(DateInterval(start: covered, end: until)) }
        return holes.compactMap { hole in
            let start = max(hole.start, from)
            let end = min(hole.end, until)
            return end > start ? DateInterval(start: start, end: end) : nil
        }.sorted { $0.start < $1.start }
    }
}

/// What an export produced.
public struct ClipExportResult: Sendable, Hashable {
    /// A source segment the clip was cut from.
    public struct Source: Sendable, Hashable {
        /// The segment's identifier.
        public var segment: UUID
        /// The segment file.
        public var path: String
        /// The SHA-256 sealed at recording, checked before use; for a segment still being recorded, the SHA-256 of
        /// the bytes read from it (up to its last complete fragment).
        public var sha256: String
        /// Whether ``sha256`` is the seal written when the segment was closed (false: the segment was still open).
        public var sealed: Bool
        /// Wall-clock start of the segment.
        public var start: Date
        /// Wall-clock end of the segment.
        public var end: Date
    }

    /// The clip file.
    public var path: String
    /// Pictures shown by the clip: those whose wall-clock time is in the requested range.
    public var frames: Int
    /// Wall-clock time of the first picture shown (clip time zero).
    public var firstFrame: Date
    /// Wall-clock time of the last picture shown.
    public var lastFrame: Date
    /// Parts of the requested range with no recording, in wall-clock time.
    public var gaps: [DateInterval]
    /// SHA-256 of the clip file, hex.
    public var sha256: String
    /// Size of the clip file.
    public var bytes: Int64
    /// The segments used, in order.
    public var sources: [Source]
    /// When the range reached past what was recorded at the time of export: the wall-clock time up to which the
    /// camera's open segment had complete fragments. Nothing after it is in the clip; it is not a gap.
    public var liveEdge: Date?
}
