import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import RTCCMedia
import Synchronization

/// `rtcc bench live`: live fan-out of one camera to N WebSocket viewers (and one real Chromium), against N
/// `ffmpeg -c copy` clients pulling the camera's RTSP directly, the way viewers without a server would.
struct BenchLive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Serve one simulated camera live to N viewers; print ingress→received (viewers) and ingress→presented (Chromium) latency and server CPU, against N direct ffmpeg RTSP clients.",
        discussion: """
            The simulator and the server run as separate processes (`rtcc simulate`, `rtcc serve` on a scratch data folder), so \
            the server's CPU is its own. Chromium (RTCC_CHROMIUM or /usr/bin/chromium) opens /ui/bench-live.html, which plays the \
            camera with the web app's player and reports requestVideoFrameCallback presentation times.
            """)

    @Option(help: "WebSocket viewers of the one camera.") var viewers = 50
    @Option(help: "Seconds measured.") var seconds = 20
    @Option(help: "Picture size of the simulated camera.") var size = "1280x720"
    @Option(help: "Frames per second of the simulated camera.") var fps = 25
    @Option(help: "Bitrate of the simulated camera.") var bitrate = 2_000_000
    @Option(name: .customLong("b-frames"), help: "B-frames of the simulated camera (each adds a frame of reordering delay).") var bFrames = 0
    @Option(help: "Most ffmpeg clients started for the peer measurement (its CPU is scaled to the viewer count).") var peerClients = 20
    @Flag(help: "Skip the Chromium viewer.") var noBrowser = false
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench-live"
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"

    func validate() throws {
        guard (1...2000).contains(viewers) else { throw ValidationError("--viewers must be 1-2000") }
        guard (3...600).contains(seconds) else { throw ValidationError("--seconds must be 3-600") }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let (simulator, simulated) = try await ChildProcess.simulator(
            ["--cameras", "1", "--size", size, "--bitrate", String(bitrate), "--fps", String(fps), "--b-frames", String(bFrames), "--clips", clips])
        defer { simulator.stop() }
        let url = simulated + CameraSimulator.path(camera: 1)
        let data = root.appendingPathComponent("data").path
        let csv = root.appendingPathComponent("cameras.csv")
        try "name,kind,latitude,longitude,main_stream_url\nBench camera,city,32.5,-93.7,\(url)\n".write(to: csv, atomically: true, encoding: .utf8)
        let (server, api, password) = try await BenchAPI.startServer(cameras: csv, storeArguments: ["--data", data])
        defer { server.stop() }
        let base = api.base
        let camera = try await api.firstCameraID()
        try await api.waitUntilStreaming(camera)
        say("Camera: \(size) @ \(fps) fps, \(bitrate / 1000) kbit/s, \(bFrames) B-frames; server \(base) (pid \(server.pid))")

        let browser = noBrowser ? nil : try await startChromium(base: base, camera: camera, password: password, root: root)
        defer { browser?.stop() }
        let latencies = Collector<Double>()
        let reached = Collector<Int>()
        let cpuBefore = cpuSeconds(pid: server.pid)
        let started = ContinuousClock.now
        _ = try await api.get("/api/v1/telemetry/live?reset=true")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<viewers {
                group.addTask { await Self.view(base: base, camera: camera, cookie: api.cookie, latencies: latencies, reached: reached) }
            }
            try? await Task.sleep(for: .seconds(seconds))
            group.cancelAll()
        }
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        let serverCPU = (cpuSeconds(pid: server.pid) - cpuBefore) / elapsed
        let presented = try await api.get("/api/v1/telemetry/live")
        let peer = try await measurePeer(url: url)
        let connected = await reached.count
        report(received: await latencies.all.sorted(), messages: await latencies.count, serverCores: serverCPU, presented: presented, peerCoresPerClient: peer)
        // Only viewers that really received video count: CPU per viewer is divided by the number asked for, so a run
        // where some never connected would flatter us. Such a run is a failed step.
        say("Viewers that received video: \(connected) of \(viewers)")
        guard connected == viewers else { throw CLIError("only \(connected) of \(viewers) viewers received video; the figures above are not valid") }
    }

    private func startChromium(base: String, camera: String, password: String, root: URL) async throws -> ChildProcess? {
        let chromium = ProcessInfo.processInfo.environment["RTCC_CHROMIUM"] ?? "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            say("Chromium not found at \(chromium): presented latency is not measured")
            return nil
        }
        let page = "\(base)/ui/bench-live.html#camera=\(camera)&user=bench&password=\(password)"
        return try await ChildProcess.start(chromium, [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required", "--remote-debugging-port=0",
            "--user-data-dir=\(root.appendingPathComponent("chromium").path)", page,
        ])
    }

    /// One viewer: reads the live socket and notes ingress→received for every fragment.
    static func view(base: String, camera: String, cookie: String, latencies: Collector<Double>, reached: Collector<Int>) async {
        let url = base.replacingOccurrences(of: "http://", with: "ws://") + "/api/v1/cameras/\(camera)/live"
        var headers = HTTPFields()
        headers[.cookie] = cookie
        _ = try? await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 16 << 20, additionalHeaders: headers), logger: Logger(label: "bench.viewer")
        ) { inbound, _, _ in
            var batch: [Double] = []
            var counted = false
            for try await message in inbound.messages(maxSize: 16 << 20) {
                guard case .binary(let buffer) = message, buffer.readableBytes >= 32, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 2,
                    let bits = buffer.getInteger(at: buffer.readerIndex + 8, endianness: .little, as: UInt64.self)
                else { continue }
                if !counted {
                    counted = true
                    await reached.add([1])
                }
                batch.append(Date().timeIntervalSince1970 * 1000 - Double(bitPattern: bits))
                if batch.count >= 25 {
                    await latencies.add(batch)
                    batch = []
                }
            }
        }
    }

    /// CPU cores used per client by `ffmpeg -c copy -f null` pulling the camera directly.
    private func measurePeer(url: String) async throws -> Double {
        let clients = max(1, min(peerClients, viewers))
        var children: [ChildProcess] = []
        for _ in 0..<clients {
            children.append(try await ChildProcess.start("/usr/bin/env", [
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url, "-c", "copy", "-f", "null", "-",
            ]))
        }
        try await Task.sleep(for: .seconds(2))
        let before = children.map { cpuSeconds(pid: $0.pid) }
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(min(seconds, 10)))
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        let used = zip(children, before).reduce(0.0) { $0 + cpuSeconds(pid: $1.0.pid) - $1.1 }
        let running = children.filter(\.isRunning).count
        for child in children { child.stop() }
        // A peer client that died would make the peer look cheap: count only a run where every one kept pulling.
        guard running == clients else { throw CLIError("only \(running) of \(clients) ffmpeg peer clients kept running; the peer was not measured") }
        return used / elapsed / Double(clients)
    }

    private func report(received: [Double], messages: Int, serverCores: Double, presented: [String: Any], peerCoresPerClient: Double) {
        func percentile(_ p: Double) -> String {
            guard !received.isEmpty else { return "–" }
            return String(format: "%.1f", received[min(received.count - 1, Int(p * Double(received.count)))])
        }
        let p50 = (presented["p50"] as? Double).map { String(format: "%.1f", $0) } ?? "–"
        let p95 = (presented["p95"] as? Double).map { String(format: "%.1f", $0) } ?? "–"
        let peerCores = peerCoresPerClient * Double(viewers)
        say("")
        say("rtcc bench live: \(viewers) viewers × \(seconds) s, \(size) @ \(fps) fps, \(bitrate / 1000) kbit/s, \(bFrames) B-frames")
        say("| Measure | OpenRTCC | \(viewers) × ffmpeg -c copy pulling RTSP | ratio |")
        say("|---|---|---|---|")
        say("| Ingress→received at the viewers, p50 / p95 (ms) | \(percentile(0.5)) / \(percentile(0.95)) | | |")
        say("| Ingress→presented in Chromium, p50 / p95 (ms, \(presented["samples"] as? Int ?? 0) frames) | \(p50) / \(p95) | | |")
        say(String(format: "| CPU cores for all viewers | %.3f | %.3f | %.2f× |", serverCores, peerCores, serverCores / max(peerCores, 1e-9)))
        say(String(format: "| CPU per viewer (ms per second) | %.3f | %.3f | |", serverCores * 1000 / Double(viewers), peerCoresPerClient * 1000))
        say("| Fragments received by the viewers | \(messages) | | |")
    }
}

