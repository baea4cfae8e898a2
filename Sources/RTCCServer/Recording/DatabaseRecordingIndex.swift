import Foundation
import RTCCMedia
import RTCCStore

/// The recorder's index, kept in the database: every segment is a row from the moment its file exists, updated as it
/// grows and sealed with its SHA-256.
public struct DatabaseRecordingIndex: RecordingIndex {
    let store: Store

    /// Creates the index over a store.
    public init(store: Store) { self.store = store }

    /// Records a new segment file.
    public func opened(_ segment: RecordedSegment) async throws { try await store.segments.upsert(SegmentRecord(segment)) }
    /// Records that more of the segment is on disk.
    public func progressed(_ segment: RecordedSegment) async throws { try await store.segments.upsert(SegmentRecord(segment)) }
    /// Records the sealed segment and its hash.
    public func sealed(_ segment: RecordedSegment) async throws { try await store.segments.upsert(SegmentRecord(segment)) }
}

/// The index row and the recorder's segment carry the same fields; these convert between the two layers.
extension SegmentRecord {
    /// The row for a segment the recorder reported.
    public init(_ segment: RecordedSegment) {
        self.init(
            id: segment.id, cameraID: segment.cameraID, stream: segment.stream, path: segment.path, start: segment.start, end: segment.end,
            bytes: segment.bytes, frames: segment.frames, gaps: segment.gaps, codec: segment.codec, sha256: segment.sha256)
    }

    /// The segment as the media layer describes it (for recovery and export).
    public var recordedSegment: RecordedSegment {
        RecordedSegment(
            id: id, cameraID: cameraID, stream: stream, path: path, start: start, end: end, bytes: bytes, frames: frames, gaps: gaps,
            codec: codec, sha256: sha256)
    }
}
