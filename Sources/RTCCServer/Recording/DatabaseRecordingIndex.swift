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
    public func opened(_ segment: RecordedSegment) async throws { try await store.segments.upsert(Self.record(segment)) }
    /// Records that more of the segment is on disk.
    public func progressed(_ segment: RecordedSegment) async throws { try await store.segments.upsert(Self.record(segment)) }
    /// Records the sealed segment and its hash.
    public func sealed(_ segment: RecordedSegment) async throws { try await store.segments.upsert(Self.record(segment)) }

    static func record(_ segment: RecordedSegment) -> SegmentRecord {
        SegmentRecord(
            id: segment.id, cameraID: segment.cameraID, stream: segment.stream, path: segment.path, start: segment.start, end: segment.end,
            bytes: segment.bytes, frames: segment.frames, gaps: segment.gaps, codec: segment.codec, sha256: segment.sha256)
    }
}