/// Measurements gathered from many tasks (viewers, analysts).
actor Collector<Value: Sendable> {
    private(set) var all: [Value] = []
    var count: Int { all.count }
    func add(_ batch: [Value]) { all += batch }
}

/// The few API calls the live bench makes.
final class BenchAPI: Sendable {
    let base: String
    private let session = URLSession(configuration: .ephemeral)
    private let cookieBox = CookieBox()

    init(base: String) { self.base = base }

    /// Starts `rtcc serve --port 0` (this binary) on a fresh data folder with the cameras of `cameras` (a CSV file)
    /// and an administrator `bench`, with `settings` as RTCC_* environment variables beside the bench's own (quick
    /// password hashing, errors-only logs), and returns it with the API signed in as that administrator and the
    /// administrator's password.
    static func startServer(
        cameras: URL, storeArguments: [String], settings: [String: String] = [:]
    ) async throws -> (server: ChildProcess, api: BenchAPI, password: String) {
        let me = CommandLine.arguments[0]
        _ = try await ChildProcess.output(me, ["cameras", "import", cameras.path] + storeArguments)
        let password = "bench-\(UUID().uuidString)"
        setenv("RTCC_PASSWORD", password, 1)
        _ = try await ChildProcess.output(me, ["user", "add", "bench", "--role", "admin"] + storeArguments)
        unsetenv("RTCC_PASSWORD")
        for (name, value) in ["RTCC_BCRYPT_COST": "4", "RTCC_LOG_LEVEL": "error"].merging(settings, uniquingKeysWith: { $1 }) {
            setenv(name, value, 1)
        }
        let server = try await ChildProcess.start(me, ["serve", "--port", "0"] + storeArguments)
        guard let announced = try await server.waitForLine(containing: "http://", timeout: 120),
            let url = announced.split(separator: " ").first(where: { $0.hasPrefix("http://") })
        else {
            server.stop()
            throw CLIError("the server did not start")
        }
        let api = BenchAPI(base: String(url).trimmingCharacters(in: CharacterSet(charactersIn: "/")))
        do {
            try await api.login(user: "bench", password: password)
        } catch {
            server.stop()
            throw error
        }
        return (server, api, password)
    }

