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
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            for frame in state.append(data) { continuation.yield(frame) }
        }
        process.terminationHandler = { finished in
            output.fileHandleForReading.readabilityHandler = nil
            // Frames still in the pipe are delivered before the end.
            let rest = output.fileHandleForReading.readDataToEndOfFile()
            for frame in state.append(rest) { continuation.yield(frame) }
            if finished.terminationReason == .exit, finished.terminationStatus == 0 || finished.terminationStatus == 255 {
                continuation.finish()
            } else {
                continuation.finish(throwing: Failure(description: "ffmpeg stopped decoding \(input.prefix(80)) (status \(finished.terminationStatus)); check the stream URL and that ffmpeg is installed"))
            }
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

/// The frame reader shared by the pipe's callbacks, which run one at a time on Foundation's reading thread.
private final class ReaderBox: Sendable {
    private let reader: Mutex<GrayFrameReader>

    init(_ reader: GrayFrameReader) { self.reader = Mutex(reader) }

    func append(_ data: Data) -> [GrayFrame] { reader.withLock { $0.append(data) } }
}
