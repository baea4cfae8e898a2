import ArgumentParser
import Foundation
import Logging
import RTCCMedia

/// `rtcc simulate`: serves looped test-pattern cameras over RTSP.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve N simulated cameras over RTSP (TCP and UDP) at rtsp://HOST:PORT/cam001 … (and …/sub).",
        discussion: """
            The clip is generated once with ffmpeg (test pattern with a burned-in clock) and cached in --clips.
            While running, type commands on standard input to misbehave a camera:
              drop N | stall N SECONDS | restart N | offline N | online N
            N may be a range (1-400). `owed` prints the frames owed to every viewer so far, each counted from its
            first keyframe (benchmarks count lost frames against it).
            """)

    @Option(help: "Number of cameras (1-999).") var cameras = 4
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "RTSP port (0 picks a free one).") var port = 8554
    @Option(help: "h264 or h265.") var codec = "h264"
    @Option(help: "Picture size, WIDTHxHEIGHT.") var size = "1280x720"
    @Option(help: "Frames per second.") var fps = 25
    @Option(help: "Video bitrate, bits per second.") var bitrate = 2_000_000
    @Option(help: "Clip length in seconds (it loops).") var seconds = 10
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"
    @Option(name: .customLong("b-frames"), help: "B-frames between reference pictures (0-3; many surveillance cameras send none).") var bFrames = 2

    func validate() throws {
        guard (0...3).contains(bFrames) else { throw ValidationError("--b-frames must be 0-3") }
        guard ["h264", "h265"].contains(codec) else { throw ValidationError("--codec must be h264 or h265") }
        guard parsedSize != nil else { throw ValidationError("--size must look like 1280x720") }
        guard (1...999).contains(cameras) else { throw ValidationError("--cameras must be 1-999") }
    }

    var parsedSize: (Int, Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    func run() async throws {
        let simulator = try await startSimulator()
        say("Simulating \(cameras) cameras at \(simulator.url(camera: 1)) … \(simulator.url(camera: cameras))")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            group.addTask { await Self.obey(commandsFrom: standardInputLines(), simulator: simulator) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Generates (or reuses) the clip and binds the simulator.
    func startSimulator(logger: Logger = Logger(label: "rtcc.simulate")) async throws -> CameraSimulator {
        let (width, height) = parsedSize ?? (1280, 720)
        let clip = try await SimulatorClip.generate(
            codec: codec == "h265" ? .h265 : .h264, width: width, height: height, fps: fps, seconds: seconds, bitrate: bitrate, bFrames: bFrames,
            into: URL(fileURLWithPath: clips), logger: logger)
        let sub = try await SimulatorClip.generate(
            codec: codec == "h265" ? .h265 : .h264, width: 640, height: 360, fps: fps, seconds: seconds, bitrate: 400_000, bFrames: bFrames,
            into: URL(fileURLWithPath: clips), logger: logger)
        return try await CameraSimulator(
            configuration: CameraSimulator.Configuration(host: host, port: port, cameraCount: cameras), clip: clip, subClip: sub, logger: logger)
    }

    static func obey(commandsFrom lines: AsyncStream<String>, simulator: CameraSimulator) async {
        for await line in lines {
            let words = line.split(separator: " ").map(String.init)
            if words == ["owed"] {
                say("owed \(simulator.framesOwed)")
                continue
            }
            // N, or a range of cameras A-B.
            let bounds = words.count >= 2 ? words[1].split(separator: "-").map { Int($0) } : []
            guard let first = bounds.first ?? nil, let last = bounds.last ?? nil, bounds.count <= 2, first <= last else {
                if !words.isEmpty { say("commands: drop N | stall N SECONDS | restart N | offline N | online N | owed (N may be A-B)") }
                continue
            }
            guard ["drop", "stall", "restart", "offline", "online"].contains(words[0]) else {
                say("unknown command \(words[0])")
                continue
            }
            do {
                for number in first...last {
                    switch words[0] {
                    case "drop": try simulator.drop(camera: number)
                    case "stall": try simulator.stall(camera: number, for: .seconds(Double(words.count > 2 ? words[2] : "10") ?? 10))
                    case "restart": try simulator.restart(camera: number)
                    case "offline": try simulator.setOnline(camera: number, false)
                    case "online": try simulator.setOnline(camera: number, true)
                    default: break
                    }
                }
                say("ok: \(line)")
            } catch {
                say("error: \(error)")
            }
        }
        // Standard input closed (e.g. run in the background): keep serving until stopped.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }
}

/// Lines typed on standard input, read on a background queue so no task blocks.
func standardInputLines() -> AsyncStream<String> {
    let (stream, continuation) = AsyncStream.makeStream(of: String.self)
    DispatchQueue.global().async {
        while let line = readLine() { continuation.yield(line) }
        continuation.finish()
    }
    return stream
}

/// Parses `--transport`.
func transportPreference(_ text: String) throws -> RTSPTransportPreference {
    switch text {
    case "tcp": return .tcp
    case "udp": return .udp
    case "auto": return .udpWithTCPFallback
    default: throw ValidationError("--transport must be tcp, udp or auto")
    }
}

/// `rtcc probe`: what a camera sends.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect to an RTSP camera and print its codecs, resolution, frame rate, transport and parameter sets.")

    @Argument(help: "rtsp://[user:password@]host[:port]/path") var url: String
    @Option(help: "tcp, udp, or auto (UDP, falling back to TCP).") var transport = "auto"
    @Option(help: "Seconds to wait for the camera.") var timeout = 10
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws { _ = try transportPreference(transport) }

    func run() async throws {
        do {
            let report = try await StreamProbe.probe(url: url, transport: try transportPreference(transport), timeout: .seconds(timeout))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                say(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                say(report.description)
            }
        } catch let error as ProbeError {
            throw CLIError(error.description)
        }
    }
}
