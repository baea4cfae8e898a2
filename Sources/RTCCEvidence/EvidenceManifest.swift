import Foundation

/// The signed description of an evidence package (`manifest.json`). Times are ISO 8601 UTC with
/// milliseconds; paths are relative to the package folder with `/` separators.
public struct EvidenceManifest: Codable, Sendable, Hashable {
    /// Always `openrtcc-evidence`.
    public var format: String
    /// The package format version (``RTCCEvidence/packageFormatVersion``).
    public var formatVersion: Int
    /// The case the export belongs to.
    public var caseNumber: String
    /// Why the evidence was exported.
    public var purpose: String
    /// Who exported it.
    public var exporter: String
    /// When the package was made.
    public var exportedAt: String
    /// Hex SHA-256 of the raw Ed25519 public key that signs this manifest.
    public var signingKeyFingerprint: String
    /// One entry per camera.
    public var cameras: [Camera]
    /// Every file of the package except `manifest.json`, `manifest.sig` and `SHA256SUMS`.
    public var files: [File]

    /// A camera's clip and where it came from.
    public struct Camera: Codable, Sendable, Hashable {
        /// The camera's identifier.
        public var id: String
        /// Its display name.
        public var name: String
        /// Where it is.
        public var location: String
        /// Who owns or operates it.
        public var owner: String
        /// The range asked for.
        public var requested: TimeRange
        /// Wall-clock time of the first and last picture shown by the clip.
        public var actual: TimeRange
        /// Pictures shown by the clip.
        public var frames: Int
        /// Parts of the requested range with no recording.
        public var gaps: [TimeRange]
        /// The clip file.
        public var clip: File
        /// The recording segments the clip was cut from, with the SHA-256 sealed at recording.
        public var sourceSegments: [SourceSegment]
        /// Present when the clip ends at the live edge: the time (ISO 8601) up to which the camera's recording was
        /// complete when the package was made. The requested range after it had not been recorded yet; it is not a gap.
        public var endsAtLiveEdge: String?
    }

    /// A wall-clock interval.
    public struct TimeRange: Codable, Sendable, Hashable {
        /// Start (ISO 8601).
        public var from: String
        /// End (ISO 8601).
        public var until: String
    }

    /// A file with its digest.
    public struct File: Codable, Sendable, Hashable {
        /// Path relative to the package folder.
        public var path: String
        /// Hex SHA-256.
        public var sha256: String
        /// Size in bytes.
        public var bytes: Int64
    }

    /// A recording segment the clip was cut from.
    public struct SourceSegment: Codable, Sendable, Hashable {
        /// The segment's identifier.
        public var id: String
        /// Hex SHA-256 sealed at recording and checked before export; for a segment still being recorded
        /// (``openAtExport``), the SHA-256 of the bytes read from it, which the recorder never rewrites.
        public var sha256: String
        /// The segment's wall-clock range (for an open segment, up to the live edge).
        public var range: TimeRange
        /// True when the segment was still being recorded at export; absent for a sealed segment.
        public var openAtExport: Bool?
    }

    /// The manifest's bytes as written: pretty-printed JSON with sorted keys and a final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// ISO 8601 UTC text with milliseconds, as the manifest stores times.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The manifest form of a wall-clock interval.
    static func range(_ from: Date, _ until: Date) -> TimeRange {
        TimeRange(from: timestamp(from), until: timestamp(until))
    }
}
