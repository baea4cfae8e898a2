import Foundation
import Testing

@testable import RTCCMedia

/// Recorder events with the instant each was seen, for assertions with deadlines.
actor RecorderEventLog {
    private(set) var entries: [(at: ContinuousClock.Instant, event: CameraRecorderEvent)] = []

    func append(_ event: CameraRecorderEvent) { entries.append((.now, event)) }

    var latestHealth: CameraHealth? {
        for entry in entries.reversed() { if case .health(let health) = entry.event { return health } }
        return nil
    }

    /// The instant of the first event after `after` matching `predicate`.
    func first(after: ContinuousClock.Instant? = nil, _ predicate: (CameraRecorderEvent) -> Bool) -> ContinuousClock.Instant? {
        entries.first { entry in (after.map { entry.at >= $0 } ?? true) && predicate(entry.event) }?.at
    }
}

/// Polls `condition` every 50 ms until it holds, failing with `what` after `seconds`.
func pollUntil(_ seconds: Double, _ what: String, _ condition: @escaping @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw RTSPTestTimeout(what: what)
}

/// Launch lines for the GStreamer fixture.
enum PipelineLaunch {
    static let source = "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=25/1"
    /// The High profile is pinned: left open, the payloader's caps settle on Constrained Baseline
    /// and x264 then drops the B-frames. A short lookahead keeps the media's preroll (and so a
    /// reconnecting DESCRIBE) fast.
    static let h264 =
        "( \(source) ! x264enc bframes=2 b-adapt=false key-int-max=25 rc-lookahead=5 ! video/x-h264,profile=high "
        + "! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    static let h265 =
        "( \(source) ! x265enc speed-preset=ultrafast key-int-max=25 ! rtph265pay name=pay0 pt=96 config-interval=-1 )"
}

/// Starts the GStreamer fixture serving `launch` on `port` (0: any free port).
func startGStreamer(launch: String, port: Int = 0) async throws -> (RTSPPeer.Background, Int) {
    let python = try await RTSPPeer.requireGStreamerPython()
    let server = try RTSPPeer.Background(python, [RTSPGStreamerTests.fixture, "--launch", launch, "\(port)"])
    do {
        let ready = try await server.waitForLine(prefix: "READY ", deadline: 30)
        return (server, try #require(Int(ready.dropFirst("READY ".count))))
    } catch {
        await server.stop()
        throw error
    }
}
