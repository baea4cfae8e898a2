import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import RTCCMedia

/// ffprobe (libavformat's RTSP client) against ``RTSPServer`` replaying RTP that ffmpeg produced.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RTSPFFprobeTests {
    /// A recording shared by the tests: two seconds of H.264 test pattern as RTP, and ffmpeg's SDP.
    static func recordH264() async throws -> RTSPPacketReplaySource {
        let ffmpeg = try RTSPPeer.require("ffmpeg", package: "ffmpeg")
        let collector = PacketCollector()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 * 1024 * 1024)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelInitializer { $0.pipeline.addHandler(collector) }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        let sdpFile = FileManager.default.temporaryDirectory.appendingPathComponent("rtsp-ffmpeg-\(UUID().uuidString).sdp")
        defer { try? FileManager.default.removeItem(at: sdpFile) }
        let result = try await RTSPPeer.run(ffmpeg, [
            "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2",
            "-c:v", "libx264", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "rtp", "-sdp_file", sdpFile.path,
            "rtp://127.0.0.1:\(port)?rtcpport=\(port)&pkt_size=1200",
        ], deadline: 60)
        #expect(result.status == 0, "ffmpeg failed: \(result.output)")
        let expectedMinimum = 50
        try await rtspWithDeadline(10, "ffmpeg's RTP packets") {
            while collector.count < expectedMinimum { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await channel.close()
        var description = try SessionDescription.parse(String(contentsOf: sdpFile, encoding: .utf8))
        #expect(description.media.first?.rtpMap(for: 96)?.encodingName == "H264")
        description.media[0].port = 0
        return RTSPPacketReplaySource(sessionDescription: description, packets: Self.pace(collector.packets()))
    }

    /// Keeps RTP (drops ffmpeg's RTCP) and derives each packet's offset from its 90 kHz timestamp.
    static func pace(_ datagrams: [ByteBuffer]) -> [RTSPPacketReplaySource.Packet] {
        let rtp = datagrams.filter { !(72...76).contains(($0.getInteger(at: $0.readerIndex + 1, as: UInt8.self) ?? 0) & 0x7F) }
        guard let first = rtp.first?.getInteger(at: 4, as: UInt32.self) else { return [] }
        return rtp.map { packet in
            let ticks = (packet.getInteger(at: packet.readerIndex + 4, as: UInt32.self) ?? first) &- first
            return .init(track: 0, offset: .milliseconds(Int(ticks) / 90), bytes: packet)
        }
    }

    @Test(arguments: ["tcp", "udp"])
    func ffprobeReadsH264FromServer(transport: String) async throws {
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        let source = try await Self.recordH264()
        #expect(source.packets.count >= 50)
        let result = try await withRTSPServer(sources: ["/cam": source]) { server in
            try await RTSPPeer.run(ffprobe, [
                "-v", "error", "-rtsp_transport", transport, "-show_entries", "stream=codec_name,width,height",
                "-of", "default=noprint_wrappers=1", "rtsp://127.0.0.1:\(server.port)/cam",
            ], deadline: 60)
        }
        #expect(result.status == 0, "ffprobe failed: \(result.output)")
        #expect(result.output.contains("codec_name=h264"), "ffprobe said: \(result.output)")
        #expect(result.output.contains("width=320"))
        #expect(result.output.contains("height=240"))
    }

    @Test func ffprobeAuthenticatesWithDigest() async throws {
        let ffprobe = try RTSPPeer.require("ffprobe", package: "ffmpeg")
        let source = try await Self.recordH264()
        let auth = RTSPServerAuthentication(credentials: RTSPCredentials(username: "viewer", password: "secret"))
        let result = try await withRTSPServer(sources: ["/cam": source], authentication: auth) { server in
            try await RTSPPeer.run(ffprobe, [
                "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
                "-of", "default=noprint_wrappers=1", "rtsp://viewer:secret@127.0.0.1:\(server.port)/cam",
            ], deadline: 60)
        }
        #expect(result.output.contains("codec_name=h264"), "ffprobe said: \(result.output)")
    }
}

/// Collects every datagram it reads.
final class PacketCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let lock = NSLock()
    private var received: [ByteBuffer] = []

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return received.count
    }

    func packets() -> [ByteBuffer] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        lock.lock()
        received.append(envelope.data)
        lock.unlock()
    }
}
