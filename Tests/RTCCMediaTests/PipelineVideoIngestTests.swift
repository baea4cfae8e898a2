import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

@Suite struct PipelineVideoIngestTests {
    static func session(encoding: String) throws -> (SessionDescription, [RTSPTrack]) {
        let text = [
            "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=test", "t=0 0",
            "m=video 0 RTP/AVP 96", "a=rtpmap:96 \(encoding)/90000", "a=control:video",
            "m=audio 0 RTP/AVP 97", "a=rtpmap:97 MPEG4-GENERIC/48000/2", "a=control:audio", "",
        ].joined(separator: "\r\n")
        let description = try SessionDescription.parse(text)
        let tracks = description.media.enumerated().map { RTSPTrack(index: $0.offset, mediaIndex: $0.offset, media: $0.element, controlURL: "x") }
        return (description, tracks)
    }

    /// A P picture, then an IDR with its parameter sets, then P pictures.
    static let accessUnits: [[[UInt8]]] =
        [[[0x41, 0x9A, 0x00, 0x01]], [Vectors.sps1080p, Vectors.pps1080p, [0x65, 0x88, 0x80, 0x40]]]
        + (0..<8).map { [[0x41, 0x9A, 0x02, UInt8($0)]] }

    @Test func framesStartAtTheKeyframeInOrderDespiteReorderingAndAudio() throws {
        let (description, tracks) = try Self.session(encoding: "H264")
        var ingest = try VideoIngest(description: description, tracks: tracks)
        var packets = TestPacketizer.h264(Self.accessUnits, firstSequence: 65_530)
        packets.swapAt(4, 5)
        var frames: [TimedVideoFrame] = []
        let start = ContinuousClock.now
        for (position, packet) in packets.enumerated() {
            let now = start + .milliseconds(10 * position)
            _ = ingest.handleRTP(track: 1, bytes: ByteBuffer(bytes: [0x80, 97, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF]), arrival: Date(), now: now)
            frames += ingest.handleRTP(track: 0, bytes: ByteBuffer(bytes: packet.serialized()), arrival: Date(), now: now).frames
        }
        frames += ingest.finish()
        #expect(frames.count == 9)
        #expect(frames.first?.accessUnit.isKeyframe == true)
        #expect(frames.map(\.timing.presentationTime) == (1..<10).map { Int64($0) * 3600 })
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timing.decodeTime < $1.timing.decodeTime })
        #expect(ingest.lostPackets == 0)
    }

    @Test func lostPacketIsCounted() throws {
        let (description, tracks) = try Self.session(encoding: "H264")
        var ingest = try VideoIngest(description: description, tracks: tracks)
        var packets = TestPacketizer.h264(Self.accessUnits)
        packets.remove(at: 6)
        var lost = 0
        let start = ContinuousClock.now
        for (position, packet) in packets.enumerated() {
            let bytes = ByteBuffer(bytes: packet.serialized())
            lost += ingest.handleRTP(track: 0, bytes: bytes, arrival: Date(), now: start + .seconds(position)).newlyLostPackets
        }
        #expect(lost == 1)
    }

    @Test func unsupportedCodecIsRefused() throws {
        let (description, tracks) = try Self.session(encoding: "MP4V-ES")
        #expect(throws: CameraRecorderError.unsupportedCodec("MP4V-ES")) { try VideoIngest(description: description, tracks: tracks) }
    }

    @Test func h265IsChosenFromTheRTPMap() throws {
        let (description, tracks) = try Self.session(encoding: "H265")
        let ingest = try VideoIngest(description: description, tracks: tracks)
        #expect(ingest.payloadType == 96 && ingest.trackIndex == 0)
    }
}
