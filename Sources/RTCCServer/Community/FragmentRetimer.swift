import Foundation

/// Moves a fragmented MP4 onto another timeline by rewriting every `tfdt` (track fragment decode time), so a
/// re-encoded playback chunk starts where the recorded one did. ffmpeg's MP4 muxer starts fragmented output at zero.
enum FragmentRetimer {
    /// Why a file could not be retimed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `bytes` with each fragment's decode time shifted so the first one starts at `start` seconds.
    static func retime(_ bytes: [UInt8], toStartAt start: Double) throws -> [UInt8] {
        var data = bytes
        guard let timescale = try mediaTimescale(data) else { throw Failure(description: "no mdhd box: not an MP4 with a video track") }
        let offsets = try tfdtOffsets(data)
        guard let first = offsets.first else { throw Failure(description: "no fragments") }
        let firstTime = read(data, at: first.offset, size: first.size)
        let target = UInt64((max(0, start) * Double(timescale)).rounded())
        for box in offsets {
            let time = read(data, at: box.offset, size: box.size)
            let shifted = target &+ (time &- firstTime)
            if box.size == 4, shifted > UInt64(UInt32.max) { throw Failure(description: "the timeline does not fit a 32-bit tfdt") }
            write(&data, shifted, at: box.offset, size: box.size)
        }
        return data
    }

    private struct Box {
        var type: String
        var start: Int
        var header: Int
        var end: Int
    }

    private static func boxes(_ data: [UInt8], in range: Range<Int>) throws -> [Box] {
        var result: [Box] = []
        var position = range.lowerBound
        while position + 8 <= range.upperBound {
            var size = Int(read(data, at: position, size: 4))
            let type = String(decoding: data[(position + 4)..<(position + 8)], as: UTF8.self)
            var header = 8
            if size == 1 {
                guard position + 16 <= range.upperBound else { throw Failure(description: "truncated box \(type)") }
                size = Int(read(data, at: position + 8, size: 8))
                header = 16
            } else if size == 0 {
                size = range.upperBound - position
            }
            guard size >= header, position + size <= range.upperBound else { throw Failure(description: "box \(type) runs past its parent") }
            result.append(Box(type: type, start: position, header: header, end: position + size))
            position += size
        }
        return result
    }

    private static func children(_ data: [UInt8], of box: Box) throws -> [Box] {
        try boxes(data, in: (box.start + box.header)..<box.end)
    }

    private static func mediaTimescale(_ data: [UInt8]) throws -> UInt64? {
        for moov in try boxes(data, in: 0..<data.count) where moov.type == "moov" {
            for trak in try children(data, of: moov) where trak.type == "trak" {
                for mdia in try children(data, of: trak) where mdia.type == "mdia" {
                    for mdhd in try children(data, of: mdia) where mdhd.type == "mdhd" {
                        let body = mdhd.start + mdhd.header
                        let offset = data[body] == 1 ? body + 4 + 16 : body + 4 + 8
                        guard offset + 4 <= mdhd.end else { return nil }
                        return read(data, at: offset, size: 4)
                    }
                }
            }
        }
        return nil
    }

    private static func tfdtOffsets(_ data: [UInt8]) throws -> [(offset: Int, size: Int)] {
        var result: [(Int, Int)] = []
        for moof in try boxes(data, in: 0..<data.count) where moof.type == "moof" {
            for traf in try children(data, of: moof) where traf.type == "traf" {
                for tfdt in try children(data, of: traf) where tfdt.type == "tfdt" {
                    let body = tfdt.start + tfdt.header
                    let size = data[body] == 1 ? 8 : 4
                    guard body + 4 + size <= tfdt.end else { throw Failure(description: "truncated tfdt") }
                    result.append((body + 4, size))
                }
            }
        }
        return result
    }

    private static func read(_ data: [UInt8], at offset: Int, size: Int) -> UInt64 {
        data[offset..<(offset + size)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func write(_ data: inout [UInt8], _ value: UInt64, at offset: Int, size: Int) {
        for index in 0..<size { data[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(size - 1 - index))) }
    }
}
