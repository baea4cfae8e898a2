import Foundation
import Logging
import Testing

@testable import RTCCMedia

/// CPU cost of the simulator, measured with `getrusage` over the whole test process (clients and any suites
/// running alongside included), so the figures are logged rather than asserted; the test checks delivery.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SimulatorBenchmarkTests {
    static let logger = Logger(label: "rtcc.media.simulator-benchmark")

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Runs `body` and returns the CPU seconds used per wall-clock second.
    static func cpuShare(over seconds: Double, _ body: @escaping @Sendable () async throws -> Void) async throws -> Double {
        let cpuBefore = processCPUSeconds()
        let started = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - started
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (processCPUSeconds() - cpuBefore) / max(wall, seconds)
    }

    @Test func twentyCamerasServeOneTCPViewerEach() async throws {
        let clip = try await SimulatorFixture.clip(width: 640, height: 360)
        let result = try await SimulatorFixture.withSimulator(cameras: 20, clip: clip) { simulator in
            let idle = try await Self.cpuShare(over: 2) { try await Task.sleep(for: .seconds(2)) }
            Self.logger.info("20 cameras, no viewers", metadata: ["cpu": "\(Int(idle * 100))%"])
            let packets = SimulatorRecorder(0)
            let share = try await Self.cpuShare(over: 4) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for camera in 1...20 {
                        group.addTask {
                            let client = try RTSPClient(url: simulator.url(camera: camera))
                            try await client.withEvents { events in
                                let end = ContinuousClock.now + .seconds(4)
                                for await event in events {
                                    if case .rtp = event { packets.update { $0 += 1 } }
                                    if ContinuousClock.now >= end { return }
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            return (share, packets.value)
        }
        Self.logger.info("20 cameras, 1 TCP viewer each (client in process)", metadata: ["cpu": "\(Int(result.0 * 100))%", "packets": "\(result.1)"])
        #expect(result.1 > 20 * 25 * 2, "viewers got \(result.1) packets")
    }
}
