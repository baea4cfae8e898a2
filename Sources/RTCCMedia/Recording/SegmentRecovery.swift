import Foundation

/// Repairs a segment file left unsealed by a crash or power loss.
///
/// The file's top-level boxes are walked: the initialization segment (`ftyp` + `moov`) and every
/// complete `moof` + `mdat` pair are kept, and whatever follows the last complete pair (a torn
/// fragment) is cut off. The result says how many frames survived and where the media ends, so
/// the caller can seal the segment in its index.
public enum SegmentRecovery {
    /// What was kept of a file.
    public struct Result: Sendable, Hashable {
        /// The length the file was cut to.
        public var keptBytes: Int64
        /// The bytes removed from the end.
        public var removedBytes: Int64
        /// Complete fragments kept.
        public var fragments: Int
        /// Frames in the kept fragments.
        public var frames: Int
        /// Media time from the file's start to the end of the last kept frame, in seconds.
        public var mediaDuration: Double
    }

    /// Repairs the file of `segment` in place and returns it sealed: frames, bytes, end time
    /// (`start` + media duration) and SHA-256 filled in. Throws ``SegmentFileError/noCompleteFragment(path:)``
    /// when no frame survived (the caller should then delete the file and forget the segment).
    public static func recover(_ segment: RecordedSegment) throws(SegmentFileError) -> RecordedSegment {
        let result = try repair(fileAt: segment.path)
        guard result.frames > 0 else { throw .noCompleteFragment(path: segment.path) }
        var repaired = segment
        repaired.frames = result.frames
        repaired.bytes = result.keptBytes
        repaired.end = segment.start.addingTimeInterval(result.mediaDuration)
        repaired.sha256 = try SegmentHash.sha256(ofFileAt: segment.path)
        return repaired
    }

    /// Truncates the file at `path` after its last complete fragment and `fsync`s it.
    public static func repair(fileAt path: String) throws(SegmentFileError) -> Result {
        let data: [UInt8]
        do {
            data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .fileSystem(path: path, reason: "\(error)")
        }
        guard var result = scan(data) else { throw .missingInitializationSegment(path: path) }
        result.removedBytes = Int64(data.count) - result.keptBytes
        if result.removedBytes > 0 {
            do {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                defer { try? handle.close() }
                try handle.truncate(atOffset: UInt64(result.keptBytes))
                try handle.synchronize()
            } catch {
                throw .fileSystem(path: path, reason: "\(error)")
            }
        }
        return result
    }

    /// Finds the kept length of a file's bytes; nil without a complete initialization segment.
    static func scan(_ data: [UInt8]) -> Result? {
        let boxes = MP4TopLevelBox.walk(data)
        guard boxes.count >= 2, boxes[0].type == "ftyp", boxes[1].type == "moov" else { return nil }
        let timescale = MP4TopLevelBox.videoTimescale(moov: boxes[1].body(in: data)) ?? 90_000
        var result = Result(keptBytes: Int64(boxes[1].end), removedBytes: 0, fragments: 0, frames: 0, mediaDuration: 0)
        var position = 2
        while position + 1 < boxes.count {
            let moof = boxes[position]
            let mdat = boxes[position + 1]
            guard moof.type == "moof", mdat.type == "mdat",
                let run = FragmentSummary(moof: moof.body(in: data)),
                run.dataEnd(moofStart: moof.start) <= mdat.end
            else { break }
            result.keptBytes = Int64(mdat.end)
            result.fragments += 1
            result.frames += run.sampleCount
            result.mediaDuration = Double(run.baseDecodeTime + run.totalDuration) / Double(max(timescale, 1))
            position += 2
        }
        return result
    }
}

/// A complete top-level box of an MP4 file.
struct MP4TopLevelBox: Sendable, Hashable {
    var type: String
    var start: Int
    var headerSize: Int
    var end: Int

    func body(in data: [UInt8]) -> ArraySlice<UInt8> { data[(start + headerSize)..<end] }

    /// The complete top-level boxes, stopping at the first torn or malformed one.
    static func walk(_ data: [UInt8]) -> [MP4TopLevelBox] {
        var boxes: [MP4TopLevelBox] = []
        var offset = 0
        while let box = box(in: data[...], at: offset) {
            boxes.append(box)
            offset = box.end
        }
        return boxes
    }

    /// The complete box at `offset` of `data` (indices are those of `data`), if there is one.
    static func box(in data: ArraySlice<UInt8>, at offset: Int) -> MP4TopLevelBox? {
        guard offset >= data.startIndex, offset + 8 <= data.endIndex, let size32 = readUInt(data, offset, 4) else { return nil }
        let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
        var size = Int(size32)
        var header = 8
        if size32 == 1 {
            guard let large = readUInt(data, offset + 8, 8), large <= UInt64(Int.max) else { return nil }
            size = Int(large)
            header = 16
        }
        guard size >= header, offset + size <= data.endIndex else { return nil }
        return MP4TopLevelBox(type: type, start: offset, headerSize: header, end: offset + size)
    }

