import Foundation
import Logging

extension SimulatorClip {
    /// Makes (or reuses) a test-pattern clip with ffmpeg and loads it.
    ///
    /// The picture is `testsrc2` with the wall-clock time burned in (`drawtext`); where ffmpeg has no
    /// `drawtext` or no font, plain `testsrc2` (which shows a frame counter and a timer). H.264 is Main
    /// profile, H.265 Main; both with `bFrames` B-frames (two unless told) and a keyframe every second. The file is cached in
    /// `directory` under a name made of the parameters, so a second call does not run ffmpeg.
    ///
    /// With a `caption` (a camera's name, say), the caption is burned in along the bottom edge instead of the clock, so
    /// cameras looping their own clips can be told apart at a glance. It is drawn literally (no `%` expansion).
    public static func generate(
        codec: VideoCodec, width: Int, height: Int, fps: Int, seconds: Int, bitrate: Int, bFrames: Int = 2, caption: String? = nil,
        into directory: URL, logger: Logger = Logger(label: "rtcc.media.simulator")
    ) async throws(SimulatorError) -> SimulatorClip {
        guard width >= 16, height >= 16, width % 2 == 0, height % 2 == 0 else {
            throw .invalidConfiguration("size \(width)x\(height) must be even and at least 16x16")
        }
        guard (1...120).contains(fps), (1...3600).contains(seconds), bitrate >= 10_000, (0...3).contains(bFrames) else {
            throw .invalidConfiguration("need 1≤fps≤120, 1≤seconds≤3600, bitrate≥10000, 0≤B-frames≤3")
        }
        let fileExtension = codec == .h264 ? "264" : "265"
        let captionTag = caption.map { "-c" + String(Self.fingerprint(of: $0), radix: 16) } ?? ""
        let name = "clip-\(codec.rawValue)-\(width)x\(height)-\(fps)fps-\(seconds)s-\(bitrate / 1000)k\(bFrames == 2 ? "" : "-\(bFrames)b")\(captionTag).\(fileExtension)"
        let file = directory.appendingPathComponent(name)
        if let caption, directory.path.contains(where: { "'\\:,;[]=".contains($0) }) {
            throw .invalidConfiguration("the clip folder \(directory.path) holds a character ffmpeg's filter syntax reserves; caption \"\(caption)\" cannot be drawn from it")
        }
        if !FileManager.default.fileExists(atPath: file.path) {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw .fileAccess(path: directory.path, reason: "\(error)")
            }
            let ffmpeg = try locateTool("ffmpeg")
            let partial = directory.appendingPathComponent(".\(name).\(UInt32.random(in: .min ... .max)).partial")
            defer { try? FileManager.default.removeItem(at: partial) }
            var settings = EncoderSettings(codec: codec, width: width, height: height, fps: fps, seconds: seconds, bitrate: bitrate, bFrames: bFrames)
            logger.info("generating simulator clip", metadata: ["clip": "\(name)"])
            if let caption {
                let captionFile = directory.appendingPathComponent(".\(name).caption.txt")
                defer { try? FileManager.default.removeItem(at: captionFile) }
                guard FileManager.default.createFile(atPath: captionFile.path, contents: Data(caption.utf8)) else {
                    throw .fileAccess(path: captionFile.path, reason: "cannot write the caption")
                }
                settings.captionFile = captionFile.path
                let captioned = try await runTool(ffmpeg, settings.arguments(output: partial.path, clock: false))
                guard captioned.status == 0 else { throw .toolFailed(tool: "ffmpeg", status: captioned.status, output: captioned.output) }
            } else {
                let clocked = try await runTool(ffmpeg, settings.arguments(output: partial.path, clock: true))
                if clocked.status != 0 {
                    logger.notice("drawtext unavailable; generating without a burned-in clock", metadata: ["clip": "\(name)"])
                    let plain = try await runTool(ffmpeg, settings.arguments(output: partial.path, clock: false))
                    guard plain.status == 0 else { throw .toolFailed(tool: "ffmpeg", status: plain.status, output: plain.output) }
                }
            }
            do {
                if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
                try FileManager.default.moveItem(at: partial, to: file)
            } catch {
                throw .fileAccess(path: file.path, reason: "\(error)")
            }
        }
        return try SimulatorClip(contentsOf: file, codec: codec, frameRate: Double(fps))
    }

    /// A stable 64-bit FNV-1a hash of `text`, naming a captioned clip in the cache.
    static func fingerprint(of text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    private struct EncoderSettings {
        var codec: VideoCodec
        var width: Int
        var height: Int
        var fps: Int
        var seconds: Int
        var bitrate: Int
        var bFrames: Int
        /// A file whose text is drawn along the bottom edge.
        var captionFile: String?

        func arguments(output: String, clock: Bool) -> [String] {
            var arguments = ["-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(fps)"]
            arguments += ["-t", "\(seconds)"]
            if let captionFile {
                let size = max(12, height / 14)
                arguments += [
                    "-vf",
                    "drawtext=textfile='\(captionFile)':expansion=none:x=(w-tw)/2:y=h-th-\(size / 2):fontsize=\(size):fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=\(size / 3)",
                ]
            } else if clock {
                let size = max(12, height / 12)
                arguments += [
                    "-vf",
                    "drawtext=text='%{localtime\\:%T}':x=8:y=8:fontsize=\(size):fontcolor=white:box=1:boxcolor=black@0.6",
                ]
            }
            let rate = ["-b:v", "\(bitrate)", "-maxrate", "\(bitrate * 3 / 2)", "-bufsize", "\(bitrate)"]
            switch codec {
            case .h264:
                arguments += ["-c:v", "libx264", "-profile:v", "main", "-bf", "\(bFrames)", "-g", "\(fps)", "-keyint_min", "\(fps)"]
                arguments += ["-sc_threshold", "0", "-pix_fmt", "yuv420p"] + rate + ["-f", "h264", output]
            case .h265:
                arguments += ["-c:v", "libx265", "-profile:v", "main", "-bf", "\(bFrames)", "-g", "\(fps)", "-keyint_min", "\(fps)"]
                arguments += ["-x265-params", "log-level=error:open-gop=0:scenecut=0:repeat-headers=1"]
                arguments += ["-pix_fmt", "yuv420p", "-tag:v", "hvc1"] + rate + ["-f", "hevc", output]
            }
            return arguments
        }
    }
}

