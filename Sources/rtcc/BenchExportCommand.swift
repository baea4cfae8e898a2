import ArgumentParser
import Foundation
import RTCCMedia
#if canImport(Glibc)
import Glibc
#endif

/// `rtcc bench export`: our clip exporter against `ffmpeg -f concat -safe 0 -i list.txt -c copy` on the same segments.
struct BenchExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Record a test stream into segments, then export a range spanning several of them with OpenRTCC and with ffmpeg's concat demuxer; print times and the ratio.",
        discussion: """
            OpenRTCC checks every segment's sealed SHA-256 and cuts the exact range (edit list at the first picture); ffmpeg
            concatenates the same segments with -c copy, cut to the same range with the concat demuxer's inpoint and outpoint
            (from the keyframe before the inpoint), and checks nothing. Each side runs --runs times after one
            warm-up run, alternating, and the medians are compared. Frames are counted by ffprobe.
            """)

    @Option(help: "Seconds of video recorded.") var seconds = 180
    @Option(help: "Segment length in seconds.") var segmentSeconds = 60
    @Option(help: "Picture size.") var size = "1280x720"
    @Option(help: "Frames per second.") var fps = 25
    @Option(help: "Video bitrate (bit/s).") var bitrate = 4_000_000
    @Option(help: "Measured runs of each side.") var runs = 5
    @Option(help: "Scratch folder (emptied).") var work = "/tmp/rtcc-bench-export"

    func validate() throws {
        guard seconds >= 2 * segmentSeconds, segmentSeconds >= 2 else {
            throw ValidationError("--seconds must be at least twice --segment-seconds (and segments at least 2 s) so the range spans segments")
        }
        guard (1...50).contains(runs), (1...120).contains(fps) else { throw ValidationError("--runs must be 1-50 and --fps 1-120") }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: work)
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let ffmpeg = try Tools.locate("ffmpeg"), ffprobe = try Tools.locate("ffprobe")
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        say("Recording \(seconds) s of \(size) @ \(fps) fps, \(bitrate / 1000) kbit/s into \(segmentSeconds) s segments…")
        let segments = try await BenchFootage.record(
            ffmpeg: ffmpeg, seconds: seconds, segmentSeconds: segmentSeconds, size: size, fps: fps, bitrate: bitrate, start: start, in: root)
        let from = start.addingTimeInterval(Double(segmentSeconds) / 2 + 0.3)
        let until = start.addingTimeInterval(Double(seconds) - Double(segmentSeconds) / 2 - 0.3)
        let chosen = segments.filter { $0.end > from && $0.start < until }
        let list = root.appendingPathComponent("list.txt")
        // The peer cuts the same range: the concat demuxer's inpoint in the first segment and outpoint in the last (with
        // -c copy it starts at the keyframe before the inpoint; it checks no hash).
        let lines = chosen.enumerated().map { position, segment in
            var entry = "file '\(segment.path)'\n"
            if position == 0 { entry += String(format: "inpoint %.3f\n", max(0, from.timeIntervalSince(segment.start))) }
            if position == chosen.count - 1 { entry += String(format: "outpoint %.3f\n", until.timeIntervalSince(segment.start)) }
            return entry
        }
        try Data(lines.joined().utf8).write(to: list)
        let ours = root.appendingPathComponent("ours.mp4"), theirs = root.appendingPathComponent("ffmpeg.mp4")
        let peerArguments = ["-v", "error", "-f", "concat", "-safe", "0", "-i", list.path, "-c", "copy", "-y", theirs.path]

        var oursTimes: [Timing] = [], peerTimes: [Timing] = []
        var exported: ClipExportResult?
        for run in 0...runs {
            let measureOurs = {
                try? FileManager.default.removeItem(at: ours)
                let (timing, result) = try Timing.measure {
                    try ClipExporter().export(.init(segments: chosen, from: from, until: until, destination: ours))
                }
                exported = result
                if run > 0 { oursTimes.append(timing) }
            }
            let measurePeer = {
                let timing = try await Timing.measureChild(ffmpeg, peerArguments)
                if run > 0 { peerTimes.append(timing) }
            }
            if run % 2 == 0 {
                try measureOurs()
                try await measurePeer()
            } else {
                try await measurePeer()
                try measureOurs()
            }
        }
        guard let exported else { throw CLIError("the export produced nothing") }
        let oursPackets = try await BenchFootage.packets(ffprobe: ffprobe, ours.path)
        let peerPackets = try await BenchFootage.packets(ffprobe: ffprobe, theirs.path)
        report(
            ours: Timing.median(oursTimes), peer: Timing.median(peerTimes), clip: exported, chosen: chosen.count,
            sizes: (Tools.size(ours), Tools.size(theirs)), packets: (oursPackets, peerPackets), range: until.timeIntervalSince(from))
    }

    private func report(
        ours: Timing, peer: Timing, clip: ClipExportResult, chosen: Int, sizes: (Int64, Int64), packets: (Int, Int), range: Double
    ) {
        say("")
        say("rtcc bench export: \(String(format: "%.1f", range)) s range across \(chosen) segments of \(segmentSeconds) s, \(size) @ \(fps) fps, "
            + "\(bitrate / 1000) kbit/s, median of \(runs) runs")
        say("| Measure | OpenRTCC (hash-checked, exact cut) | ffmpeg -f concat -c copy (same range, inpoint/outpoint) | ffmpeg ÷ OpenRTCC (above 1: ours faster) |")
        say("|---|---|---|---|")
        say("| Wall time (ms) | \(String(format: "%.1f", ours.wall * 1000)) | \(String(format: "%.1f", peer.wall * 1000)) | "
            + "\(String(format: "%.2f×", peer.wall / max(ours.wall, 1e-9))) |")
        say("| CPU time (ms) | \(String(format: "%.1f", ours.cpu * 1000)) | \(String(format: "%.1f", peer.cpu * 1000)) | "
            + "\(String(format: "%.2f×", peer.cpu / max(ours.cpu, 1e-9))) |")
        say("| Output bytes | \(sizes.0) | \(sizes.1) | |")
        say("| Video packets (ffprobe) | \(packets.0) (\(clip.frames) shown) | \(packets.1) | |")
    }
}

/// Wall and CPU seconds of one run.
struct Timing {
    var wall: Double
    var cpu: Double

    /// Times `body` in this process.
    static func measure<T>(_ body: () throws -> T) throws -> (Timing, T) {
        let cpu = processCPUSeconds()
        let started = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return (Timing(wall: wall, cpu: processCPUSeconds() - cpu), value)
    }

    /// Times a child process from start to exit; its CPU time comes from the children's resource usage.
    static func measureChild(_ executable: String, _ arguments: [String]) async throws -> Timing {
        let cpu = childrenCPUSeconds()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let started = DispatchTime.now().uptimeNanoseconds
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        guard status == 0 else { throw CLIError("\(executable) \(arguments.joined(separator: " ")) exited with status \(status)") }
        return Timing(wall: wall, cpu: childrenCPUSeconds() - cpu)
    }

    static func median(_ values: [Timing]) -> Timing {
        func middle(_ numbers: [Double]) -> Double {
            let sorted = numbers.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        return Timing(wall: middle(values.map(\.wall)), cpu: middle(values.map(\.cpu)))
    }
}

/// CPU seconds (user + system) of this process's finished, waited-for children.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Looking up tools and files for benchmarks.
enum Tools {
    static func locate(_ tool: String) throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw CLIError("\(tool) is missing; install it (apt-get install -y ffmpeg)")
    }

    static func size(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
