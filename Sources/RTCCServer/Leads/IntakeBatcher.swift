import Foundation
import Prometheus
import RTCCCore
import RTCCStore

/// Group commit for intake: events (with their alerts) that arrive while a transaction is being written wait and go
/// into the next one together, so a busy feed costs one commit per batch instead of several per event. Each caller is
/// answered only once its event is durably stored.
actor IntakeBatcher {
    private typealias Waiter = CheckedContinuation<Bool, any Error>

    private let store: Store
    private var pending: [(LeadEventRepository.Arrival, Waiter)] = []
    private var writing = false
    /// Largest batch written in one transaction.
    static let maximumBatch = LeadEventRepository.maximumBatch

    /// How long each transaction took, and how many events it held (`rtcc_intake_commit_seconds`,
    /// `rtcc_intake_batch_events`): the single SQLite connection's load under a busy feed.
    private let commitSeconds: DurationHistogram
    private let batchEvents: ValueHistogram

    init(store: Store, metrics: PrometheusCollectorRegistry) {
        self.store = store
        commitSeconds = metrics.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "rtcc", subsystem: "intake", metricName: "commit", unitName: "seconds",
                helpText: "Time to store one batch of intake events with their alerts and audit entries"),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .seconds(1)])
        batchEvents = metrics.makeValueHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "rtcc", subsystem: "intake", metricName: "batch", unitName: "events", helpText: "Intake events stored together in one transaction"),
            buckets: [1, 2, 5, 10, 20, 50, 100, 256])
    }

    /// Stores `arrival`; true when the event is new (and its alert was stored), false when it was stored before.
    func store(_ arrival: LeadEventRepository.Arrival) async throws -> Bool {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            pending.append((arrival, waiter))
            if !writing {
                writing = true
                Task(priority: .high) { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maximumBatch))
            pending.removeFirst(batch.count)
            do {
                let started = ContinuousClock.now
                let created = try await store.leadEvents.store(batch.map(\.0))
                commitSeconds.record(ContinuousClock.now - started)
                batchEvents.record(Double(batch.count))
                for ((_, waiter), new) in zip(batch, created) { waiter.resume(returning: new) }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
        writing = false
    }
}
