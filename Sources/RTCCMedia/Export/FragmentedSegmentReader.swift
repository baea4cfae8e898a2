import Foundation

/// One video sample of a recorded segment, located in the segment's bytes.
struct SegmentSample: Sendable, Hashable {
    /// Decode time in the segment's media timescale, from the fragment's `tfdt`.
    var decodeTime: Int64
    /// Decode duration in ticks.
    var duration: Int64
    /// Presentation time minus decode time, in ticks (signed).
    var compositionOffset: Int64
    /// Whether decoding can start here.
    var isSync: Bool
    /// Byte offset of the sample in the segment file.
    var offset: Int
    /// Sample size in bytes.
    var size: Int

    /// Presentation time in ticks.
    var presentationTime: Int64 { decodeTime + compositionOffset }
}

/// What a fragmented MP4 segment holds for its first (video) track: the sample entry, the
/// timescale and every sample of every complete fragment, in decoding order.
struct FragmentedSegment: Sendable {
    /// The sample entry box (`avc1`/`hvc1` with its configuration), byte for byte.
    var sampleEntry: [UInt8]
    /// Ticks per second of the media.
    var timescale: Int64
    /// Picture width and height from the sample entry.
    var width: Int
    var height: Int
    /// The samples in decoding order.
    var samples: [SegmentSample]

