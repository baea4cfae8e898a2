import Foundation
import NIOCore
import Synchronization
import Testing

@testable import RTCCMedia

/// Two recorders at once against one ``RTSPServer``: a camera sending nothing but malformed H.264
/// RTP, and a healthy one replaying ffmpeg's packetization. The bad camera must not crash the
/// process, must never look like it is streaming, and must not disturb the healthy recording.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PipelineBadInputTests {
    typealias Recorder = PipelineCameraRecorderTests

    @Test(arguments: [RTSPTransportPreference.tcp, .udp])
    func garbageOnOneCameraLeavesTheOtherRecording(transport: RTSPTransportPreference) async throws {
        let directory = try ExternalTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = try await PipelineFFmpegSourceTests.captureFFmpeg()
        let garbage = GarbageCamera(seed: 0x5EED_0BAD)
        let sources: [String: any RTSPMediaSource] = ["/good": capture.replaySource(), "/bad": garbage]
        let (good, bad) = try await withRTSPServer(sources: sources) { server in
            let good = Recorder.makeRecording(port: server.port, path: "good", transport: transport, root: directory.appendingPathComponent("good"))
            let bad = Recorder.makeRecording(port: server.port, path: "bad", transport: transport, root: directory.appendingPathComponent("bad"))
            try await Recorder.whileRecording(good) {
                try await Recorder.whileRecording(bad) {
                    try await pollUntil(30, "100 frames (4 s) from the healthy camera and 3 rounds of garbage") {
                        await Recorder.framesRecorded(good) >= 100 && garbage.progress.roundsSent >= 3
                    }
                    try await Self.expectBadCameraNotStreaming(bad)
                }
            }
            return (good, bad)
        }
        #expect(await bad.log.first { if case .sessionStarted = $0 { true } else { false } } != nil, "the bad camera never played")
        #expect(await bad.index.openedSegments.isEmpty)
        #expect(RecordingTestMedia.files(under: bad.root).isEmpty)
        let (frames, span) = try await PipelineFFmpegSourceTests.expectCleanRecording(good, directory: directory)
        let health = await bad.recorder.health
        print("[measure] garbage/\(transport): healthy camera \(frames) frames over \(span) s (\(span * 25) expected); bad camera \(health)")
    }

    /// While the garbage flows: no frames, a state other than streaming, the reason for it, and an
    /// offline announcement. The sequence number jump of each round (1 000 packets) shows the
    /// garbage reached the depacketizer.
    static func expectBadCameraNotStreaming(_ bad: Recorder.Recording) async throws {
        let health = await bad.recorder.health
        #expect(health.framesRecorded == 0, "\(health)")
        #expect([.connecting, .degraded, .down].contains(health.state), "\(health)")
        #expect(health.packetsLost >= 1000, "\(health)")
        #expect(await bad.log.first { if case .offline = $0 { true } else { false } } != nil, "no offline event for the bad camera")
        let explained = await bad.recorder.health
        #expect(explained.reason != nil, "the bad camera's health gives no reason: \(explained)")
    }
}

/// A camera whose H.264 RTP is wrong in every way a depacketizer has to survive, sent in rounds of
/// ``GarbageRTP``. It never sends a PPS, so nothing it sends can start a recording.
struct GarbageCamera: RTSPMediaSource {
    /// Rounds sent, for the test's waits.
    final class Progress: Sendable {
        private let rounds = Mutex(0)

        var roundsSent: Int { rounds.withLock { $0 } }
        func roundSent() { rounds.withLock { $0 += 1 } }
    }

    let seed: UInt64
    let progress = Progress()

    var sessionDescription: SessionDescription {
        SessionDescription(media: [
            MediaDescription(
                type: "video", formats: ["96"],
                attributes: [
                    SDPAttribute(name: "rtpmap", value: "96 H264/90000"),
                    // Neither is usable: a profile that is not hex, parameter sets that are not base64 or not an SPS.
                    SDPAttribute(name: "fmtp", value: "96 packetization-mode=1;profile-level-id=zzzzzz;sprop-parameter-sets=!!!!,Z2Vh"),
                ])
        ])
    }

    func makePackets() -> any AsyncSequence<RTSPMediaPacket, any Error> & Sendable {
        Packets(seed: seed, progress: progress)
    }

    /// The rounds, one packet every 5 ms, for one viewer.
    struct Packets: AsyncSequence, Sendable {
        typealias Element = RTSPMediaPacket
        let seed: UInt64
        let progress: Progress

        func makeAsyncIterator() -> Iterator { Iterator(rtp: GarbageRTP(seed: seed), progress: progress) }
    }

    struct Iterator: AsyncIteratorProtocol {
        var rtp: GarbageRTP
        let progress: Progress
        var round: [ByteBuffer] = []
        var index = 0
        var start: ContinuousClock.Instant?
        var sent = 0

        mutating func next() async throws -> RTSPMediaPacket? {
            if index == round.count {
                if !round.isEmpty { progress.roundSent() }
                round = rtp.round()
                index = 0
            }
            let begin = start ?? .now
            start = begin
            try await Task.sleep(until: begin + .milliseconds(5) * sent)
            sent += 1
            index += 1
            return RTSPMediaPacket(track: 0, bytes: round[index - 1])
        }
    }
}

