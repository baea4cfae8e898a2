import Foundation
import Synchronization

/// Decodes a camera stream or a file into grey frames with ffmpeg (`fps=N,scale=W:H`, `-pix_fmt gray -f rawvideo`).
public enum FFmpegGrayFrames {
    /// Why decoding stopped early.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to check.
        public var description: String
    }

    /// The frames of `input`, until it ends, ffmpeg exits, or the consumer's task is cancelled (which stops ffmpeg).
    /// At most `buffer` undelivered frames are kept (the oldest are dropped).
    public static func frames(
        of input: String, width: Int, height: Int, fps: Double, realtime: Bool = false, ffmpeg: String = "ffmpeg", buffer: Int = 32
    ) -> AsyncThrowingStream<GrayFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GrayFrame.self, bufferingPolicy: .bufferingNewest(buffer))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let reader = GrayFrameReader(width: width, height: height)
        process.arguments = [ffmpeg] + reader.ffmpegArguments(input: input, fps: fps, realtime: realtime)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let state = ReaderBox(reader)
        let failure = "ffmpeg stopped decoding \(input.prefix(80)); check the stream URL and that ffmpeg is installed"
        // Only the pipe's own handler ever clears itself (at the end of the output): clearing it from the termination
        // handler too raced with it on Foundation's dispatch source and could crash the process. The stream ends once
        // both the output has ended and ffmpeg has exited, whichever comes last.
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                state.end(.outputEnded, continuation, failure: failure)
                return
            }
            for frame in state.append(data) { continuation.yield(frame) }
        }
        process.terminationHandler = { finished in
            let clean = finished.terminationReason == .exit && (finished.terminationStatus == 0 || finished.terminationStatus == 255)
            state.end(.exited(clean: clean, status: finished.terminationStatus), continuation, failure: failure)
        }
        // SIGKILL: a decoder holds nothing to save, and may have inherited a blocked SIGTERM from the caller's threads.
        continuation.onTermination = { _ in if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        do {
            try process.run()
        } catch {
            continuation.finish(throwing: Failure(description: "ffmpeg could not be started (\(error.localizedDescription)); install ffmpeg"))
        }
        return stream
    }
}

/// The frame reader shared by the pipe's callbacks, which run one at a time on Foundation's reading thread, and what
/// is known of the end (the output's and ffmpeg's).
private final class ReaderBox: Sendable {
    enum Ending {
        case outputEnded
        case exited(clean: Bool, status: Int32)
    }

    private struct State {
        var reader: GrayFrameReader
        var outputEnded = false
        var exit: (clean: Bool, status: Int32)?
        var finished = false
    }

    private let state: Mutex<State>

    init(_ reader: GrayFrameReader) { state = Mutex(State(reader: reader)) }

    func append(_ data: Data) -> [GrayFrame] { state.withLock { $0.reader.append(data) } }

    /// Notes one of the two ends; the second finishes the stream (with an error when ffmpeg failed).
    func end(_ ending: Ending, _ continuation: AsyncThrowingStream<GrayFrame, any Error>.Continuation, failure: String) {
        let exit: (clean: Bool, status: Int32)? = state.withLock { state in
            switch ending {
            case .outputEnded: state.outputEnded = true
            case .exited(let clean, let status): state.exit = (clean, status)
            }
            guard state.outputEnded, let exit = state.exit, !state.finished else { return nil }
            state.finished = true
            return exit
        }
        guard let exit else { return }
        if exit.clean {
            continuation.finish()
        } else {
            continuation.finish(throwing: FFmpegGrayFrames.Failure(description: failure + " (status \(exit.status))"))
        }
    }
}
