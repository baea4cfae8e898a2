import Foundation
@testable import RTCCMedia

/// A small, fast, seeded generator (SplitMix64) so fuzz runs are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }

    /// Flips, inserts, deletes or overwrites a few bytes of `input`.
    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var output = input
        for _ in 0..<Int.random(in: 1...4, using: &self) {
            let choice = Int.random(in: 0..<4, using: &self)
            if output.isEmpty || choice == 0 {
                output.insert(UInt8.random(in: .min ... .max, using: &self), at: Int.random(in: 0...output.count, using: &self))
            } else if choice == 1 {
                output.remove(at: Int.random(in: 0..<output.count, using: &self))
            } else if choice == 2 {
                let index = Int.random(in: 0..<output.count, using: &self)
                output[index] ^= 1 << UInt8.random(in: 0..<8, using: &self)
            } else {
                output = Array(output.prefix(Int.random(in: 0...output.count, using: &self)))
            }
        }
        return output
    }
}

/// Hexadecimal test vectors.
func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var iterator = text.filter { !$0.isWhitespace }.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        bytes.append(UInt8(String([high, low]), radix: 16) ?? 0)
    }
    return bytes
}

/// Test vectors produced by libx264 / libx265 from ffmpeg's `testsrc`.
enum Vectors {
    /// 1920×1080 Main profile, level 4.0, 30 fps (cropped from 1088 lines).
    static let sps1080p = hex("674d4028eca03c0113f2e022000003000200000300781e30632c")
    static let pps1080p = hex("68ebe3cb20")
    /// 320×240 High 4:4:4 Predictive, level 1.3, 25 fps.
    static let sps444 = hex("67f4000d919b28283f6022000003000200000300641e28532c")
    /// H.265 Main, level 3.1, 1280×720.
    static let hevcVPS = hex("40010c01ffff01600000030090000003000003005d959809")
    static let hevcSPS = hex("42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003210")
    static let hevcPPS = hex("4401c172b46240")
}

/// Packetizes access units the way cameras do, for depacketizer tests.
enum TestPacketizer {
    /// H.264: NAL units up to `mtu` go alone (or in STAP-A when `aggregate`), larger ones in FU-A.
    static func h264(
        _ accessUnits: [[[UInt8]]], timestamps: [UInt32]? = nil, mtu: Int = 1200, aggregate: Bool = false, firstSequence: UInt16 = 0
    ) -> [RTPPacket] {
        packetize(accessUnits, timestamps: timestamps, mtu: mtu, firstSequence: firstSequence) { units in
            units.flatMap { unit -> [[UInt8]] in
                guard unit.count > mtu else { return [unit] }
                return fragments(body: Array(unit.dropFirst()), mtu: mtu - 2).enumerated().map { index, part in
                    let isLast = (index + 1) * (mtu - 2) >= unit.count - 1
                    let fuHeader = (index == 0 ? 0x80 : 0) | (isLast ? 0x40 : 0) | (unit[0] & 0x1F)
                    return [(unit[0] & 0xE0) | 28, fuHeader] + part
                }
            }
        } aggregate: { units in
            guard aggregate else { return units }
            return aggregateSmall(units, mtu: mtu, header: [0x18])
        }
    }

    /// H.265: NAL units up to `mtu` go alone (or in an AP when `aggregate`), larger ones in FUs.
    static func h265(
        _ accessUnits: [[[UInt8]]], timestamps: [UInt32]? = nil, mtu: Int = 1200, aggregate: Bool = false, firstSequence: UInt16 = 0
    ) -> [RTPPacket] {
        packetize(accessUnits, timestamps: timestamps, mtu: mtu, firstSequence: firstSequence) { units in
            units.flatMap { unit -> [[UInt8]] in
                guard unit.count > mtu else { return [unit] }
                let type = (unit[0] >> 1) & 0x3F
                return fragments(body: Array(unit.dropFirst(2)), mtu: mtu - 3).enumerated().map { index, part in
                    let isLast = (index + 1) * (mtu - 3) >= unit.count - 2
                    let fuHeader = (index == 0 ? 0x80 : 0) | (isLast ? 0x40 : 0) | type
                    return [(unit[0] & 0x81) | (49 << 1), unit[1], fuHeader] + part
                }
            }
        } aggregate: { units in
            guard aggregate else { return units }
            return aggregateSmall(units, mtu: mtu, header: [48 << 1, 1])
        }
    }

