import Foundation
import Logging

/// A picture ready to be recorded or shown live: its access unit, its timing and the wall-clock time of its
/// presentation.
public struct TimedVideoFrame: Sendable {
    /// The coded picture and its format.
    public var accessUnit: VideoAccessUnit
    /// Decode and presentation times, in 90 kHz ticks.
    public var timing: DecodeTiming
    /// Wall-clock time of the presentation time (RTCP sender report or arrival).
    public var wallClock: Date
    /// When the packet completing the frame arrived at this server (ingress), for latency measurement.
    public var receivedAt: Date

    /// Creates a frame from its fields; `receivedAt` defaults to now.
    public init(accessUnit: VideoAccessUnit, timing: DecodeTiming, wallClock: Date, receivedAt: Date = Date()) {
        self.accessUnit = accessUnit
        self.timing = timing
        self.wallClock = wallClock
        self.receivedAt = receivedAt
    }
}

/// Writes one fragmented MP4 file per segment and reports the segments to a ``RecordingIndex``.
///
/// Each file is an initialization segment followed by fragments of at most about a second (a new
/// fragment starts at every keyframe and at the first frame past the fragment duration). A
/// fragment is written and `fsync`ed as soon as it is complete, so a power loss costs at most about
/// a second. A new file starts at the first keyframe after `segmentDuration`, and at any keyframe
/// whose parameter sets differ. Files live at `<root>/<cameraID>/<yyyy-mm-dd>/<segment-id>.mp4`
/// (UTC date of the first frame).
///
/// Writes and flushes run on ``SegmentDiskThreads`` and are awaited, so one task drives a writer: its calls
/// (``append(_:)``, ``noteLoss(at:packets:)``, ``close(endingAt:)``) must not overlap.
public actor SegmentWriter {
    /// Settings of a writer.
    public struct Configuration: Sendable {
        /// The recordings folder.
        public var root: URL
        /// The camera, used in paths and reported segments.
        public var cameraID: UUID
        /// Which stream of the camera (`main` or `sub`).
        public var stream: String
        /// A segment ends at the first keyframe after this much media.
        public var segmentDuration: Duration
        /// A fragment ends at the first frame after this much media.
        public var fragmentDuration: Duration
        /// The least time between two `progressed` reports of a segment.
        public var progressInterval: Duration
        /// Permissions of segment files and of the camera and day folders: owner-only by default.
        public var fileMode: RecordingFileMode
        /// The recording right every reported segment carries (nil for a single recorder).
        public var fence: RecordingFence?

        /// Creates settings; durations default to 60 s segments, 1 s fragments and 5 s progress; files are 0600 and
        /// folders 0700 unless `fileMode` says otherwise.
        public init(
            root: URL, cameraID: UUID, stream: String = "main", segmentDuration: Duration = .seconds(60),
            fragmentDuration: Duration = .seconds(1), progressInterval: Duration = .seconds(5), fileMode: RecordingFileMode = .private
        ) {
            self.fileMode = fileMode
            self.root = root
            self.cameraID = cameraID
            self.stream = stream
            self.segmentDuration = segmentDuration
            self.fragmentDuration = fragmentDuration
            self.progressInterval = progressInterval
        }
    }

    /// The settings.
    public let configuration: Configuration
    private let index: any RecordingIndex
    private let logger: Logger
    private var open: OpenSegment?
    /// Frames dropped because no segment was open and they were not keyframes.
    public private(set) var framesDroppedBeforeKeyframe = 0

    /// Creates a writer reporting to `index`.
    public init(configuration: Configuration, index: any RecordingIndex, logger: Logger = Logger(label: "rtcc.media.segment-writer")) {
        self.configuration = configuration
        self.index = index
        var logger = logger
        logger[metadataKey: "camera"] = "\(configuration.cameraID)"
        self.logger = logger
    }

    /// The segment being written, as last reported (frames and bytes on disk).
    public var currentSegment: RecordedSegment? { open?.record }

    /// Adds the next frame in decoding order; frames before the first keyframe are dropped. Returns whether the frame is
    /// in a segment (false: dropped while waiting for a keyframe).
    @discardableResult
    public func append(_ frame: TimedVideoFrame) async throws(SegmentFileError) -> Bool {
        if frame.accessUnit.isKeyframe, endsSegment(frame) {
            try await seal(endingAt: frame.wallClock)
        }
        // The segment is taken out of `open` while the frame is added and put back after: read where it lies (even only
        // to see whether there is one), it would be copied (a retain and release of each of its references) at every
        // frame. One caller drives a writer, so nothing else looks at `open` meanwhile.
        var current: OpenSegment
        if let taken = open.take() {
            current = taken
        } else {
            guard frame.accessUnit.isKeyframe else {
                framesDroppedBeforeKeyframe += 1
                return false
            }
            current = try await start(with: frame)
        }
        let shouldCut = current.pendingDuration >= Self.ticks(configuration.fragmentDuration) || frame.accessUnit.isKeyframe
        var wroteFragment = false
        if shouldCut, !current.pending.isEmpty {
            do {
                try await current.writeFragment()
                wroteFragment = true
            } catch {
                // What reached the disk is sealed now (cut after its last complete fragment), so its pictures are
                // in the index at once, not only after a restart; the next keyframe starts a new file.
                logger.error("segment write failed", metadata: ["path": "\(current.record.path)", "error": "\(error)"])
                current.file.abandon()
                await sealWhatWasWritten(current.record)
                throw error
            }
        }
        current.add(frame)
        open = consume current
        if wroteFragment { await reportProgressIfDue() }
        return true
    }

    /// Whether the keyframe `frame` begins a new segment: the open one is long enough, or the format changed.
    private func endsSegment(_ frame: TimedVideoFrame) -> Bool {
        guard let current = open else { return false }
        let elapsed = frame.timing.decodeTime - current.baseDecodeTime
        return elapsed >= Self.ticks(configuration.segmentDuration) || frame.accessUnit.format != current.muxer.video
    }

    /// Records that packets were lost around `date`; the segment gets a gap there.
    public func noteLoss(at date: Date, packets: Int) {
        guard packets > 0, let duration = open?.frameDuration else { return }
        open?.record.gaps.append(DateInterval(start: date, duration: Double(duration) / 90_000))
    }

    /// Writes what is pending, closes and hashes the file and reports it sealed; `end` is the
    /// wall-clock end when known (the next segment's start), else it follows from the media.
    public func close(endingAt end: Date? = nil) async throws(SegmentFileError) {
        try await seal(endingAt: end)
    }

    /// Opens a new segment file beginning with `frame` (not yet added) and reports it opened.
    private func start(with frame: TimedVideoFrame) async throws(SegmentFileError) -> OpenSegment {
        let id = UUID()
        let url = configuration.root
            .appendingPathComponent(configuration.cameraID.uuidString.lowercased(), isDirectory: true)
            .appendingPathComponent(Self.day(of: frame.wallClock), isDirectory: true)
            .appendingPathComponent("\(id.uuidString.lowercased()).mp4")
        var file = try SegmentFile(creatingAt: url)
        let muxer = FMP4Muxer(video: frame.accessUnit.format)
        do {
            try configuration.fileMode.applyToFile(at: url.path)
            try configuration.fileMode.applyToFolder(at: url.deletingLastPathComponent().path)
            try configuration.fileMode.applyToFolder(at: url.deletingLastPathComponent().deletingLastPathComponent().path)
            try await file.append(muxer.initializationSegment())
        } catch {
            // A file that never got its initialization segment holds nothing: remove it rather than leave an empty
            // file for every keyframe while the disk is full.
            _ = try? await file.close()
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        let record = RecordedSegment(
            id: id, cameraID: configuration.cameraID, stream: configuration.stream, path: url.path, start: frame.wallClock,
            end: frame.wallClock, bytes: file.bytes, frames: 0, gaps: [], codec: frame.accessUnit.format.codecString, sha256: nil,
            fence: configuration.fence)
        logger.info("segment opened", metadata: ["segment": "\(id)", "path": "\(url.path)"])
        await report("opened", record) { try await $0.opened($1) }
        return OpenSegment(record: record, file: file, muxer: muxer, baseDecodeTime: frame.timing.decodeTime)
    }

    private func seal(endingAt end: Date?) async throws(SegmentFileError) {
        guard var current = open else { return }
        open = nil
        if !current.pending.isEmpty { try await current.writeFragment() }
        if let end, end >= current.record.start { current.record.end = end }
        current.record.bytes = current.file.bytes
        let digest = try await current.file.close()
        current.record.sha256 = digest
        logger.info(
            "segment sealed",
            metadata: ["segment": "\(current.record.id)", "frames": "\(current.record.frames)", "bytes": "\(current.record.bytes)"])
        await report("sealed", current.record) { try await $0.sealed($1) }
    }

    /// Seals the complete fragments of a file whose last write failed; one with none is left to start-up recovery.
    private func sealWhatWasWritten(_ record: RecordedSegment) async {
        let repaired: RecordedSegment
        do {
            repaired = try SegmentRecovery.recover(record)
        } catch {
            logger.warning("a failed segment could not be sealed; start-up recovery will", metadata: ["path": "\(record.path)", "error": "\(error)"])
            return
        }
        var sealed = repaired
        sealed.gaps = record.gaps.filter { $0.start < repaired.end }
        logger.info("segment sealed after a failed write", metadata: ["segment": "\(record.id)", "frames": "\(repaired.frames)"])
        await report("sealed", sealed) { try await $0.sealed($1) }
    }

    private func reportProgressIfDue() async {
        let now = ContinuousClock.now
        guard let lastProgress = open?.lastProgress, now - lastProgress >= configuration.progressInterval, let record = open?.record else { return }
        open?.lastProgress = now
        await report("progressed", record) { try await $0.progressed($1) }
    }

    private func report(
        _ what: String, _ record: RecordedSegment, _ call: (any RecordingIndex, RecordedSegment) async throws -> Void
    ) async {
        do {
            try await call(index, record)
        } catch {
            logger.warning("recording index refused a report", metadata: ["report": "\(what)", "segment": "\(record.id)", "error": "\(error)"])
        }
    }

    static func ticks(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 90_000 + attoseconds / 11_111_111_111_111
    }

    static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}

/// The state of the file being written.
struct OpenSegment {
    var record: RecordedSegment
    var file: SegmentFile
    var muxer: FMP4Muxer
    /// The decode time that is 0 in this file.
    let baseDecodeTime: Int64
    var pending: [FMP4Sample] = []
    var pendingStart: Int64?
    var pendingDuration: Int64 = 0
    var lastProgress = ContinuousClock.now

    init(record: RecordedSegment, file: SegmentFile, muxer: FMP4Muxer, baseDecodeTime: Int64) {
        self.record = record
        self.file = file
        self.muxer = muxer
        self.baseDecodeTime = baseDecodeTime
    }

    /// The smallest sample duration seen, for streams whose SPS has no frame rate.
    var smallestDuration: Int64?

    /// The nominal frame duration in ticks: from the SPS frame rate, else the smallest sample
    /// duration seen, else 3600 (25 fps).
    var frameDuration: Int64 {
        guard let rate = muxer.video.frameRate, rate > 0 else { return smallestDuration ?? 3600 }
        return max(Int64((90_000 / rate).rounded()), 1)
    }

    mutating func add(_ frame: TimedVideoFrame) {
        let timing = frame.timing
        if pendingStart == nil { pendingStart = timing.decodeTime }
        let duration = UInt32(clamping: max(timing.duration, 1))
        pending.append(FMP4Sample(accessUnit: frame.accessUnit, duration: duration, compositionOffset: Int32(clamping: timing.compositionOffset)))
        pendingDuration += Int64(duration)
        if timing.duration > 0, timing.duration < (smallestDuration ?? .max) { smallestDuration = timing.duration }
        if timing.duration > 2 * frameDuration {
            let start = frame.wallClock.addingTimeInterval(Double(frameDuration) / 90_000)
            record.gaps.append(DateInterval(start: start, duration: Double(timing.duration - frameDuration) / 90_000))
        }
    }

    nonisolated(nonsending) mutating func writeFragment() async throws(SegmentFileError) {
        guard let pendingStart else { return }
        muxer.nextVideoDecodeTime = UInt64(max(pendingStart - baseDecodeTime, 0))
        let header: [UInt8]
        do {
            header = try muxer.fragmentHeader(video: pending)
        } catch {
            throw .muxing(error)
        }
        // The samples' data is written from where it is, behind the header, not copied into one fragment first.
        var pieces: [[UInt8]] = []
        pieces.reserveCapacity(pending.count + 1)
        pieces.append(header)
        for sample in pending { pieces.append(sample.data) }
        try await file.append(pieces: pieces)
        record.frames += pending.count
        record.bytes = file.bytes
        let mediaEnd = pendingStart + pendingDuration - baseDecodeTime
        record.end = record.start.addingTimeInterval(Double(mediaEnd) / 90_000)
        pending = []
        self.pendingStart = nil
        pendingDuration = 0
    }
}
