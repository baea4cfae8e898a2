import ArgumentParser
import Foundation
import Logging
import RTCCMedia
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench capacity`: how many streams one core records with no lost frame, and the CPU each costs against
/// ffmpeg `-c copy` on the same core.
struct BenchCapacity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Step the number of recorded streams up, the simulator on one core and the recorder on another; print lost frames, CPU and memory per stream against ffmpeg -c copy.",
        discussion: """
            The simulator (`rtcc simulate`, its own process) is pinned to --simulator-cpu with taskset; this process and \
            every ffmpeg it starts to --recorder-cpu. At each count both sides record the same streams, each for a window of \
            --seconds that begins 2 s after every recorder of that side has begun writing its file; then the simulator pauses every stream, the recorders get 1.5 s to drain, the simulator says how many frames \
            it owed its viewers (each counted from the viewer's first keyframe, dropped ones included) and the recorders \
            stop (ours seal; ffmpeg is told `q`, then the streams resume so it reads its next packet, notices and writes its trailer: it may keep one frame per stream more than was counted, which only favours it). Frames in the files are counted by ffprobe for \
            both sides; lost = owed − recorded. CPU is the recording processes' user + system time over the window (connecting \
            and ffmpeg's probing left out, for both; the drain too); memory is their peak \
            PSS, summed, the same metric for both, sampled once a second by a helper process on the simulator's CPU (the \
            kernel's page walk is charged to the reader, so to neither side). ffmpeg runs one process per stream, so it is measured up to \
            --peer-up-to streams only (memory). Up to --peer-up-to the two sides are measured --repeat times each, in pairs \
            that alternate which side goes first (ours then ffmpeg, ffmpeg then ours, …), and the ratio is the median of the \
            pairs, every pair printed: one machine's CPU figures move by a third from run to run. A failed step exits non-zero.
            """)

    @Option(help: "Stream counts to step through, comma separated.") var counts = "100,200,300,400"
    @Option(help: "Largest count ffmpeg is measured at (one process per stream).") var peerUpTo = 200
    @Option(help: "Seconds each side records at each count.") var seconds = 20
    @Option(help: "Picture size of the simulated streams.") var size = "1280x720"
    @Option(help: "Bitrate of the simulated streams.") var bitrate = 2_000_000
    @Option(help: "Frames per second of the simulated streams.") var fps = 25
    @Option(help: "CPU the simulator runs on (taskset list).") var simulatorCPU = "0"
    @Option(help: "CPU the recorders run on (taskset list).") var recorderCPU = "1"
    @Option(help: "Shortest time between two reads of a camera's connection, ms (the recorder's setting; 0 in rtcc serve: as data comes).")
    var readIntervalMs = 0
    @Option(name: .customLong("repeat"), help: "Times each side is measured at each count up to --peer-up-to, in pairs that alternate which side goes first; the ratio is the median of the pairs.")
    var repetitions = 3
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench-capacity"
    @Option(help: "Where generated clips are cached.") var clips = "./data/clips"

    /// One side's measurement at one count.
    struct Step {
        var streams: Int
        var cpuSeconds: Double
        var seconds: Double
        var peakPSS: Int
        var owed: Int
        var recorded: Int
        /// Seconds from the start of the side's recorders to the end of the drain: the span the frames owed cover.
        var span: Double
        var lost: Int { max(0, owed - recorded) }
        var cpuPerStreamSecond: Double { cpuSeconds / (Double(streams) * seconds) }
    }

    func run() async throws {
        let steps = counts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !steps.isEmpty, steps.allSatisfy({ (1...999).contains($0) }) else { throw ValidationError("--counts must list numbers 1-999") }
        guard (0...1000).contains(readIntervalMs) else { throw ValidationError("--read-interval-ms must be 0-1000") }
        guard seconds >= 5 else { throw ValidationError("--seconds must be at least 5") }
        guard (1...20).contains(repetitions) else { throw ValidationError("--repeat must be 1-20") }
        guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2 else { throw CLIError("this benchmark needs two CPUs: one for the simulator, one for the recorders") }
        let root = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let (simulator, base) = try await ChildProcess.simulator(
            ["--cameras", String(steps.max()!), "--size", size, "--bitrate", String(bitrate), "--fps", String(fps), "--clips", clips],
            onCPUs: simulatorCPU)
        defer { simulator.stop() }
        // Every thread of this process (and each child started from now on) on the recorder's CPU.
        _ = try await ChildProcess.output("/usr/bin/taskset", ["-a", "-p", "-c", recorderCPU, String(getpid())])
        say("Simulator on CPU \(simulatorCPU): \(steps.max()!) × \(size) @ \(fps) fps, \(bitrate / 1000) kbit/s; recorders on CPU \(recorderCPU); OpenRTCC reads each camera at most every \(readIntervalMs) ms (ffmpeg as data comes)")
        say("| Streams | Recorder | CPU s per stream-second | vs ffmpeg | Peak PSS per stream (MiB) | Frames owed | Recorded | Lost | Owed ÷ run | Recorder core busy |")
        say("|---|---|---|---|---|---|---|---|---|---|")
        var largestLossless: Int?
        var ratios: [(count: Int, pairs: [Double])] = []
        var simulatorBound: [Step] = []
        for count in steps {
            let urls = (1...count).map { "\(base)" + CameraSimulator.path(camera: $0) }
            var lossless = true
            var pairs: [Double] = []
            let withPeer = count <= peerUpTo
            for run in 1...(withPeer ? repetitions : 1) {
                // Each run in its own folders, removed once its frames are counted (a run at 200 streams writes a GB).
                let ourFolder = root.appendingPathComponent("rtcc-\(count)-\(run)"), peerFolder = root.appendingPathComponent("ffmpeg-\(count)-\(run)")
                defer { for folder in [ourFolder, peerFolder] { try? FileManager.default.removeItem(at: folder) } }
                let measurePeer = { () async throws -> Step in
                    try await measure(count: count, simulator: simulator) { try await recordFFmpeg(urls: urls, root: peerFolder, window: $0) }
                }
                // Every other pair measures ffmpeg first, so a machine that slows down or speeds up during the run
                // weighs on both sides alike.
                let peerFirst = withPeer && run % 2 == 0 ? try await measurePeer() : nil
                let ours = try await measure(count: count, simulator: simulator) { try await recordOurs(urls: urls, root: ourFolder, window: $0) }
                if ours.lost > 0 { lossless = false }
                if ours.lost > 0, pace(of: ours) < 0.9, ours.cpuSeconds / ours.seconds < 0.9 { simulatorBound.append(ours) }
                guard withPeer else {
                    row(ours, name: "OpenRTCC", ratio: "not measured")
                    continue
                }
                let peer: Step
                if let peerFirst { peer = peerFirst } else { peer = try await measurePeer() }
                let ratio = ours.cpuPerStreamSecond / max(peer.cpuPerStreamSecond, 1e-9)
                pairs.append(ratio)
                row(ours, name: "OpenRTCC", ratio: String(format: "**%.2f×**", ratio))
                row(peer, name: "ffmpeg -c copy", ratio: "")
            }
            if lossless { largestLossless = max(largestLossless ?? 0, count) }
            if !pairs.isEmpty { ratios.append((count, pairs)) }
        }
        say("")
        say("Largest count with 0 lost frames (OpenRTCC, one core, every run): \(largestLossless.map(String.init) ?? "none of those tried")")
        for (count, pairs) in ratios {
            let runs = pairs.map { String(format: "%.2f×", $0) }.joined(separator: ", ")
            say(String(format: "CPU per stream at %d streams: %.2f× ffmpeg -c copy (median of %d pairs: %@)", count, median(pairs), pairs.count, runs))
        }
        for step in simulatorBound {
            say(String(
                format: "At %d streams the simulator fell behind (it owed %.0f %% of the run's frames) while the recorder's core was %.0f %% busy: that step's loss does not measure the recorder, and this machine cannot show its limit.",
                step.streams, pace(of: step) * 100, step.cpuSeconds / step.seconds * 100))
        }
    }

    /// The middle value of `values` (the mean of the two middle ones for an even count).
    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The frames owed against streams × span × fps.
    private func pace(of step: Step) -> Double {
        Double(step.owed) / (Double(step.streams) * step.span * Double(fps))
    }

    /// What one side's run returns: the files it wrote, its CPU seconds over the window, its peak PSS and the window's
    /// length in seconds.
    typealias Recording = (files: [String], cpu: Double, pss: Int, seconds: Double)

    /// The steps of a side's run that ``measure`` provides.
    struct Window: Sendable {
        /// Waits until `writing()` (the recorders that have begun writing their files) reaches the count, then 2 s more
        /// for them to settle, then the window's --seconds; returns the CPU seconds `cpu()` counted over the window and
        /// its length in wall-clock seconds.
        var elapse: @Sendable (_ writing: @Sendable () async throws -> Int, _ cpu: @escaping @Sendable () -> Double) async throws -> (cpu: Double, seconds: Double)
        /// Returns once the simulator paused every stream, what was on its way arrived and the frames owed were read;
        /// the recorders are then stopped.
        var end: @Sendable () async throws -> Void
        /// Ends the pause. ffmpeg, blocked reading a paused stream, notices `q` only with its next packet: it is told
        /// `q` first, then the streams resume (it may write one more frame per stream, which only favours it).
        var resume: @Sendable () async throws -> Void
    }

    /// Runs one side at `count` streams through `record`, which records until `Window.end` returns and then stops.
    private func measure(count: Int, simulator: ChildProcess, record: (Window) async throws -> Recording) async throws -> Step {
        let owedBefore = try await owed(simulator)
        let began = ContinuousClock.now
        let seconds = Double(self.seconds)
        let owedAtEnd = Mutex(0), resumed = Mutex(false), drained = Mutex(ContinuousClock.now)
        let window = Window(
            elapse: { writing, cpu in
                let deadline = ContinuousClock.now + .seconds(Self.startDeadline)
                while try await writing() < count {
                    guard ContinuousClock.now < deadline else {
                        throw CLIError("only \(try await writing()) of \(count) recorders began writing within \(Int(Self.startDeadline)) s")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await Task.sleep(for: .seconds(Self.settle))
                let start = (cpu: cpu(), at: ContinuousClock.now)
                try await Task.sleep(for: .seconds(seconds))
                return (cpu() - start.cpu, Self.seconds(ContinuousClock.now - start.at))
            },
            end: {
                _ = try await simulator.ask("stall 1-\(count) 60", answerStartingWith: "ok: stall")
                try await Task.sleep(for: .milliseconds(1500))
                let owed = try await owed(simulator)
                owedAtEnd.withLock { $0 = owed }
                drained.withLock { $0 = ContinuousClock.now }
            },
            resume: {
                // Nothing was sent while the recorders stopped: the count read at the end holds.
                let owed = try await owed(simulator)
                guard owed == owedAtEnd.withLock({ $0 }) else {
                    throw CLIError("the simulator sent \(owed - owedAtEnd.withLock { $0 }) frames after the pause began")
                }
                _ = try await simulator.ask("stall 1-\(count) 0", answerStartingWith: "ok: stall")
                resumed.withLock { $0 = true }
            })
        let outcome = try await record(window)
        if !resumed.withLock({ $0 }) { try await window.resume() }
        let recorded = try await videoPackets(in: outcome.files)
        let owedFrames = owedAtEnd.withLock { $0 } - owedBefore
        return Step(
            streams: count, cpuSeconds: outcome.cpu, seconds: outcome.seconds, peakPSS: outcome.pss, owed: owedFrames, recorded: recorded,
            span: Self.seconds(drained.withLock { $0 } - began))
    }

    private func owed(_ simulator: ChildProcess) async throws -> Int {
        let answer = try await simulator.ask("owed", answerStartingWith: "owed ")
        guard let value = Int(answer.dropFirst("owed ".count)) else { throw CLIError("the simulator answered \"\(answer)\"") }
        return value
    }

    private func recordOurs(urls: [String], root: URL, window: Window) async throws -> Recording {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let index = SealedSegments()
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let sampler = try await memorySampler(of: [getpid()])
        defer { sampler.stop() }
        var cpu = 0.0, elapsed = 0.0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for url in urls {
                var configuration = CameraRecorder.Configuration(url: url, segments: SegmentWriter.Configuration(root: root, cameraID: UUID()))
                configuration.mediaReadInterval = .milliseconds(readIntervalMs)
                let recorder = CameraRecorder(configuration: configuration, index: index, logger: logger)
                group.addTask { await recorder.run() }
            }
            (cpu, elapsed) = try await window.elapse({ await index.writing }, { processCPUSeconds() })
            try await window.end()
            group.cancelAll()
        }
        return (await index.paths, cpu, try await peak(of: sampler), elapsed)
    }

    private func recordFFmpeg(urls: [String], root: URL, window: Window) async throws -> Recording {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let ffmpeg = try Tools.locate("ffmpeg")
        var children: [ChildProcess] = []
        for (number, url) in urls.enumerated() {
            let folder = root.appendingPathComponent("cam\(number)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            children.append(try await ChildProcess.start(ffmpeg, ffmpegCopyArguments(recording: url, into: folder), input: true, output: false))
        }
        let pids = children.map(\.pid)
        let sampler = try await memorySampler(of: pids)
        defer { sampler.stop() }
        // A file appears once ffmpeg has probed its stream and written the header: it has begun recording.
        let firstFiles = (0..<urls.count).map { root.appendingPathComponent("cam\($0)/000.mp4").path }
        let (cpu, elapsed) = try await window.elapse(
            { firstFiles.count { FileManager.default.fileExists(atPath: $0) } },
            { pids.reduce(0.0) { $0 + cpuSeconds(pid: $1) } })
        try await window.end()
        let pss = try await peak(of: sampler)
        // "q" on its standard input: ffmpeg writes what it holds and its trailer, as ours seal on stop.
        for child in children { try? child.tell("q") }
        try await window.resume()
        for child in children {
            await child.waitForExit(timeout: 15)
            child.closeInput()
        }
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".mp4") }.map { root.appendingPathComponent($0).path }
        return (files, cpu, pss, elapsed)
    }

    /// Samples the summed PSS of `pids` once a second from its own process (`rtcc bench pss-peak`) on the simulator's
    /// CPU: reading PSS makes the kernel walk every page of the process read, charged to the reader, so neither side's
    /// CPU counts it (before, our own sampling was charged to us and ffmpeg's to nobody).
    private func memorySampler(of pids: [Int32]) async throws -> ChildProcess {
        let command = [CommandLine.arguments[0], "bench", "pss-peak"] + pids.map(String.init)
        return try await ChildProcess.start("/usr/bin/taskset", ["-c", simulatorCPU] + command, input: true)
    }

    /// The peak the sampler saw.
    private func peak(of sampler: ChildProcess) async throws -> Int {
        let answer = try await sampler.ask("peak", answerStartingWith: "peak ")
        guard let bytes = Int(answer.dropFirst("peak ".count)), bytes > 0 else { throw CLIError("the memory sampler answered \"\(answer)\"") }
        return bytes
    }

    /// Seconds the recorders of a side get to settle after the last of them began writing, before CPU is counted:
    /// connecting and ffmpeg's probing (tens of milliseconds of CPU per process) are left out for both sides, as a
    /// one-time cost of a recorder that runs for months.
    static let settle = 2.0

    /// Seconds every recorder of a side has to begin writing before the step fails.
    static let startDeadline = 90.0

    /// A duration in seconds.
    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// One table row. "Owed ÷ run" is the frames owed against streams × fps × the seconds from the recorders' start to
    /// the end of the drain: below 100 % by the time each viewer took to connect and reach a keyframe (for ffmpeg, also
    /// the time to start its processes one after another), and further below when the simulator's core could not keep
    /// pace.
    private func row(_ step: Step, name: String, ratio: String) {
        say(String(format: "| %d | %@ | %.5f | %@ | %.2f | %d | %d | %d | %.0f %% | %.0f %% |", step.streams, name, step.cpuPerStreamSecond, ratio,
                   Double(step.peakPSS) / Double(step.streams) / 1_048_576, step.owed, step.recorded, step.lost, pace(of: step) * 100,
                   step.cpuSeconds / step.seconds * 100))
    }
}

/// The paths of sealed segments and the cameras that began writing, kept in memory (the capacity bench needs nothing
/// else from an index).
actor SealedSegments: RecordingIndex {
    private(set) var paths: [String] = []
    private var cameras: Set<UUID> = []

    /// The cameras with a segment file opened so far.
    var writing: Int { cameras.count }

    func opened(_ segment: RecordedSegment) async throws { cameras.insert(segment.cameraID) }
    func progressed(_ segment: RecordedSegment) async throws {}
    func sealed(_ segment: RecordedSegment) async throws { paths.append(segment.path) }
}
