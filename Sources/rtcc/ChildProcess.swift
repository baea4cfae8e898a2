import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tool run by a command (ffmpeg, the simulator), with its standard output collected line by line.
final class ChildProcess: Sendable {
    private let process: Process
    private let lines: LineBuffer
    private let errors: LineBuffer?
    /// Its standard input, when started with one.
    private let input: FileHandle?

    /// The process id.
    var pid: Int32 { process.processIdentifier }
    /// Whether the process is still running.
    var isRunning: Bool { process.isRunning }

    private init(process: Process, lines: LineBuffer, errors: LineBuffer?, input: FileHandle?) {
        self.process = process
        self.lines = lines
        self.errors = errors
        self.input = input
    }

    /// Starts `executable` with `arguments`; its standard error is kept only when `keepingErrors` (a long-running
    /// tool's would grow without end); with `input`, lines can be written to its standard input (``tell(_:)``);
    /// without `output`, its standard output is discarded (no pipe: hundreds of children stay within the descriptors
    /// Foundation's `Process` handles).
    static func start(
        _ executable: String, _ arguments: [String], keepingErrors: Bool = false, input: Bool = false, output: Bool = true
    ) async throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let lines = LineBuffer()
        process.standardOutput = output ? collecting(into: lines) : FileHandle.nullDevice
        let errors = keepingErrors ? LineBuffer() : nil
        process.standardError = errors.map { collecting(into: $0) } ?? FileHandle.nullDevice
        let inputPipe = input ? Pipe() : nil
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        try process.run()
        return ChildProcess(process: process, lines: lines, errors: errors, input: inputPipe?.fileHandleForWriting)
    }

    /// A pipe whose output is appended to `buffer` as it arrives.
    private static func collecting(into buffer: LineBuffer) -> Pipe {
        let pipe = Pipe()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                buffer.end()
            } else {
                buffer.append(data)
            }
        }
        return pipe
    }

    /// Starts `rtcc simulate --port 0` with `arguments` (this binary) and returns it with its cameras' base URL
    /// (`rtsp://host:port`; camera N is at ``CameraSimulator/path(camera:)`` below it).
    static func simulator(_ arguments: [String], onCPUs cpus: String? = nil) async throws -> (process: ChildProcess, base: String) {
        let command = [CommandLine.arguments[0], "simulate", "--port", "0"] + arguments
        // On chosen CPUs, through taskset (util-linux), when asked.
        let simulator = if let cpus {
            try await start("/usr/bin/taskset", ["-c", cpus] + command, input: true)
        } else {
            try await start(command[0], Array(command.dropFirst()), input: true)
        }
        guard let line = try await simulator.waitForLine(containing: "rtsp://", timeout: 300),
            let first = line.split(separator: " ").first(where: { $0.hasPrefix("rtsp://") }), first.hasSuffix("/cam001")
        else {
            simulator.stop()
            throw CLIError("the simulator did not start")
        }
        return (simulator, String(first.dropLast("/cam001".count)))
    }

    /// Runs a tool to completion and returns its standard output; a tool that fails (exits non-zero or is killed
    /// after `timeout` seconds) throws with what it wrote to standard error.
    static func output(_ executable: String, _ arguments: [String], timeout: Double = 120) async throws -> String {
        let child = try await start(executable, arguments, keepingErrors: true)
        await child.waitForExit(timeout: timeout)
        await child.lines.waitForEnd(timeout: 2)
        await child.errors?.waitForEnd(timeout: 2)
        guard child.process.terminationReason == .exit, child.process.terminationStatus == 0 else {
            let command = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments.prefix(2)).joined(separator: " ")
            let how = child.process.terminationReason == .exit ? "exit status \(child.process.terminationStatus)" : "killed by signal \(child.process.terminationStatus)"
            let said = (child.errors?.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw CLIError("`\(command) …` failed (\(how))" + (said.isEmpty ? "" : ": \(said)"))
        }
        return child.lines.text
    }

    /// Writes `line` to the process's standard input (started with `input: true`).
    func tell(_ line: String) throws {
        guard let input else { throw CLIError("the tool was started without standard input") }
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the process's standard input (its end of file).
    func closeInput() { try? input?.close() }

    /// Writes `command` and returns the next output line that starts with `prefix`, waiting up to `timeout` seconds.
    func ask(_ command: String, answerStartingWith prefix: String, timeout: Double = 10) async throws -> String {
        let earlier = lines.text.split(separator: "\n").filter { $0.hasPrefix(prefix) }.count
        try tell(command)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let answers = lines.text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
            if answers.count > earlier { return String(answers[earlier]) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CLIError("no answer to \"\(command)\" within \(Int(timeout)) s")
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
    private let storage = Mutex((data: Data(), ended: false))

    func append(_ data: Data) { storage.withLock { $0.data.append(data) } }
    /// Marks the end of the pipe's output.
    func end() { storage.withLock { $0.ended = true } }
    var text: String { storage.withLock { String(decoding: $0.data, as: UTF8.self) } }
    var ended: Bool { storage.withLock { $0.ended } }

    /// Waits up to `timeout` seconds for the end of the output (a tool's last words can arrive after it exits).
    func waitForEnd(timeout: Double) async {
        let deadline = Date().addingTimeInterval(timeout)
        while !ended, Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
