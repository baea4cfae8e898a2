import Foundation
import Logging
import RTCCMedia
import ServiceLifecycle

/// Serves the demo city's camera feeds at `rtsp://127.0.0.1:PORT/cam001…` (the demo cameras' stream URLs).
///
/// Each feed loops a 640×360, 15 fps H.264 test pattern with its camera's name burned in, so an operator can tell the
/// cameras apart on the wall. The captioned clips are made once with ffmpeg and kept in `clipDirectory`; a feed whose
/// clip cannot be made (no ffmpeg, no font) loops the clip shipped with the server, which shows a clock instead.
public struct DemoSimulator: Service {
    let simulator: CameraSimulator

    /// Binds the simulator for `cameras` feeds on `port`, captioning feed `n` with `captions[n]`.
    public init(cameras: Int, captions: [Int: String] = [:], clipDirectory: URL? = nil, port: Int, logger: Logger) async throws {
        guard let url = Bundle.module.url(forResource: "demo-clip-640x360-15fps", withExtension: "264", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "demo-clip-640x360-15fps", withExtension: "264")
        else { throw SimulatorError.fileAccess(path: "demo-clip-640x360-15fps.264", reason: "missing from this build") }
        let clip = try SimulatorClip(contentsOf: url, codec: .h264, frameRate: 15)
        let count = max(1, min(cameras, 999))
        var own: [Int: SimulatorClip] = [:]
        if let clipDirectory {
            own = await Self.captionedClips(captions.filter { (1...count).contains($0.key) }, in: clipDirectory, logger: logger)
        }
        simulator = try await CameraSimulator(
            configuration: CameraSimulator.Configuration(host: "127.0.0.1", port: port, cameraCount: count),
            clip: clip, cameraClips: own, logger: logger)
    }

    /// Makes (or reuses) one captioned clip per feed, two ffmpeg runs at a time. Feeds whose clip fails keep the shipped
    /// clip; the first failure is logged with its reason and the rest are counted.
    static func captionedClips(_ captions: [Int: String], in directory: URL, logger: Logger) async -> [Int: SimulatorClip] {
        let started = ContinuousClock.now
        var clips: [Int: SimulatorClip] = [:]
        var failures: [String] = []
        await withTaskGroup(of: (Int, Result<SimulatorClip, SimulatorError>).self) { group in
            var pending = captions.sorted { $0.key < $1.key }.makeIterator()
            func startNext() {
                guard let (number, caption) = pending.next() else { return }
                group.addTask {
                    do throws(SimulatorError) {
                        let clip = try await SimulatorClip.generate(
                            codec: .h264, width: 640, height: 360, fps: 15, seconds: 4, bitrate: 300_000,
                            caption: String(format: "%03d  ", number) + caption, into: directory, logger: logger)
                        return (number, .success(clip))
                    } catch {
                        return (number, .failure(error))
                    }
                }
            }
            startNext()
            startNext()
            for await (number, result) in group {
                switch result {
                case .success(let clip): clips[number] = clip
                case .failure(let error): failures.append("feed \(number): \(error)")
                }
                startNext()
            }
        }
        if let first = failures.first {
            logger.warning(
                "some demo feeds show the shared clip instead of their camera's name",
                metadata: ["failed": "\(failures.count)", "first": "\(first)"])
        }
        logger.info("demo feeds ready", metadata: ["captioned": "\(clips.count)", "seconds": "\(ContinuousClock.now - started)"])
        return clips
    }

    /// Serves until shutdown.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await simulator.run()
        }
    }
}
