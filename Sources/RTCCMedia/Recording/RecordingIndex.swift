import Foundation

/// A recording segment as the recorder reports it to its index: one fMP4 file of about a minute, made of
/// ≤ 1 s fragments, starting at a keyframe.
public struct RecordedSegment: Sendable, Hashable, Codable {
    /// Stable identifier, also the file's base name.
    public var id: UUID
    /// The camera (the index's own identifier; the recorder does not interpret it).
    public var cameraID: UUID
    /// Which stream: `main` or `sub`.
    public var stream: String
    /// File path.
    public var path: String
    /// Wall-clock time of the first frame.
    public var start: Date
    /// Wall-clock time just after the last frame (start of the next frame).
    public var end: Date
    /// Bytes in the file.
    public var bytes: Int64
    /// Video frames in the file.
    public var frames: Int
    /// Gaps inside the segment (missing frames or lost packets), as wall-clock intervals.
    public var gaps: [DateInterval]
    /// Codec string of the video (`avc1.640028`, `hvc1.1.6.L93.B0`).
    public var codec: String
    /// SHA-256 of the whole file, hex; nil while the segment is still being written.
    public var sha256: String?
    /// The right under which the segment was recorded, when recording rights are leased (several recorders share the
    /// cameras); nil for a single recorder. The index refuses reports whose right another writer has since taken.
    public var fence: RecordingFence?

    /// Creates a segment description.
    public init(
        id: UUID, cameraID: UUID, stream: String, path: String, start: Date, end: Date, bytes: Int64, frames: Int,
        gaps: [DateInterval], codec: String, sha256: String?, fence: RecordingFence? = nil
    ) {
        self.id = id
        self.cameraID = cameraID
        self.stream = stream
        self.path = path
        self.start = start
        self.end = end
        self.bytes = bytes
        self.frames = frames
        self.gaps = gaps
        self.codec = codec
        self.sha256 = sha256
        self.fence = fence
    }

    /// Whether the segment is sealed (complete and hashed).
    public var isSealed: Bool { sha256 != nil }
}

/// A writer's right to record a camera: who holds it and the fencing epoch it was granted under. Epochs grow at every
/// change of holder, so a report carrying an older epoch can be told from the current holder's.
public struct RecordingFence: Sendable, Hashable, Codable {
    /// The holder (a node's name).
    public var holder: String
    /// The epoch the right was granted under.
    public var epoch: Int64
    /// Which copy of the camera's recording the right is for: 0, or 1 for the second copy of a camera recorded twice
    /// (by two holders at once). Each copy has its own holder and epochs.
    public var copy: Int

    /// Creates a fence.
    public init(holder: String, epoch: Int64, copy: Int = 0) {
        self.holder = holder
        self.epoch = epoch
        self.copy = copy
    }

    private enum CodingKeys: String, CodingKey { case holder, epoch, copy }

    /// Decodes a fence; one written before copies existed (in a journal) is for copy 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            holder: try c.decode(String.self, forKey: .holder), epoch: try c.decode(Int64.self, forKey: .epoch),
            copy: try c.decodeIfPresent(Int.self, forKey: .copy) ?? 0)
    }
}

/// An index's final refusal of a report: storing it again cannot succeed (for example, another writer took the
/// camera's recording right before the segment ended). A queue drops such a report instead of retrying it.
public struct RecordingReportRefused: Error, Sendable, CustomStringConvertible {
    /// Why the report was refused.
    public var reason: String

    /// Creates a refusal.
    public init(reason: String) { self.reason = reason }

    public var description: String { "segment report refused: \(reason)" }
}

/// Where the recorder reports its segments. The server implements it over the database; tests use a memory double.
/// The recorder calls `opened` when a segment file is created, `progressed` after fragments are flushed (at most
/// every few seconds), and `sealed` once the file is closed and hashed.
public protocol RecordingIndex: Sendable {
    /// A new segment file exists.
    func opened(_ segment: RecordedSegment) async throws
    /// More fragments of an open segment are safely on disk.
    func progressed(_ segment: RecordedSegment) async throws
    /// The segment is complete; `segment.sha256` is set.
    func sealed(_ segment: RecordedSegment) async throws
}
