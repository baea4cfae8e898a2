import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import RTCCMedia

/// A tool an integration test needs is not installed.
struct RTSPMissingTool: Error, CustomStringConvertible {
    var tool: String
    var install: String
    var description: String { "\(tool) is missing; install it with: \(install)" }
}

/// Helpers to find, run and stop external media peers (ffmpeg, ffprobe, GStreamer).
enum RTSPPeer {
    static let gstreamerPackages =
        "apt-get install -y python3-gst-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav"

    /// The absolute path of `name`, or a ``RTSPMissingTool`` error naming the package.
    static func require(_ name: String, package: String) throws -> String {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for directory in paths where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw RTSPMissingTool(tool: name, install: "apt-get install -y \(package)")
    }

    /// Debian's Python with GStreamer's RTSP server bindings, or a ``RTSPMissingTool`` error.
    static func requireGStreamerPython() async throws -> String {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw RTSPMissingTool(tool: python, install: "apt-get install -y python3")
        }
        let check = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
        let result = try await run(python, ["-c", check], deadline: 30)
        guard result.status == 0 else { throw RTSPMissingTool(tool: "GStreamer RTSP server (python3 gi)", install: gstreamerPackages) }
        return python
    }

    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// Runs a command to completion with a deadline, returning its exit status and combined output.
    static func run(_ executable: String, _ arguments: [String], deadline: Double) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rtsp-peer-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        let stream = exited.stream
        do {
            let status = try await rtspWithDeadline(deadline, "\(URL(fileURLWithPath: executable).lastPathComponent) to exit") {
                for await status in stream { return status }
                return Int32(-1)
            }
            return Result(status: status, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "")
        } catch {
            process.terminate()
            throw error
        }
    }

    /// A long-running peer process, stopped by ``stop()``.
    final class Background: @unchecked Sendable {
        let process = Process()
        let lines: AsyncStream<String>
        private let continuation: AsyncStream<String>.Continuation
        private let exited = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))

        init(_ executable: String, _ arguments: [String]) throws {
            (lines, continuation) = AsyncStream.makeStream(of: String.self)
            let exitContinuation = exited.continuation
            process.terminationHandler = { exitContinuation.yield($0.terminationStatus) }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            process.standardInput = FileHandle.nullDevice
            let continuation = continuation
            let buffer = LineBuffer()
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    continuation.finish()
                    return
                }
                for line in buffer.append(data) { continuation.yield(line) }
            }
            try process.run()
        }

        /// Waits for an output line starting with `prefix` and returns it.
        func waitForLine(prefix: String, deadline: Double) async throws -> String {
            let lines = lines
            return try await rtspWithDeadline(deadline, "a line starting with \(prefix)") {
                var seen: [String] = []
                for await line in lines {
                    if line.hasPrefix(prefix) { return line }
                    seen.append(line)
                }
                throw RTSPTestTimeout(what: "\(prefix) (process exited; output: \(seen.suffix(10).joined(separator: " | ")))")
            }
        }

        /// Sends SIGTERM, then SIGKILL if the process has not exited within five seconds.
        func stop() async {
            defer { continuation.finish() }
            guard process.isRunning else { return }
            process.terminate()
            let stream = exited.stream
            let exitedInTime = (try? await rtspWithDeadline(5, "peer to exit") {
                for await _ in stream { return true }
                return true
            }) ?? false
            if !exitedInTime { kill(process.processIdentifier, SIGKILL) }
        }
    }

    final class LineBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var pending = Data()

        func append(_ data: Data) -> [String] {
            lock.lock()
            defer { lock.unlock() }
            pending.append(data)
            var lines: [String] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
            return lines
        }
    }
}

/// RTP that ffmpeg's own packetizer sent to a loopback UDP port, and the SDP ffmpeg wrote for it.
struct FFmpegRTPCapture: Sendable {
    /// ffmpeg's description, with the port set to 0 as an RTSP server announces it.
    var sessionDescription: SessionDescription
    /// Every datagram ffmpeg sent (RTP and RTCP share the port), in arrival order.
    var datagrams: [ByteBuffer]

