import Foundation

/// Wakes whoever follows the camera registry (the ``RecorderSupervisor`` through ``wait(upTo:)``, the
/// ``AnalyticsService`` through ``wait(after:upTo:)``) as soon as sharing changes, instead of at its next periodic
/// re-read: an owner's pause or revocation must stop ingest within seconds.
public actor RegistryWakeup {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    private var released: Set<UUID> = []
    private var pending = false
    private var signals = 0
    /// Second waiters (``wait(after:upTo:)``) and the signal count each has seen.
    private var listeners: [UUID: Int] = [:]

    /// Creates a wakeup with nobody waiting.
    public init() {}

    /// Wakes every waiter now; when no ``wait(upTo:)`` is waiting, the next one returns at once.
    public func signal() {
        signals += 1
        if waiters.keys.allSatisfy({ listeners[$0] != nil }) { pending = true }
        let current = waiters
        waiters = [:]
        for continuation in current.values { continuation.resume() }
    }

    /// Returns after a ``signal()`` (or one that came since the last wait), after `timeout`, or on cancellation.
    public func wait(upTo timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        await sleep(UUID(), upTo: timeout)
    }

    /// How many signals there have been.
    public var signalCount: Int { signals }

    /// For a second waiter beside the one ``wait(upTo:)`` serves: returns the number of signals so far once it exceeds
    /// `seen` (at once if it already does), or after `timeout`. It never takes the pending signal the other waits for.
    public func wait(after seen: Int, upTo timeout: Duration) async -> Int {
        guard signals <= seen else { return signals }
        let id = UUID()
        listeners[id] = seen
        await sleep(id, upTo: timeout)
        listeners[id] = nil
        return signals
    }

    /// Parks waiter `id` until a signal or cancellation releases it, or `timeout` passes.
    private func sleep(_ id: UUID, upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park(id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.release(id)
            }
            await group.next()
            group.cancelAll()
            self.release(id)
        }
        released.remove(id)
    }

    private func park(_ id: UUID) async {
        if released.remove(id) != nil { return }
        // A signal may have come between the caller's check and this: take it rather than sleep through it.
        if let seen = listeners[id] {
            if signals > seen { return }
        } else if pending {
            pending = false
            return
        }
        await withCheckedContinuation { waiters[id] = $0 }
    }

    private func release(_ id: UUID) {
        if let continuation = waiters.removeValue(forKey: id) { continuation.resume() } else { released.insert(id) }
    }
}
