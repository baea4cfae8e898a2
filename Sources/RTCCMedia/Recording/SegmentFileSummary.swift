import Foundation

/// What a segment file holds, read from the file alone: for rebuilding a lost recording index.
public struct SegmentFileSummary: Sendable, Hashable {
    /// Pictures in the complete fragments.
    public var frames: Int
    /// Media time from the first picture to the end of the last one, seconds.
    public var mediaDuration: Double
    /// Bytes up to the end of the last complete fragment.
    public var completeBytes: Int64
    /// The file's size (more than ``completeBytes`` when a fragment was torn by a crash).
    public var fileBytes: Int64
    /// The codec family of the video track (`avc1`, `hvc1`, `hev1`), with the H.264 profile and level when present.
    public var codec: String

    /// Reads the file at `path`. Throws ``SegmentFileError`` when it is unreadable or has no initialization segment.
    public static func read(fileAt path: String) throws(SegmentFileError) -> SegmentFileSummary {
        let data: [UInt8]
        do {
            data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .fileSystem(path: path, reason: "\(error)")
        }
        guard let scan = SegmentRecovery.scan(data) else { throw .missingInitializationSegment(path: path) }
        return SegmentFileSummary(
            frames: scan.frames, mediaDuration: scan.mediaDuration, completeBytes: scan.keptBytes, fileBytes: Int64(data.count),
            codec: Self.codec(in: data))
    }

    /// The sample entry's codec: `avc1.PPCCLL` from its avcC, else the entry's four-character type.
    static func codec(in data: [UInt8]) -> String {
        let boxes = MP4TopLevelBox.walk(data)
        guard let moov = boxes.first(where: { $0.type == "moov" }) else { return "unknown" }
        let body = moov.body(in: data)
        // The sample entry's type follows "stsd", its version/flags (4 bytes), entry count (4) and the entry's size (4).
        let bytes = Array(body)
        guard let stsd = Self.find("stsd", in: bytes), stsd + 20 <= bytes.count else { return "unknown" }
        let entryType = String(decoding: bytes[(stsd + 16)..<(stsd + 20)], as: UTF8.self)
        guard entryType == "avc1" || entryType == "avc3", let avcC = Self.find("avcC", in: bytes), avcC + 8 <= bytes.count else { return entryType }
        return String(format: "%@.%02X%02X%02X", entryType, bytes[avcC + 5], bytes[avcC + 6], bytes[avcC + 7])
    }

    /// The offset of the first occurrence of a box type's four characters (its body starts 4 bytes later).
    private static func find(_ type: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(type.utf8)
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == pattern[0] && Array(bytes[index..<(index + 4)]) == pattern {
            return index
        }
        return nil
    }
}