/// Malformed H.264 RTP from a seeded generator: random payloads, FU-A without start, truncated
/// STAP-A, absurd NAL unit sizes and counts, and broken RTP headers. Each kind gets its own RTP
/// timestamps with the marker on its last packet, so the depacketizer sees them as pictures.
struct GarbageRTP {
    private var generator: SeededGenerator
    private var sequence: UInt16 = 1
    private var timestamp: UInt32 = 90_000
    /// The body of the 60 kB NAL units, made once: generating 9 MB a round would only cost time.
    private let filler: [UInt8]

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        filler = generator.bytes(count: 60_000)
    }

    /// One round of every kind.
    mutating func round() -> [ByteBuffer] {
        randomPayloads() + fragmentsWithoutStart() + truncatedAggregates() + absurdSizes() + brokenHeaders()
    }

    /// Random bytes behind a valid header. The NAL unit header is random too, but is never a PPS,
    /// STAP-A or FU-A (those are crafted below): flipping its lowest bit makes it an access unit
    /// delimiter, STAP-B or FU-B.
    mutating func randomPayloads() -> [ByteBuffer] {
        var packets: [ByteBuffer] = []
        for _ in 0..<20 {
            var payloads: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                var payload = random(Int.random(in: 1...1400, using: &generator))
                if [8, 24, 28].contains(payload[0] & 0x1F) { payload[0] ^= 0x01 }
                payloads.append(payload)
            }
            packets += picture(payloads)
        }
        return packets
    }

    /// FU-A middle and end fragments whose start never came, a start cut off by a single NAL unit,
    /// an FU-A with both start and end set, and one too short for its FU header.
    mutating func fragmentsWithoutStart() -> [ByteBuffer] {
        var packets: [ByteBuffer] = []
        for type in UInt8(1)...5 {
            packets += picture([[0x7C, type] + random(500), [0x7C, 0x40 | type] + random(300)])
        }
        packets += picture([[0x41] + random(200), [0x7C, 0x45] + random(100)])
        packets += picture([[0x7C, 0x81] + random(300), [0x41] + random(100)])
        packets += picture([[0x7C, 0xC5] + random(50)])
        packets += picture([[0x7C, 0x85]])
        return packets
    }

    /// STAP-A packets that end inside a size field or a NAL unit, carry nothing, or hold a zero size.
    mutating func truncatedAggregates() -> [ByteBuffer] {
        picture([[0x18, 0x00, 0x40, 0x67] + random(10)])
            + picture([[0x18, 0x00]])
            + picture([[0x18]])
            + picture([[0x18, 0x00, 0x02, 0x09, 0xF0, 0x00, 0x00]])
            + picture([[0x18, 0x00, 0x03, 0x41, 0x9A, 0x00, 0x00, 0x10] + random(4)])
    }

    /// A STAP-A announcing 65 535 bytes; a 60 kB IDR slice with no parameter sets known (over UDP
    /// the client cuts it at its datagram size); 4 600 one-byte slices in ten STAP-As, past the
    /// 4 096 NAL units an access unit may hold; and an FU-A NAL unit of 150 fragments of 60 kB,
    /// past the 8 MiB an access unit may hold.
    mutating func absurdSizes() -> [ByteBuffer] {
        var packets = picture([[0x18, 0xFF, 0xFF] + random(1000)])
        packets += picture([[0x65] + filler])
        let slices = [UInt8]((0..<460).flatMap { _ in [0x00, 0x01, 0x41] as [UInt8] })
        packets += picture(Array(repeating: [0x18] + slices, count: 10))
        let middle: [UInt8] = [0x7C, 0x01] + filler
        packets += picture([[0x7C, 0x81] + filler] + Array(repeating: middle, count: 148) + [[0x7C, 0x41] + filler])
        return packets
    }

    /// Datagrams that are too short for RTP, of version 1, or whose CSRC list, header extension or
    /// padding runs past the end; a payload type the session does not use; the timestamp leaping
    /// by half its range; and the sequence number skipping 1 000 packets, stepping back over packets
    /// already sent, and leaping far enough for a receiver to start over.
    mutating func brokenHeaders() -> [ByteBuffer] {
        let slice: [UInt8] = [0x41] + random(100)
        var packets: [ByteBuffer] = [ByteBuffer(bytes: [0x80, 0xE0, 0x00])]
        packets.append(packet(first: 0x40, payload: slice))
        packets.append(packet(first: 0x8F, payload: random(8)))
        packets.append(packet(first: 0x90, payload: [0xBE, 0xDE, 0xFF, 0xFF] + random(20)))
        packets.append(packet(first: 0xA0, payload: slice + [0xFF]))
        packets.append(packet(first: 0xA0, payload: slice + [0x00]))
        packets.append(packet(payloadType: 97, payload: slice))
        timestamp &+= 1 << 31
        packets += picture([slice])
        sequence &+= 1000
        packets += picture([slice])
        sequence &-= 3
        packets += picture([slice, slice, slice])
        sequence &+= 30000
        packets += picture([slice, slice])
        return packets
    }

    /// RTP packets of one picture: a new timestamp, the marker on the last packet.
    private mutating func picture(_ payloads: [[UInt8]]) -> [ByteBuffer] {
        timestamp &+= 3600
        return payloads.enumerated().map { index, payload in
            packet(marker: index == payloads.count - 1, payload: payload)
        }
    }

    /// One RTP packet; `first` is the first header byte (version, padding, extension, CSRC count).
    private mutating func packet(first: UInt8 = 0x80, marker: Bool = true, payloadType: UInt8 = 96, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(first)
        buffer.writeInteger((marker ? 0x80 : 0) | payloadType)
        buffer.writeInteger(sequence)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(UInt32(0xBAD0_CAFE))
        buffer.writeBytes(payload)
        sequence &+= 1
        return buffer
    }

    private mutating func random(_ count: Int) -> [UInt8] { generator.bytes(count: count) }
}
