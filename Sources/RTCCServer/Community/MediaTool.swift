import Foundation
import NIOPosix

/// Runs ffprobe and ffmpeg for the community features (checking uploads, masking video), off the event loops.
enum MediaTool {
    /// What a program run produced.
    struct Result: Sendable {
        var status: Int32
        var output: Data
    }

    /// Runs `tool` (found on `PATH`) with `arguments` and collects its output, on the NIO thread pool.
    static func run(_ tool: String, _ arguments: [String]) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive { try runBlocking(tool, arguments) }
    }

    /// Runs `tool` on the calling thread (which must be allowed to block).
    static func runBlocking(_ tool: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: data)
    }

    /// The codec and picture size of a file's first video stream, or nil when it has none (not a video).
    static func probeVideo(_ path: String) async throws -> (codec: String, width: Int, height: Int)? {
        try await NIOThreadPool.singleton.runIfActive { try probeVideoBlocking(path) }
    }

    /// ``probeVideo(_:)`` on the calling thread.
    static func probeVideoBlocking(_ path: String) throws -> (codec: String, width: Int, height: Int)? {
        let result = try runBlocking("ffprobe", [
            "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", path,
        ])
        guard result.status == 0 else { return nil }
        let line = String(decoding: result.output, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count >= 3, let width = Int(fields[1]), let height = Int(fields[2]), width > 0, height > 0 else { return nil }
        return (fields[0], width, height)
    }
}
