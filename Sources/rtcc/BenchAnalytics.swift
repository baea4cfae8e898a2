import ArgumentParser
import Foundation
import RTCCMedia
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench analytics`: what on-camera motion analytics cost per camera — ffmpeg decoding the stream to small grey
/// frames plus our `MotionDetector` — against ffmpeg decoding the same streams the same way and throwing the frames away.
struct BenchAnalytics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Run motion analytics on N simulated cameras, then ffmpeg alone decoding the same N the same way; print CPU per camera and ratios.",
        discussion: """
            Ours is what the server runs per camera: ffmpeg decodes the sub stream (fps=N, scale=W:H, grey) into a pipe and \
            MotionDetector compares each frame with its background. The peer is the same ffmpeg command writing to /dev/null, \
            so the ratio is what our reading and analysis add to the decode. The simulator runs as a separate process.
            """)

    @Option(help: "Cameras analysed at once.") var cameras = 10
    @Option(help: "Seconds each side runs.") var seconds = 30
    @Option(help: "Frames analysed per second.") var fps = 2.0
    @Option(help: "Width of the analysed frames (height follows 16:9).") var width = 320
    @Option(help: "Picture size of the simulated main streams.") var size = "1280x720"
    @Flag(help: "Decode the main stream instead of the sub stream.") var main = false
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"

    var height: Int { max(2, (width * 9 / 16) / 2 * 2) }

    func run() async throws {
        guard (1...200).contains(cameras), (1...3600).contains(seconds), (0.1...30).contains(fps), (16...1920).contains(width) else {
            throw CLIError("choose 1-200 cameras, 1-3600 seconds, 0.1-30 fps and a width of 16-1920")
        }
        let ffmpeg = try Tools.locate("ffmpeg")
        let (simulator, base) = try await ChildProcess.simulator(["--cameras", String(cameras), "--size", size, "--fps", "25", "--clips", clips])
        defer { simulator.stop() }
        let urls = (1...cameras).map { base + CameraSimulator.path(camera: $0) + (main ? "" : "/sub") }
        say("Simulator: \(cameras) cameras, main \(size) @ 25 fps, analysing the \(main ? "main" : "sub") streams at \(fps) fps, \(width)×\(height)")
        let ours = try await measureOurs(urls: urls, ffmpeg: ffmpeg)
        let peer = try await measurePeer(urls: urls, ffmpeg: ffmpeg)
        report(ours: ours, peer: peer)
    }

    struct Result {
        /// CPU seconds of the ffmpeg decoders.
        var decoderSeconds: Double
        /// CPU seconds of this process (reading the pipes, motion detection); zero for the peer.
        var analysisSeconds: Double
        var frames: Int
        var motionFrames: Int
        var elapsed: Double
        var total: Double { decoderSeconds + analysisSeconds }
    }

    private func measureOurs(urls: [String], ffmpeg: String) async throws -> Result {
        let tally = Tally()
        let startCPU = processCPUSeconds()
        let started = Date()
        var decoders = 0.0
        await withTaskGroup(of: Void.self) { group in
            for url in urls {
                group.addTask { [width, height, fps] in
                    var detector = MotionDetector(settings: .init())
                    do {
                        for try await frame in FFmpegGrayFrames.frames(of: url, width: width, height: height, fps: fps, ffmpeg: ffmpeg) {
                            let moved = !detector.process(frame).isEmpty
                            tally.count(moved: moved)
                        }
                    } catch {
                        say("analysis of \(url) stopped: \(error)")
                    }
                }
            }
            try? await Task.sleep(for: .seconds(seconds))
            // The decoders are read before they are stopped (a stopped child's time is gone from /proc).
            decoders = Self.childrenCPUSeconds(named: "ffmpeg")
            group.cancelAll()
        }
        return Result(
            decoderSeconds: decoders, analysisSeconds: processCPUSeconds() - startCPU, frames: tally.frames.withLock { $0 }, motionFrames: tally.motion.withLock { $0 },
            elapsed: Date().timeIntervalSince(started))
    }

    /// Frames analysed, across the cameras' tasks.
    final class Tally: Sendable {
        let frames = Mutex(0)
        let motion = Mutex(0)

        func count(moved: Bool) {
            frames.withLock { $0 += 1 }
            if moved { motion.withLock { $0 += 1 } }
        }
    }

    private func measurePeer(urls: [String], ffmpeg: String) async throws -> Result {
        let reader = GrayFrameReader(width: width, height: height)
        let started = Date()
        var children: [ChildProcess] = []
        for url in urls {
            let arguments = reader.ffmpegArguments(input: url, fps: fps).dropLast() + ["-y", "/dev/null"]
            children.append(try await ChildProcess.start(ffmpeg, Array(arguments)))
        }
        try await Task.sleep(for: .seconds(seconds))
        let cpu = children.reduce(0.0) { $0 + cpuSeconds(pid: $1.pid) }
        for child in children { child.stop() }
        for child in children { await child.waitForExit(timeout: 10) }
        let expected = Int(Double(urls.count * seconds) * fps)
        return Result(decoderSeconds: cpu, analysisSeconds: 0, frames: expected, motionFrames: 0, elapsed: Date().timeIntervalSince(started))
    }

    private func report(ours: Result, peer: Result) {
        let cameraSeconds = Double(cameras * seconds)
        let perCamera = { (seconds: Double) in seconds / cameraSeconds }
        let expected = Int(cameraSeconds * fps)
        say("")
        say("rtcc bench analytics: \(cameras) cameras × \(seconds) s, \(fps) fps at \(width)×\(height) from the \(main ? "main" : "sub") streams")
        say("| Measure | OpenRTCC (ffmpeg decode + MotionDetector) | ffmpeg decode alone | ratio |")
        say("|---|---|---|---|")
        say("| CPU cores per camera | \(String(format: "%.4f", perCamera(ours.total))) | \(String(format: "%.4f", perCamera(peer.total))) | \(String(format: "%.2f×", ours.total / max(peer.total, 1e-9))) |")
        say("| of which ffmpeg decoding | \(String(format: "%.4f", perCamera(ours.decoderSeconds))) | \(String(format: "%.4f", perCamera(peer.decoderSeconds))) | |")
        say("| of which reading frames and motion detection | \(String(format: "%.4f", perCamera(ours.analysisSeconds))) | — | |")
        say("| Frames analysed (expected \(expected)) | \(ours.frames) | — | |")
        say("| Frames with motion (the test pattern moves) | \(ours.motionFrames) | — | |")
        say("Cameras per CPU core: \(String(format: "%.0f", 1 / max(perCamera(ours.total), 1e-9))) (ffmpeg alone: \(String(format: "%.0f", 1 / max(perCamera(peer.total), 1e-9))))")
    }

    /// CPU seconds of this process's children called `name`, from /proc.
    static func childrenCPUSeconds(named name: String) -> Double {
        let me = getpid()
        var total = 0.0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let command = stat[stat.index(after: open)..<close]
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard command == name, fields.count > 2, Int32(fields[1]) == me else { continue }
            total += cpuSeconds(pid: pid)
        }
        return total
    }
}
