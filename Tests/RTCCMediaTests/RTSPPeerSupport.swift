import Foundation
import NIOCore
import NIOPosix

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
        FileManager.default.createFile(atPath: output.path, contents: nil)
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
