import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tool run by a command (ffmpeg, the simulator), with its standard output collected line by line.
final class ChildProcess: Sendable {
    private let process: Process
    private let lines: LineBuffer

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, lines: LineBuffer) {
        self.process = process
        self.lines = lines
    }

    /// Starts `executable` with `arguments`.
    static func start(_ executable: String, _ arguments: [String]) async throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let lines = LineBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { lines.append(data) }
        }
        try process.run()
        return ChildProcess(process: process, lines: lines)
    }

    /// Starts `rtcc simulate --port 0` with `arguments` (this binary) and returns it with its cameras' base URL
    /// (`rtsp://host:port`; camera N is at ``CameraSimulator/path(camera:)`` below it).
    static func simulator(_ arguments: [String]) async throws -> (process: ChildProcess, base: String) {
        let simulator = try await start(CommandLine.arguments[0], ["simulate", "--port", "0"] + arguments)
        guard let line = try await simulator.waitForLine(containing: "rtsp://", timeout: 300),
            let first = line.split(separator: " ").first(where: { $0.hasPrefix("rtsp://") }), first.hasSuffix("/cam001")
        else {
            simulator.stop()
            throw CLIError("the simulator did not start")
        }
        return (simulator, String(first.dropLast("/cam001".count)))
    }

    /// Runs a tool to completion and returns its standard output.
    static func output(_ executable: String, _ arguments: [String]) async throws -> String {
        let child = try await start(executable, arguments)
        await child.waitForExit(timeout: 120)
        return child.lines.text
    }

    /// The first output line containing `text`, waiting up to `timeout` seconds.
    func waitForLine(containing text: String, timeout: Double) async throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = lines.text.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { return nil }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Stops the process now (SIGKILL: children of this process may inherit blocked SIGINT/SIGTERM).
    func stop() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// Waits for exit, killing the process after `timeout` seconds.
    func waitForExit(timeout: Double) async {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Output collected from a pipe's handler thread.
final class LineBuffer: Sendable {
    private let storage = Mutex(Data())

    func append(_ data: Data) { storage.withLock { $0.append(data) } }
    var text: String { storage.withLock { String(decoding: $0, as: UTF8.self) } }
}
