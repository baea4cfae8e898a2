import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

/// Clips and a running ``CameraSimulator`` for the simulator and probe tests.
enum SimulatorFixture {
    /// Where generated clips are cached between test runs.
    static let clipDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-simulator-test-clips")

    /// A small test-pattern clip (made once with ffmpeg, then cached); fails naming ffmpeg if it is missing.
    static func clip(_ codec: VideoCodec = .h264, width: Int = 320, height: Int = 240, fps: Int = 25, seconds: Int = 4) async throws
        -> SimulatorClip
    {
        try await SimulatorClip.generate(
            codec: codec, width: width, height: height, fps: fps, seconds: seconds, bitrate: 400_000, into: clipDirectory)
    }

    /// Runs a simulator on a free loopback port while `body` runs.
    static func withSimulator<T: Sendable>(
        cameras: Int = 1, clip: SimulatorClip, subClip: SimulatorClip? = nil,
        _ body: @escaping @Sendable (CameraSimulator) async throws -> T
    ) async throws -> T {
        let simulator = try await CameraSimulator(configuration: .init(cameraCount: cameras), clip: clip, subClip: subClip)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            defer { group.cancelAll() }
            return try await body(simulator)
        }
    }
}

/// Plays `url`, handing each event to `handle` until it returns `true`; fails if that takes over `seconds`
/// or the events end first.
func simulatorWatch(
    url: String, transport: RTSPTransportPreference = .tcp, seconds: Double = 20, until what: String,
    _ handle: @escaping @Sendable (RTSPMediaEvent) async throws -> Bool
) async throws {
    let client = try RTSPClient(url: url, configuration: .init(transport: transport, mediaTimeout: .seconds(30)))
    try await rtspWithDeadline(seconds, what) {
        try await client.withEvents { events in
            for await event in events {
                if try await handle(event) { return }
            }
            throw RTSPTestTimeout(what: "\(what) (the session ended first)")
        }
    }
}

/// A lock-protected value that `@Sendable` event handlers update.
final class SimulatorRecorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value { lock.withLock { stored } }

    @discardableResult
    func update<R>(_ body: (inout Value) -> R) -> R {
        lock.withLock { body(&stored) }
    }
}