/// The result of running an external tool.
struct ToolResult: Sendable {
    var status: Int32
    var output: String
}

/// The absolute path of an executable on `PATH` (or in `/usr/bin`, `/usr/local/bin`).
func locateTool(_ name: String) throws(SimulatorError) -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
    for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
        return "\(directory)/\(name)"
    }
    throw .toolMissing(name)
}

/// Runs a tool to completion, returning its status and the end of its combined output.
func runTool(_ executable: String, _ arguments: [String]) async throws(SimulatorError) -> ToolResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-tool-\(UInt64.random(in: .min ... .max)).log")
    guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
        throw .fileAccess(path: log.path, reason: "cannot create the log file")
    }
    defer { try? FileManager.default.removeItem(at: log) }
    let handle: FileHandle
    do {
        handle = try FileHandle(forWritingTo: log)
    } catch {
        throw .fileAccess(path: log.path, reason: "\(error)")
    }
    defer { try? handle.close() }
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    let (exited, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
    process.terminationHandler = { continuation.yield($0.terminationStatus) }
    do {
        try process.run()
    } catch {
        throw .toolFailed(tool: executable, status: -1, output: "\(error)")
    }
    var status: Int32 = -1
    for await value in exited {
        status = value
        break
    }
    let output = (try? Data(contentsOf: log)) ?? Data()
    let text = String(decoding: output.suffix(2000), as: UTF8.self)
    return ToolResult(status: status, output: text)
}
