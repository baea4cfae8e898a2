import ArgumentParser
import Foundation
import Logging
import RTCCMedia
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench …`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks against named peers.", subcommands: [BenchRecord.self, BenchLive.self, BenchExport.self, BenchGeo.self, BenchEvents.self, BenchAnalytics.self, BenchAddress.self, BenchCluster.self, BenchCapacity.self])
}

/// `rtcc bench record`: our recorder against `ffmpeg -c copy -f segment` on the same simulated streams.
struct BenchRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record N simulated streams with OpenRTCC, then the same N with one ffmpeg -c copy per stream; print CPU, memory, lost frames and ratios.",
        discussion: "The simulator runs as a separate `rtcc simulate` process so neither side pays for it. Frames are counted by ffprobe.")

    @Option(help: "Streams recorded at once.") var streams = 10
    @Option(help: "Seconds each side records.") var seconds = 30
    @Option(help: "Picture size of the simulated streams.") var size = "1920x1080"
    @Option(help: "Bitrate of the simulated streams.") var bitrate = 4_000_000
    @Option(help: "Frames per second of the simulated streams.") var fps = 25
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench"
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"

    func run() async throws {
        let root = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let (simulator, base) = try await ChildProcess.simulator(
            ["--cameras", String(streams), "--size", size, "--bitrate", String(bitrate), "--fps", String(fps), "--clips", clips])
        defer { simulator.stop() }
        let urls = (1...streams).map { "\(base)" + CameraSimulator.path(camera: $0) }
        say("Simulator: \(streams) × \(size) @ \(fps) fps, \(bitrate / 1000) kbit/s, at \(base)")
        let ours = try await measureOurs(urls: urls, root: root.appendingPathComponent("rtcc"))
        let peer = try await measureFFmpeg(urls: urls, root: root.appendingPathComponent("ffmpeg"))
        report(ours: ours, peer: peer)
    }

    struct Result {
        var cpuSeconds: Double
        /// Peak proportional set size (PSS) of every process doing the recording, summed: the same metric for both sides.
        var memoryBytes: Double
        var frames: Int
        var expectedFrames: Int
        var seconds: Double
    }

    private func measureOurs(urls: [String], root: URL) async throws -> Result {
        let startCPU = processCPUSeconds()
        let sampler = PeakSampler { proportionalBytes(pid: getpid()) }
        let started = Date()
        let index = FolderIndex(file: root.appendingPathComponent("index.json"))
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        await withTaskGroup(of: Void.self) { group in
            for url in urls {
                let recorder = CameraRecorder(
                    configuration: CameraRecorder.Configuration(url: url, segments: SegmentWriter.Configuration(root: root, cameraID: UUID())),
                    index: index, logger: Logger(label: "bench"))
                group.addTask { await recorder.run() }
            }
            group.addTask { await sampler.run() }
            try? await Task.sleep(for: .seconds(seconds))
            group.cancelAll()
        }
        let elapsed = Date().timeIntervalSince(started)
        let cpu = processCPUSeconds() - startCPU
        let files = await index.sealedSegments().map(\.path)
        let frames = try await videoPackets(in: files)
        return Result(
            cpuSeconds: cpu, memoryBytes: Double(await sampler.peak), frames: frames, expectedFrames: expectedFrames(seconds: elapsed), seconds: elapsed)
    }

    private func measureFFmpeg(urls: [String], root: URL) async throws -> Result {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let ffmpeg = try Tools.locate("ffmpeg")
        var children: [ChildProcess] = []
        let started = Date()
        for (number, url) in urls.enumerated() {
            let folder = root.appendingPathComponent("cam\(number)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            children.append(try await ChildProcess.start(ffmpeg, ffmpegCopyArguments(recording: url, into: folder)))
        }
        let pids = children.map(\.pid)
        let sampler = PeakSampler { pids.reduce(0) { $0 + proportionalBytes(pid: $1) } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await sampler.run() }
            try? await Task.sleep(for: .seconds(seconds))
            group.cancelAll()
        }
        let cpu = children.reduce(0.0) { $0 + cpuSeconds(pid: $1.pid) }
        // Stop every ffmpeg at once at the end of the window. Its output is fragmented MP4, so the files stay playable
        // up to the last complete fragment, as ours do; stopping them one by one would let the others record on.
        for child in children { child.stop() }
        for child in children { await child.waitForExit(timeout: 10) }
        let elapsed = Date().timeIntervalSince(started)
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".mp4") }.map { root.appendingPathComponent($0).path }
        let frames = try await videoPackets(in: files)
        return Result(
            cpuSeconds: cpu, memoryBytes: Double(await sampler.peak), frames: frames, expectedFrames: expectedFrames(seconds: elapsed), seconds: elapsed)
    }

    /// The frames the simulator sent to all streams during a recording window: it paces every stream at `fps`. Frames
    /// missing from the files at the start (connecting) or anywhere else count as lost, for both sides alike.
    private func expectedFrames(seconds: Double) -> Int { Int((seconds * Double(fps)).rounded()) * streams }

    private func report(ours: Result, peer: Result) {
        func perStreamSecond(_ r: Result) -> Double { r.cpuSeconds / (Double(streams) * seconds.asDouble) }
        func rss(_ r: Result) -> Double { r.memoryBytes / Double(streams) / 1_048_576 }
        func lost(_ r: Result) -> Int { max(0, r.expectedFrames - r.frames) }
        let rows = [
            ("CPU seconds per stream-second", String(format: "%.5f", perStreamSecond(ours)), String(format: "%.5f", perStreamSecond(peer)),
             String(format: "%.2f×", perStreamSecond(ours) / max(perStreamSecond(peer), 1e-9))),
            ("Peak PSS per stream, whole processes (MiB)", String(format: "%.2f", rss(ours)), String(format: "%.2f", rss(peer)),
             String(format: "%.2f×", rss(ours) / max(rss(peer), 1e-9))),
            ("Frames recorded", String(ours.frames), String(peer.frames), ""),
            ("Frames lost (sent in the window − in the files)", String(lost(ours)), String(lost(peer)), ""),
        ]
        say("")
        say("rtcc bench record: \(streams) streams × \(seconds) s, \(size) @ \(fps) fps, \(bitrate / 1000) kbit/s")
        say("| Measure | OpenRTCC | ffmpeg -c copy | ratio |")
        say("|---|---|---|---|")
        for row in rows { say("| \(row.0) | \(row.1) | \(row.2) | \(row.3) |") }
    }
}

private extension Int {
    var asDouble: Double { Double(self) }
}

/// The peer recorder of the recording benchmarks: `ffmpeg -c copy` of one RTSP stream into 60 s MP4 segments in
/// `folder`, fragmented like ours, so a stopped or crashed ffmpeg leaves playable files.
func ffmpegCopyArguments(recording url: String, into folder: URL) -> [String] {
    [
        "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url, "-c", "copy", "-f", "segment",
        "-segment_time", "60", "-reset_timestamps", "1", "-segment_format", "mp4",
        "-segment_format_options", "movflags=+frag_keyframe+empty_moov+default_base_moof", folder.appendingPathComponent("%03d.mp4").path,
    ]
}

/// Video packets in `files`, counted by ffprobe (the same count for every side of a benchmark).
func videoPackets(in files: [String]) async throws -> Int {
    let ffprobe = try Tools.locate("ffprobe")
    var frames = 0
    for file in files {
        let output = try await ChildProcess.output(ffprobe, [
            "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_packets",
            "-of", "default=noprint_wrappers=1", file,
        ])
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=")
            guard parts.count == 2, parts[0] == "nb_read_packets", let value = Int(parts[1]) else { continue }
            frames += value
        }
    }
    return frames
}

/// CPU seconds (user + system) this process has used.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds of another process, from /proc.
func cpuSeconds(pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// The machine's CPU time so far, from /proc/stat: all of it and the part the hypervisor gave to other guests
/// (steal), in clock ticks; zeros where there is no /proc/stat.
func machineCPUTicks() -> (total: Double, steal: Double) {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
        let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
    else { return (0, 0) }
    let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    // user nice system idle iowait irq softirq steal (guest time is counted in user already).
    guard fields.count >= 8 else { return (0, 0) }
    return (fields[0..<8].reduce(0, +), fields[7])
}

/// The share of the machine's CPU time that the hypervisor took for other guests between two readings.
func stealShare(from before: (total: Double, steal: Double), to after: (total: Double, steal: Double)) -> Double {
    let total = after.total - before.total
    return total > 0 ? (after.steal - before.steal) / total : 0
}

/// Proportional set size of a process in bytes (shared pages split among the processes sharing them), from
/// /proc/PID/smaps_rollup; 0 when the process is gone.
func proportionalBytes(pid: Int32) -> Int {
    guard let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8),
        let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("Pss:") }),
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}

/// Resident memory of a process in bytes, from /proc.
func residentBytes(pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}

/// Samples a value every `interval` (200 ms by default) until cancelled and keeps the peak.
actor PeakSampler {
    private let sample: @Sendable () -> Int
    private let interval: Duration
    private(set) var peak = 0

    init(every interval: Duration = .milliseconds(200), _ sample: @escaping @Sendable () -> Int) {
        self.interval = interval
        self.sample = sample
    }

    func run() async {
        while !Task.isCancelled {
            peak = max(peak, sample())
            try? await Task.sleep(for: interval)
        }
        peak = max(peak, sample())
    }
}