    private static func packetize(
        _ accessUnits: [[[UInt8]]], timestamps: [UInt32]?, mtu: Int, firstSequence: UInt16,
        split: ([[UInt8]]) -> [[UInt8]], aggregate: ([[UInt8]]) -> [[UInt8]]
    ) -> [RTPPacket] {
        var packets: [RTPPacket] = []
        var sequence = firstSequence
        for (index, unit) in accessUnits.enumerated() {
            let payloads = split(aggregate(unit))
            for (payloadIndex, payload) in payloads.enumerated() {
                packets.append(
                    RTPPacket(
                        marker: payloadIndex == payloads.count - 1, payloadType: 96, sequenceNumber: sequence,
                        timestamp: timestamps?[index] ?? UInt32(truncatingIfNeeded: 3600 * index), ssrc: 0x1234,
                        payload: payload))
                sequence &+= 1
            }
        }
        return packets
    }

    private static func fragments(body: [UInt8], mtu: Int) -> [[UInt8]] {
        stride(from: 0, to: body.count, by: mtu).map { Array(body[$0..<min($0 + mtu, body.count)]) }
    }

    private static func aggregateSmall(_ units: [[UInt8]], mtu: Int, header: [UInt8]) -> [[UInt8]] {
        var output: [[UInt8]] = []
        var group: [[UInt8]] = []
        func close() {
            if group.count == 1 { output.append(group[0]) }
            if group.count > 1 {
                output.append(header + group.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 })
            }
            group = []
        }
        for unit in units {
            if unit.count + 2 > mtu / 2 {
                close()
                output.append(unit)
                continue
            }
            if (group.reduce(header.count) { $0 + $1.count + 2 }) + unit.count + 2 > mtu { close() }
            group.append(unit)
        }
        close()
        return output
    }
}

/// Runs external media tools (ffmpeg, ffprobe) for tests against real peers.
enum ExternalTool {
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The full path of `name` on PATH or in the usual places, or `nil`.
    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool to completion without blocking a concurrency thread: output goes to files and
    /// the wait is for the termination handler.
    static func run(_ executable: String, _ arguments: [String], in directory: URL) async throws -> Result {
        let outputURL = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errorURL = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? errors.close()
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Result(
            status: status, output: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            errors: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Reads the box tree of MP4 bytes for assertions.
struct TestBox {
    var type: String
    var body: [UInt8]

    static let containers: Set<String> = ["moov", "trak", "mdia", "minf", "stbl", "dinf", "mvex", "moof", "traf"]

    static func parse(_ bytes: [UInt8]) -> [TestBox] {
        var boxes: [TestBox] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard size >= 8, offset + size <= bytes.count else { break }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            boxes.append(TestBox(type: type, body: Array(bytes[(offset + 8)..<(offset + size)])))
            offset += size
        }
        return boxes
    }

    var children: [TestBox] {
        if type == "stsd" { return TestBox.parse(Array(body.dropFirst(8))) }
        return TestBox.containers.contains(type) ? TestBox.parse(body) : []
    }

    /// Finds the first descendant along a path such as `["moov", "trak", "tkhd"]`.
    static func find(_ path: [String], in boxes: [TestBox]) -> TestBox? {
        guard let first = path.first, let match = boxes.first(where: { $0.type == first }) else { return nil }
        return path.count == 1 ? match : find(Array(path.dropFirst()), in: match.children)
    }
}

/// Reads AAC frames out of an ADTS stream (ISO/IEC 13818-7 section 6.2), as ffmpeg writes them.
enum ADTS {
    static let sampleRates = [96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000, 7_350]

    /// The track format from the first header and the raw frames, or `nil` if the stream is malformed.
    static func frames(_ stream: [UInt8]) -> (AACAudioFormat, [[UInt8]])? {
        var frames: [[UInt8]] = []
        var offset = 0
        var format: AACAudioFormat?
        while offset + 7 <= stream.count {
            guard stream[offset] == 0xFF, stream[offset + 1] & 0xF0 == 0xF0 else { return nil }
            let headerLength = stream[offset + 1] & 1 == 1 ? 7 : 9
            let length = Int(stream[offset + 3] & 3) << 11 | Int(stream[offset + 4]) << 3 | Int(stream[offset + 5] >> 5)
            guard length > headerLength, offset + length <= stream.count else { return nil }
            if format == nil {
                let objectType = Int(stream[offset + 2] >> 6) + 1
                let rateIndex = Int(stream[offset + 2] >> 2) & 0x0F
                let channels = Int(stream[offset + 2] & 1) << 2 | Int(stream[offset + 3] >> 6)
                guard rateIndex < sampleRates.count else { return nil }
                let config = UInt16(objectType << 11 | rateIndex << 7 | channels << 3)
                format = AACAudioFormat(
                    sampleRate: sampleRates[rateIndex], channelCount: channels, audioSpecificConfig: [UInt8(config >> 8), UInt8(config & 0xFF)])
            }
            frames.append(Array(stream[(offset + headerLength)..<(offset + length)]))
            offset += length
        }
        return format.map { ($0, frames) }
    }
}