    /// Runs ffmpeg with `options` (input and encoder settings) and `-f rtp` to a loopback port until
    /// it exits, and keeps everything it sent; fails unless at least `minimumPackets` arrived.
    static func record(_ options: [String], minimumPackets: Int, deadline: Double = 60) async throws -> FFmpegRTPCapture {
        let ffmpeg = try RTSPPeer.require("ffmpeg", package: "ffmpeg")
        let collector = PacketCollector()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 * 1024 * 1024)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelInitializer { $0.pipeline.addHandler(collector) }
            .bind(host: "127.0.0.1", port: 0).get()
        let sdpFile = FileManager.default.temporaryDirectory.appendingPathComponent("rtsp-ffmpeg-\(UUID().uuidString).sdp")
        defer { try? FileManager.default.removeItem(at: sdpFile) }
        let datagrams: [ByteBuffer]
        do {
            datagrams = try await collect(
                ffmpeg: ffmpeg, options: options, sdpFile: sdpFile, channel: channel, collector: collector, deadline: deadline)
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
        try #require(datagrams.count >= minimumPackets, "ffmpeg sent \(datagrams.count) datagrams, expected at least \(minimumPackets)")
        var description = try SessionDescription.parse(String(contentsOf: sdpFile, encoding: .utf8))
        try #require(!description.media.isEmpty, "ffmpeg's SDP has no media section")
        description.media[0].port = 0
        return FFmpegRTPCapture(sessionDescription: description, datagrams: datagrams)
    }

    private static func collect(
        ffmpeg: String, options: [String], sdpFile: URL, channel: any Channel, collector: PacketCollector, deadline: Double
    ) async throws -> [ByteBuffer] {
        let address = try #require(channel.localAddress)
        let port = try #require(address.port)
        let output = ["-f", "rtp", "-sdp_file", sdpFile.path, "rtp://127.0.0.1:\(port)?rtcpport=\(port)&pkt_size=1200"]
        let result = try await RTSPPeer.run(ffmpeg, ["-hide_banner", "-loglevel", "error"] + options + output, deadline: deadline)
        try #require(result.status == 0, "ffmpeg failed: \(result.output)")
        // ffmpeg has exited, so every datagram it sent is queued on the socket ahead of this marker.
        let marker = ByteBuffer(string: "end of capture \(UUID().uuidString)")
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: marker))
        try await rtspWithDeadline(10, "the end of ffmpeg's RTP") {
            while !collector.packets().contains(marker) { try await Task.sleep(for: .milliseconds(20)) }
        }
        return collector.packets().filter { $0 != marker }
    }

    /// The RTP datagrams, RTCP (packet types 200–204) left out.
    var rtpPackets: [ByteBuffer] { datagrams.filter { !Self.isRTCP($0) } }

    /// The NAL unit types that open the RTP payloads (24 is STAP-A, 28 FU-A, 1–23 a single NAL unit).
    var payloadNALUnitTypes: Set<UInt8> {
        Set(rtpPackets.compactMap { try? RTPPacket(parsing: $0) }.compactMap { $0.payload.first.map { $0 & 0x1F } })
    }

    /// The RTP packets as a looping replay, paced by their timestamps.
    func replaySource() -> RTSPPacketReplaySource {
        RTSPPacketReplaySource(sessionDescription: sessionDescription, packets: Self.pace(rtpPackets))
    }

    static func isRTCP(_ datagram: ByteBuffer) -> Bool {
        (72...76).contains((datagram.getInteger(at: datagram.readerIndex + 1, as: UInt8.self) ?? 0) & 0x7F)
    }

    /// Gives each packet the offset of its 90 kHz timestamp from the first one, but never earlier than
    /// the packet before it: with B-frames, pictures go out in decoding order, ahead of their presentation.
    static func pace(_ packets: [ByteBuffer]) -> [RTSPPacketReplaySource.Packet] {
        guard let first = packets.first?.getInteger(at: packets[0].readerIndex + 4, as: UInt32.self) else { return [] }
        var latest = Duration.zero
        return packets.map { packet in
            let ticks = Int32(bitPattern: (packet.getInteger(at: packet.readerIndex + 4, as: UInt32.self) ?? first) &- first)
            latest = max(latest, .microseconds(Int64(ticks) * 100 / 9))
            return .init(track: 0, offset: latest, bytes: packet)
        }
    }
}

/// Collects every datagram it reads.
final class PacketCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let lock = NSLock()
    private var received: [ByteBuffer] = []

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