    /// Parses the bytes of a segment; returns a reason when they are not a readable fragmented MP4.
    static func parse(_ data: [UInt8]) -> Result<FragmentedSegment, ParseFailure> {
        let boxes = MP4TopLevelBox.walk(data)
        guard let moov = boxes.first(where: { $0.type == "moov" }) else { return .failure(ParseFailure("no moov box")) }
        let moovBody = moov.body(in: data)
        guard let trak = MP4TopLevelBox.children(of: moovBody).first(where: { $0.type == "trak" }),
            let mdia = Self.child("mdia", of: trak, in: moovBody),
            let stsd = Self.path(["minf", "stbl", "stsd"], from: mdia, in: moovBody),
            let timescale = MP4TopLevelBox.videoTimescale(moov: moovBody), timescale > 0
        else { return .failure(ParseFailure("moov has no video track with a sample description")) }
        let entries = MP4TopLevelBox.children(of: moovBody[min(stsd.start + stsd.headerSize + 8, stsd.end)..<stsd.end])
        guard let entry = entries.first, entry.end - entry.start >= 8 + 28,
            let width = MP4TopLevelBox.readUInt(moovBody, entry.start + entry.headerSize + 24, 2),
            let height = MP4TopLevelBox.readUInt(moovBody, entry.start + entry.headerSize + 26, 2)
        else { return .failure(ParseFailure("stsd has no visual sample entry")) }
        var defaultFlags: UInt64 = 0
        if let mvex = MP4TopLevelBox.children(of: moovBody).first(where: { $0.type == "mvex" }),
            let trex = Self.child("trex", of: mvex, in: moovBody)
        {
            defaultFlags = MP4TopLevelBox.readUInt(moovBody, trex.start + trex.headerSize + 20, 4) ?? 0
        }
        var samples: [SegmentSample] = []
        for moof in boxes where moof.type == "moof" {
            switch FragmentRun.samples(moof: moof, in: data, defaultFlags: defaultFlags) {
            case .success(let run): samples += run
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(
            FragmentedSegment(
                sampleEntry: Array(moovBody[entry.start..<entry.end]), timescale: Int64(timescale), width: Int(width),
                height: Int(height), samples: samples))
    }

    static func child(_ type: String, of box: MP4TopLevelBox, in data: ArraySlice<UInt8>) -> MP4TopLevelBox? {
        MP4TopLevelBox.children(of: data[(box.start + box.headerSize)..<box.end]).first { $0.type == type }
    }

    static func path(_ types: [String], from box: MP4TopLevelBox, in data: ArraySlice<UInt8>) -> MP4TopLevelBox? {
        var current = box
        for type in types {
            guard let next = child(type, of: current, in: data) else { return nil }
            current = next
        }
        return current
    }
}

/// Why a segment's bytes could not be read as fragmented MP4.
struct ParseFailure: Error, Sendable, Hashable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Reads the samples of one `moof` (ISO/IEC 14496-12 sections 8.8.7 `tfhd`, 8.8.8 `trun`, 8.8.12 `tfdt`).
enum FragmentRun {
    typealias Defaults = (duration: UInt64, size: UInt64, flags: UInt64)

    static func samples(moof: MP4TopLevelBox, in data: [UInt8], defaultFlags trexFlags: UInt64) -> Result<[SegmentSample], ParseFailure> {
        let read = MP4TopLevelBox.readUInt
        let all = data[...]
        guard let traf = FragmentedSegment.child("traf", of: moof, in: all),
            let tfhd = FragmentedSegment.child("tfhd", of: traf, in: all),
            let trun = FragmentedSegment.child("trun", of: traf, in: all),
            let tfhdFlags = read(all, tfhd.start + tfhd.headerSize + 1, 3)
        else { return .failure(ParseFailure("fragment at byte \(moof.start) lacks traf/tfhd/trun")) }
        var baseDecodeTime: UInt64 = 0
        if let tfdt = FragmentedSegment.child("tfdt", of: traf, in: all), let version = read(all, tfdt.start + tfdt.headerSize, 1) {
            baseDecodeTime = read(all, tfdt.start + tfdt.headerSize + 4, version == 1 ? 8 : 4) ?? 0
        }
        var fields = OptionalFields(data: all, position: tfhd.start + tfhd.headerSize + 8, present: tfhdFlags)
        let base = fields.next(0x01, width: 8).map { Int(clamping: $0) } ?? moof.start
        _ = fields.next(0x02)
        let duration = fields.next(0x08) ?? 0
        let size = fields.next(0x10) ?? 0
        let defaults = (duration, size, fields.next(0x20) ?? trexFlags)
        return readRun(trun, in: data, base: base, decodeTime: Int64(clamping: baseDecodeTime), defaults: defaults)
    }

    private static func readRun(
        _ trun: MP4TopLevelBox, in data: [UInt8], base: Int, decodeTime: Int64, defaults: Defaults
    ) -> Result<[SegmentSample], ParseFailure> {
        let read = MP4TopLevelBox.readUInt
        let body = trun.start + trun.headerSize
        guard let version = read(data[...], body, 1), let flags = read(data[...], body + 1, 3), let count = read(data[...], body + 4, 4),
            count <= 1_000_000
        else { return .failure(ParseFailure("trun at byte \(trun.start) is truncated")) }
        var fields = OptionalFields(data: data[...], position: body + 8, present: flags)
        var offset = base + (fields.next(0x01).map { Int(Int32(bitPattern: UInt32(truncatingIfNeeded: $0))) } ?? 0)
        let firstFlags = fields.next(0x04)
        var samples: [SegmentSample] = []
        var time = decodeTime
        for index in 0..<Int(count) {
            let duration = fields.next(0x100) ?? defaults.duration
            let size = Int(fields.next(0x200) ?? defaults.size)
            let sampleFlags = fields.next(0x400) ?? (index == 0 ? (firstFlags ?? defaults.flags) : defaults.flags)
            let raw = fields.next(0x800) ?? 0
            let composition = version == 0 ? Int64(raw) : Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: raw)))
            guard fields.position <= trun.end, offset >= 0, offset + size <= data.count else {
                return .failure(ParseFailure("sample \(index) of the fragment at byte \(trun.start) lies outside the file"))
            }
            samples.append(
                SegmentSample(
                    decodeTime: time, duration: Int64(duration), compositionOffset: composition, isSync: sampleFlags & 0x0001_0000 == 0,
                    offset: offset, size: size))
            time += Int64(duration)
            offset += size
        }
        return .success(samples)
    }
}

/// Reads the optional fields of `tfhd` and `trun`: each is there when its flag is set.
struct OptionalFields {
    let data: ArraySlice<UInt8>
    var position: Int
    let present: UInt64

    /// The field for `flag`, advancing past it; nil when the flag is clear (or the bytes run out).
    mutating func next(_ flag: UInt64, width: Int = 4) -> UInt64? {
        guard present & flag != 0 else { return nil }
        defer { position += width }
        return MP4TopLevelBox.readUInt(data, position, width)
    }
}