    /// The children of a container body.
    static func children(of body: ArraySlice<UInt8>) -> [MP4TopLevelBox] {
        var boxes: [MP4TopLevelBox] = []
        var offset = body.startIndex
        while let box = box(in: body, at: offset) {
            boxes.append(box)
            offset = box.end
        }
        return boxes
    }

    /// The timescale of the first track's `mdhd`.
    static func videoTimescale(moov: ArraySlice<UInt8>) -> UInt64? {
        guard let trak = children(of: moov).first(where: { $0.type == "trak" }),
            let mdia = children(of: moov[(trak.start + trak.headerSize)..<trak.end]).first(where: { $0.type == "mdia" }),
            let mdhd = children(of: moov[(mdia.start + mdia.headerSize)..<mdia.end]).first(where: { $0.type == "mdhd" })
        else { return nil }
        let body = mdhd.start + mdhd.headerSize
        let version = moov[body]
        return readUInt(moov, body + (version == 1 ? 20 : 12), 4)
    }

    static func readUInt(_ data: ArraySlice<UInt8>, _ offset: Int, _ count: Int) -> UInt64? {
        guard offset >= data.startIndex, offset + count <= data.endIndex else { return nil }
        var value: UInt64 = 0
        for byte in data[offset..<(offset + count)] { value = value << 8 | UInt64(byte) }
        return value
    }
}

/// What a `moof` says about its first track fragment.
struct FragmentSummary: Sendable, Hashable {
    var baseDecodeTime: UInt64
    var sampleCount: Int
    var totalDuration: UInt64
    var dataOffset: Int
    var dataSize: Int

    /// Where the samples end, for a `moof` starting at `moofStart` (default-base-is-moof).
    func dataEnd(moofStart: Int) -> Int { moofStart + dataOffset + dataSize }

    init?(moof: ArraySlice<UInt8>) {
        let read = MP4TopLevelBox.readUInt
        guard let traf = MP4TopLevelBox.children(of: moof).first(where: { $0.type == "traf" }) else { return nil }
        let trafBoxes = MP4TopLevelBox.children(of: moof[(traf.start + traf.headerSize)..<traf.end])
        guard let tfhd = trafBoxes.first(where: { $0.type == "tfhd" }), let tfdt = trafBoxes.first(where: { $0.type == "tfdt" }),
            let trun = trafBoxes.first(where: { $0.type == "trun" }),
            let tfdtVersion = read(moof, tfdt.start + 8, 1),
            let base = read(moof, tfdt.start + 12, tfdtVersion == 1 ? 8 : 4),
            let tfhdFlags = read(moof, tfhd.start + 9, 3)
        else { return nil }
        var defaultDuration: UInt64 = 0
        var defaultSize: UInt64 = 0
        var cursor = tfhd.start + 16
        if tfhdFlags & 0x01 != 0 { cursor += 8 }
        if tfhdFlags & 0x02 != 0 { cursor += 4 }
        if tfhdFlags & 0x08 != 0 { defaultDuration = read(moof, cursor, 4) ?? 0; cursor += 4 }
        if tfhdFlags & 0x10 != 0 { defaultSize = read(moof, cursor, 4) ?? 0 }
        guard let summary = Self.readRun(moof, trun, defaultDuration: defaultDuration, defaultSize: defaultSize) else { return nil }
        baseDecodeTime = base
        (sampleCount, totalDuration, dataOffset, dataSize) = summary
    }

    private static func readRun(
        _ moof: ArraySlice<UInt8>, _ trun: MP4TopLevelBox, defaultDuration: UInt64, defaultSize: UInt64
    ) -> (Int, UInt64, Int, Int)? {
        let read = MP4TopLevelBox.readUInt
        guard let flags = read(moof, trun.start + 9, 3), let count = read(moof, trun.start + 12, 4), count <= 1_000_000 else { return nil }
        var cursor = trun.start + 16
        var dataOffset = 0
        if flags & 0x01 != 0 {
            guard let offset = read(moof, cursor, 4) else { return nil }
            dataOffset = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: offset)))
            cursor += 4
        }
        if flags & 0x04 != 0 { cursor += 4 }
        var duration: UInt64 = 0
        var size = 0
        for _ in 0..<count {
            var sampleDuration = defaultDuration
            var sampleSize = defaultSize
            if flags & 0x100 != 0 { sampleDuration = read(moof, cursor, 4) ?? 0; cursor += 4 }
            if flags & 0x200 != 0 { sampleSize = read(moof, cursor, 4) ?? 0; cursor += 4 }
            if flags & 0x400 != 0 { cursor += 4 }
            if flags & 0x800 != 0 { cursor += 4 }
            guard cursor <= trun.end else { return nil }
            duration += sampleDuration
            size += Int(sampleSize)
        }
        return (Int(count), duration, dataOffset, size)
    }
}
