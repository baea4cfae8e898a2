import Foundation
import Logging
import NIOPosix
import RTCCCore
import RTCCMedia
import Synchronization

/// Re-encodes one camera's live H.265 to H.264 with ffmpeg for browsers that cannot decode H.265 (Chromium
/// on Linux without hardware decoding): HEVC Annex B into ffmpeg's standard input, H.264 (x264 ultrafast,
/// zero latency, no B-frames, a keyframe every second, access unit delimiters) out of its standard output,
/// parsed by our own ``AnnexBAccessUnitReader`` and given back each input picture's times. Only viewers
/// that ask for it cause it to run; recording always keeps the camera's own stream. The same encoder burns a
/// camera's privacy mask into the picture (``MaskFilter``) for viewers without the `video:unmask` permission.
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

    /// Feeds `frames` through ffmpeg into `channel` until the frames end or the task is cancelled. With `mask`, the
    /// privacy mask is burned into every picture; the camera may then be H.264 or H.265 (its first keyframe says which).
    static func run(
        _ frames: AsyncStream<TimedVideoFrame>, into channel: LiveChannel, mask: PrivacyMask? = nil, ffmpeg: String = "ffmpeg", logger: Logger
    ) async {
        var encoder: Encoder?
        let pending = Pending()
        await withTaskGroup(of: Void.self) { group in
            for await frame in frames {
                if encoder == nil {
                    guard frame.accessUnit.isKeyframe else { continue }
                    do {
                        let started = try Encoder(first: frame.accessUnit.format, mask: mask, ffmpeg: ffmpeg)
                        encoder = started
                        group.addTask { await Self.read(started.output, into: channel, pending: pending) }
                    } catch {
                        logger.error("ffmpeg could not start for live transcoding", metadata: ["error": "\(error)"])
                        return
                    }
                }
                guard let writer = encoder?.input else { return }
                pending.add(Stamp(
                    presentationTime: frame.timing.presentationTime, duration: frame.timing.duration, wallClock: frame.wallClock, receivedAt: frame.receivedAt))
                let bytes = Data(AnnexB.join(frame.accessUnit.nalUnits))
                // A pipe write can block while ffmpeg catches up: keep it off the concurrency pool.
                do {
                    try await NIOThreadPool.singleton.runIfActive { try writer.write(contentsOf: bytes) }
                } catch {
                    break
                }
            }
            encoder?.stop()
            group.cancelAll()
        }
    }

    /// One ffmpeg process: Annex B in, H.264 Annex B out.
    struct Encoder {
        let process: Process
        let input: FileHandle
        let output: AsyncStream<Data>
        let maskImage: URL?

        init(first format: VideoFormat, mask: PrivacyMask?, ffmpeg: String) throws {
            var arguments = [
                ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-fflags", "nobuffer", "-probesize", "32", "-analyzeduration", "0",
                "-f", format.codec == .h264 ? "h264" : "hevc", "-i", "pipe:0",
            ]
            if let mask, !mask.isEmpty {
                let image = try MaskFilter.image(mask, width: format.width, height: format.height)
                maskImage = image
                arguments += ["-i", image.path, "-filter_complex", MaskFilter.graph, "-map", "[out]"]
            } else {
                maskImage = nil
            }
            arguments += [
                "-an", "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                "-bf", "0", "-g", "30", "-x264-params", "aud=1:repeat-headers=1", "-f", "h264", "pipe:1",
            ]
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            let inputPipe = Pipe(), outputPipe = Pipe()
            process.standardInput = inputPipe
            process.standardOutput = outputPipe
            process.standardError = FileHandle.nullDevice
            let (bytes, continuation) = AsyncStream.makeStream(of: Data.self, bufferingPolicy: .bufferingNewest(256))
            outputPipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    continuation.finish()
                } else {
                    continuation.yield(data)
                }
            }
            output = bytes
            input = inputPipe.fileHandleForWriting
            do {
                try process.run()
            } catch {
                if let maskImage { try? FileManager.default.removeItem(at: maskImage) }
                throw error
            }
        }

        func stop() {
            try? input.close()
            // SIGKILL: ffmpeg may have inherited a blocked SIGTERM from the server's threads, and holds nothing to save.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            if let maskImage { try? FileManager.default.removeItem(at: maskImage) }
        }
    }

    /// Cuts ffmpeg's output into access units and pushes them with the times of the pictures that went in.
    static func read(_ bytes: AsyncStream<Data>, into channel: LiveChannel, pending: Pending) async {
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
}
