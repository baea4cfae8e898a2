import Foundation
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

    init(store: Store) { self.store = store }

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
                let created = try await store.leadEvents.store(batch.map(\.0))
                for ((_, waiter), new) in zip(batch, created) { waiter.resume(returning: new) }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
        writing = false
    }
}
