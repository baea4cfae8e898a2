import Foundation

/// Why a clip could not be exported. Every case names what to fix; nothing is ever exported from a
/// segment that failed its check.
public enum ClipExportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `until` is not after `from`; ask for a range that has a length.
    case emptyRange(from: Date, until: Date)
    /// No recorded picture of the camera lies in the range; pick a range the recording index lists.
    case noRecording(from: Date, until: Date)
    /// A segment's bytes no longer match the SHA-256 sealed when it was recorded: the file was
    /// altered or damaged and must be investigated, not exported.
    case segmentHashMismatch(segment: UUID, path: String, sealed: String, actual: String)
    /// A segment file could not be read; check that it exists and is readable.
    case segmentUnreadable(segment: UUID, path: String, reason: String)
    /// A segment's bytes match its seal but are not a readable fragmented MP4.
    case segmentMalformed(segment: UUID, path: String, reason: String)
    /// Segments of the range use different codecs, which one track cannot hold; export the parts separately.
    case codecChanged(segment: UUID, from: String, to: String)
    /// The destination already exists; evidence is never overwritten, choose another path.
    case destinationExists(path: String)
    /// Writing the clip failed; check the destination's folder and free space.
    case fileSystem(path: String, reason: String)

    /// A sentence saying what failed and what to do. It names segments by identifier, never by their path on the
    /// server, so it may be shown to any user; the paths stay in the associated values for the server's log.
    public var description: String {
        switch self {
        case .emptyRange(let from, let until):
            return "The range \(from) – \(until) is empty; 'until' must be after 'from'."
        case .noRecording(let from, let until):
            return "No recorded frame lies between \(from) and \(until); choose a range that was recorded."
        case .segmentHashMismatch(let segment, _, let sealed, let actual):
            return "Segment \(segment) does not match its sealed SHA-256 (sealed \(sealed), now \(actual)); "
                + "the file was altered or damaged and was not exported."
        case .segmentUnreadable(let segment, _, let reason):
            return "Segment \(segment) could not be read: \(reason)."
        case .segmentMalformed(let segment, _, let reason):
            return "Segment \(segment) is not a readable recording: \(reason)."
        case .codecChanged(let segment, let from, let to):
            return "Segment \(segment) changes the codec from \(from) to \(to); export the two parts as separate clips."
        case .destinationExists(let path):
            return "\(path) already exists; evidence clips are never overwritten."
        case .fileSystem(let path, let reason):
            return "Writing \(path) failed: \(reason)."
        }
    }
}
