import Foundation
import Logging
import NIOPosix
import RTCCMedia
import Synchronization

/// Re-encodes one camera's live H.265 to H.264 with ffmpeg for browsers that cannot decode H.265 (Chromium
/// on Linux without hardware decoding): HEVC Annex B into ffmpeg's standard input, H.264 (x264 ultrafast,
/// zero latency, no B-frames, a keyframe every second, access unit delimiters) out of its standard output,
/// parsed by our own ``AnnexBAccessUnitReader`` and given back each input picture's times. Only viewers
/// that ask for it cause it to run; recording always keeps the camera's own stream.
enum LiveTranscoder {
    /// The times of a picture sent to the encoder, matched to what comes out in presentation order.
    struct Stamp: Sendable {
        var presentationTime: Int64
        var duration: Int64
        var wallClock: Date
        var receivedAt: Date
    }

    /// Pictures in flight, smallest presentation time first out.
    final class Pending: Sendable {
        private let stamps = Mutex<[Stamp]>([])

        func add(_ stamp: Stamp) { stamps.withLock { $0.append(stamp) } }

        func next() -> Stamp? {
            stamps.withLock { stamps in
                guard let index = stamps.indices.min(by: { stamps[$0].presentationTime < stamps[$1].presentationTime }) else { return nil }
                return stamps.remove(at: index)
            }
        }
    }

    /// Feeds `frames` through ffmpeg into `channel` until the frames end or the task is cancelled.
    static func run(_ frames: AsyncStream<TimedVideoFrame>, into channel: LiveChannel, ffmpeg: String = "ffmpeg", logger: Logger) async {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-fflags", "nobuffer", "-probesize", "32", "-analyzeduration", "0",
            "-f", "hevc", "-i", "pipe:0", "-an", "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-bf", "0", "-g", "30", "-x264-params", "aud=1:repeat-headers=1", "-f", "h264", "pipe:1",
        ]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let (bytes, continuation) = AsyncStream.makeStream(of: Data.self, bufferingPolicy: .bufferingNewest(256))
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
            } else {
                continuation.yield(data)
            }
        }
        do {
            try process.run()
        } catch {
            logger.error("ffmpeg could not start for live transcoding", metadata: ["error": "\(error)"])
            return
        }
        let pending = Pending()
        let writer = input.fileHandleForWriting
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var started = false
                for await frame in frames {
                    if !started {
                        guard frame.accessUnit.isKeyframe else { continue }
                        started = true
                    }
                    pending.add(Stamp(
                        presentationTime: frame.timing.presentationTime, duration: frame.timing.duration, wallClock: frame.wallClock,
                        receivedAt: frame.receivedAt))
                    let bytes = Data(AnnexB.join(frame.accessUnit.nalUnits))
                    // A pipe write can block while ffmpeg catches up: keep it off the concurrency pool.
                    do {
                        try await NIOThreadPool.singleton.runIfActive { try writer.write(contentsOf: bytes) }
                    } catch {
                        return
                    }
                }
            }
            group.addTask {
                var reader = AnnexBAccessUnitReader()
                var parameterSets = H264ParameterSets()
                for await data in bytes {
                    for units in reader.append(data) {
                        for unit in units { _ = try? parameterSets.update(with: unit) }
                        guard let format = try? parameterSets.videoFormat(), let stamp = pending.next() else { continue }
                        let keyframe = units.contains { ($0.first ?? 0) & 0x1F == H264NALUnitType.idrSlice }
                        let unit = VideoAccessUnit(codec: .h264, nalUnits: units, isKeyframe: keyframe, rtpTimestamp: stamp.presentationTime, format: format)
                        let timing = DecodeTiming(decodeTime: stamp.presentationTime, presentationTime: stamp.presentationTime, duration: max(stamp.duration, 1))
                        await channel.push(TimedVideoFrame(accessUnit: unit, timing: timing, wallClock: stamp.wallClock, receivedAt: stamp.receivedAt))
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
        try? writer.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