    var cookie: String { cookieBox.value }

    func login(user: String, password: String) async throws {
        var request = URLRequest(url: URL(string: base + "/api/v1/auth/login")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["username": user, "password": password])
        let (_, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200,
            let cookie = (http.value(forHTTPHeaderField: "Set-Cookie"))?.split(separator: ";").first
        else { throw CLIError("signing in to the bench server failed") }
        cookieBox.set(String(cookie))
    }

    func get(_ path: String) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + path)!)
        request.setValue(cookie, forHTTPHeaderField: "Cookie")
        let (data, _) = try await session.data(for: request)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The body of `path` as text.
    func text(_ path: String) async throws -> String {
        var request = URLRequest(url: URL(string: base + path)!)
        request.setValue(cookie, forHTTPHeaderField: "Cookie")
        let (data, _) = try await session.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    func getArray(_ path: String) async throws -> [[String: Any]] {
        var request = URLRequest(url: URL(string: base + path)!)
        request.setValue(cookie, forHTTPHeaderField: "Cookie")
        let (data, _) = try await session.data(for: request)
        return (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
    }

    /// Issues an API token of the signed-in user; returns its secret.
    func issueToken(name: String, scopes: [String]) async throws -> String {
        var request = URLRequest(url: URL(string: base + "/api/v1/tokens")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(cookie, forHTTPHeaderField: "Cookie")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["name": name, "scopes": scopes])
        let (data, _) = try await session.data(for: request)
        guard let secret = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["secret"] as? String else {
            throw CLIError("issuing the bench token failed")
        }
        return secret
    }

    func firstCameraID() async throws -> String {
        guard let items = try await get("/api/v1/cameras")["items"] as? [[String: Any]], let id = items.first?["id"] as? String else {
            throw CLIError("the bench camera is missing")
        }
        return id
    }

    func waitUntilStreaming(_ camera: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await getArray("/api/v1/cameras/health").contains(where: { $0["cameraID"] as? String == camera && $0["state"] as? String == "streaming" }) {
                return
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw CLIError("the bench camera never streamed")
    }
}

/// A value shared under a lock.
final class CookieBox: Sendable {
    private let storage = Mutex("")
    var value: String { storage.withLock { $0 } }
    func set(_ value: String) { storage.withLock { $0 = value } }
}
