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
    public func opened(_ segment: RecordedSegment) async throws { try await write(segment) }
    /// Records that more of the segment is on disk.
    public func progressed(_ segment: RecordedSegment) async throws { try await write(segment) }
    /// Records the sealed segment and its hash.
    public func sealed(_ segment: RecordedSegment) async throws { try await write(segment) }

    /// A report whose lease another node took before the segment's end is refused for good (never retried).
    private func write(_ segment: RecordedSegment) async throws {
        do {
            try await store.segments.upsert(SegmentRecord(segment))
        } catch let fenced as SegmentFenced {
            throw RecordingReportRefused(reason: fenced.description)
        }
    }
}

/// The index row and the recorder's segment carry the same fields; these convert between the two layers.
extension SegmentRecord {
    /// The row for a segment the recorder reported.
    public init(_ segment: RecordedSegment) {
        self.init(
            id: segment.id, cameraID: segment.cameraID, stream: segment.stream, path: segment.path, start: segment.start, end: segment.end,
            bytes: segment.bytes, frames: segment.frames, gaps: segment.gaps, codec: segment.codec, sha256: segment.sha256,
            node: segment.fence?.holder, epoch: segment.fence?.epoch, copy: segment.fence?.copy ?? 0)
    }

    /// The segment as the media layer describes it (for recovery and export).
    public var recordedSegment: RecordedSegment {
        RecordedSegment(
            id: id, cameraID: cameraID, stream: stream, path: path, start: start, end: end, bytes: bytes, frames: frames, gaps: gaps,
            codec: codec, sha256: sha256, fence: node.flatMap { node in epoch.map { RecordingFence(holder: node, epoch: $0, copy: copy) } })
    }
}
