import ArgumentParser
import Foundation
import Logging
import RTCCMedia
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench …`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks against named peers.", subcommands: [BenchRecord.self, BenchLive.self, BenchExport.self, BenchGeo.self, BenchEvents.self, BenchAnalytics.self, BenchAddress.self, BenchCluster.self, BenchCapacity.self, BenchPSSPeak.self])
}

/// `rtcc bench record`: our recorder against `ffmpeg -c copy` on the same simulated streams: one step of
/// ``BenchCapacity`` at `--streams`, so both benchmarks measure the same way (frames lost counted against the frames the
/// simulator says it owed, CPU and PSS of the recording processes, simulator and recorders on their own cores).
struct BenchRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record N simulated streams with OpenRTCC, then the same N with one ffmpeg -c copy per stream; print CPU, memory, lost frames and ratios.",
        discussion: """
            One step of `rtcc bench capacity` at --streams (see its help): the simulator is its own process on one CPU, the \
            recorders on another; lost frames are the frames the simulator owed its viewers minus those in the files (ffprobe), \
            for both sides alike.
            """)

    @Option(help: "Streams recorded at once.") var streams = 10
    @Option(help: "Seconds each side records.") var seconds = 30
    @Option(help: "Picture size of the simulated streams.") var size = "1920x1080"
    @Option(help: "Bitrate of the simulated streams.") var bitrate = 4_000_000
    @Option(help: "Frames per second of the simulated streams.") var fps = 25
    @Option(help: "CPU the simulator runs on (taskset list).") var simulatorCPU = "0"
    @Option(help: "CPU the recorders run on (taskset list).") var recorderCPU = "1"
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench"
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"

    func run() async throws {
        guard (1...999).contains(streams) else { throw ValidationError("--streams must be 1-999") }
        let step = try BenchCapacity.parse([
            "--counts", String(streams), "--peer-up-to", String(streams), "--seconds", String(seconds), "--size", size, "--bitrate", String(bitrate),
            "--fps", String(fps), "--simulator-cpu", simulatorCPU, "--recorder-cpu", recorderCPU, "--work", work, "--clips", clips,
        ])
        try await step.run()
    }
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

    /// Takes one sample now.
    func sampleNow() {
        peak = max(peak, sample())
    }
}

/// `rtcc bench pss-peak PID…` (not listed): samples the summed PSS of the processes every `--interval-ms`, answers
/// `peak` on its standard input with `peak BYTES` (the largest sum so far, a fresh sample included), and exits at the end
/// of its input. The capacity bench runs it as its own process on the simulator's core: reading PSS makes the kernel walk
/// every page of the process read, and that work, charged to the reader, then counts for neither recorder.
struct BenchPSSPeak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pss-peak", abstract: "Sample the summed PSS of processes and answer their peak (used by bench capacity).", shouldDisplay: false)

    @Argument(help: "Process ids.") var pids: [Int32]
    @Option(help: "Milliseconds between samples.") var intervalMs = 1000

    func validate() throws {
        guard !pids.isEmpty else { throw ValidationError("give at least one process id") }
        guard intervalMs > 0 else { throw ValidationError("--interval-ms must be positive") }
    }

    func run() async throws {
        let pids = pids
        let sampler = PeakSampler(every: .milliseconds(intervalMs)) { pids.reduce(0) { $0 + proportionalBytes(pid: $1) } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await sampler.run() }
            for await line in standardInputLines() where line.trimmingCharacters(in: .whitespaces) == "peak" {
                await sampler.sampleNow()
                say("peak \(await sampler.peak)")
            }
            group.cancelAll()
        }
    }
}
