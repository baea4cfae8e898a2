import Foundation

/// Asks the database a real question, waiting at most `timeout` for the answer.
///
/// At most one probe is in flight: callers that arrive while one runs share it, so a hung database never piles up
/// health queries. A probe that has not answered within `timeout` is reported as such at once to later callers (with
/// how long it has been waiting) while it keeps running; its eventual answer ends it.
public actor DatabaseProbe {
    /// What the probe found.
    public enum Outcome: Sendable, Equatable {
        /// The database answered `value` after `latency`.
        case answered(value: Int, latency: Duration)
        /// The query failed; `error` is for the log, not for callers.
        case failed(error: String)
        /// No answer yet after `waited`.
        case noAnswer(waited: Duration)
    }

    private let query: @Sendable () async throws -> Int
    private let timeout: Duration
    private let clock = ContinuousClock()
    private var startedAt: ContinuousClock.Instant?
    private var waiters: [UUID: CheckedContinuation<Outcome, Never>] = [:]

    /// A probe running `query` (it answers a number, such as a count of rows), waiting up to `timeout` for it.
    public init(timeout: Duration = .seconds(2), query: @escaping @Sendable () async throws -> Int) {
        self.timeout = timeout
        self.query = query
    }

    /// Probes the database (or joins the probe in flight) and waits for its answer, at most until the probe is
    /// `timeout` old.
    public func check() async -> Outcome {
        let started: ContinuousClock.Instant
        if let startedAt {
            started = startedAt
        } else {
            started = clock.now
            startedAt = started
            let query = query
            // Not tied to the request: a probe outlives a caller that gave up, so the next caller joins it.
            Task {
                let outcome: Outcome
                do {
                    let value = try await query()
                    outcome = .answered(value: value, latency: ContinuousClock.now - started)
                } catch {
                    outcome = .failed(error: String(reflecting: error))
                }
                self.finish(outcome)
            }
        }
        let waited = clock.now - started
        if waited >= timeout { return .noAnswer(waited: waited) }
        let id = UUID()
        let remaining = timeout - waited
        return await withCheckedContinuation { continuation in
            waiters[id] = continuation
            Task {
                try? await Task.sleep(for: remaining)
                self.expire(id, started: started)
            }
        }
    }

    private func finish(_ outcome: Outcome) {
        startedAt = nil
        let waiting = waiters
        waiters = [:]
        for continuation in waiting.values { continuation.resume(returning: outcome) }
    }

    private func expire(_ id: UUID, started: ContinuousClock.Instant) {
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        continuation.resume(returning: .noAnswer(waited: clock.now - started))
    }
}
