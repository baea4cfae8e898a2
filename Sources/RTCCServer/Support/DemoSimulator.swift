import Foundation
import Logging
import RTCCMedia
import ServiceLifecycle

/// Serves the demo city's camera feeds: a looped 640×360, 15 fps H.264 test pattern with a burned-in clock,
/// shipped with the server, at `rtsp://127.0.0.1:PORT/cam001…` (the demo cameras' stream URLs).
public struct DemoSimulator: Service {
    let simulator: CameraSimulator

    /// Binds the simulator for `cameras` feeds on `port`.
    public init(cameras: Int, port: Int, logger: Logger) async throws {
        guard let url = Bundle.module.url(forResource: "demo-clip-640x360-15fps", withExtension: "264", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "demo-clip-640x360-15fps", withExtension: "264")
        else { throw SimulatorError.fileAccess(path: "demo-clip-640x360-15fps.264", reason: "missing from this build") }
        let clip = try SimulatorClip(contentsOf: url, codec: .h264, frameRate: 15)
        simulator = try await CameraSimulator(
            configuration: CameraSimulator.Configuration(host: "127.0.0.1", port: port, cameraCount: max(1, min(cameras, 999))),
            clip: clip, logger: logger)
    }

    /// Serves until shutdown.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await simulator.run()
        }
    }
}
