/// Drives a fleet of simulated cameras from one task: it wakes when a frame is due, at most once a ``tick``, and sends
/// each camera's due frames.
///
/// One timer for the fleet rather than one per camera: at 400 cameras and 25 fps that is 200 wake-ups a second
/// instead of 10 000, and the simulator's own cost stops limiting what a benchmark can show. Frames go out up to one
/// tick late, well within a real camera's jitter. Each camera starts at its own phase within one frame interval, as
/// unsynchronised real cameras do, so the fleet's pictures are spread over time rather than sent in one burst.
struct SimulatorTicker: Sendable {
    /// The cameras driven.
    let cameras: [SimulatedCamera]
    /// How often the ticker wakes.
    var tick: Duration = .milliseconds(5)

    /// Sends every camera's frames as they fall due until the task is cancelled.
    func run() async {
        let clock = ContinuousClock()
        let start = clock.now
        var generators = cameras.enumerated().map { index, camera in
            SimulatedCamera.Generator(camera: camera, start: start + Self.phase(of: index, among: cameras.count, frameRate: camera.clip.frameRate))
        }
        while !Task.isCancelled {
            let now = clock.now
            var earliest: ContinuousClock.Instant?
            for index in generators.indices {
                generators[index].sendDueFrames(now: now)
                let next = generators[index].nextDue
                earliest = min(earliest ?? next, next)
            }
            // The next frame due, but no sooner than a tick from now: a small fleet sleeps a whole frame interval, a
            // large one wakes once a tick, and an overloaded one skips the ticks it missed rather than run them back
            // to back.
            let wake = max(earliest ?? now + tick, now + tick)
            do {
                try await clock.sleep(until: wake, tolerance: nil)
            } catch {
                return  // cancelled
            }
        }
    }

    /// Camera `index`'s start after the fleet's: its share of one frame interval.
    static func phase(of index: Int, among count: Int, frameRate: Double) -> Duration {
        guard count > 0, frameRate > 0 else { return .zero }
        return .nanoseconds(Int64((Double(index) / Double(count) / frameRate * 1e9).rounded()))
    }
}
