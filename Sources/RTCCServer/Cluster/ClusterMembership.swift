import Foundation
import Logging
import RTCCMedia
import RTCCStore
import ServiceLifecycle

/// This node's membership of a recorder cluster: it registers the node, heartbeats, and holds the leases of the
/// cameras it records, all through PostgreSQL (``ClusterRepository``), the cluster's only coordinator.
///
/// Every round (a sixth of the lease time) it heartbeats, renews every lease it holds, gives up those of cameras no
/// longer to be recorded, and claims free or expired leases up to its share: the recordable cameras split by the
/// capacities of the live recording nodes, never above its own capacity. A node that stops heartbeating loses its
/// cameras to the others once their leases expire. While the database cannot be reached the node keeps recording what
/// it holds (nobody can take a lease without the database; segment reports wait in the recorder's journal, and the
/// index refuses any whose lease another node took meanwhile); after it comes back the node waits one lease time
/// before claiming more, so the others renew theirs first.
public actor ClusterMembership {
    /// This node's settings.
    public let settings: ClusterSettings
    /// This process: a restarted node is a new instance under the same name.
    public let instance = UUID()
    private let store: Store
    private let logger: Logger
    private var owned: [UUID: Int64] = [:]
    private var wanted: Set<UUID> = []
    private var ensured: Set<UUID> = []
    private var reachableSince: ContinuousClock.Instant?
    private var draining = false
    private var leaving = false
    /// Rounds completed (whatever their outcome).
    private var rounds = 0
    /// Signalled whenever the set of held leases changes.
    public let changes = RegistryWakeup()

    /// Creates the membership of the node `settings` names (`settings.nodeName` must be set).
    public init(settings: ClusterSettings, store: Store, logger: Logger) {
        precondition(settings.nodeName != nil, "a cluster membership needs a node name")
        self.settings = settings
        self.store = store
        self.logger = logger
    }

    /// The node's name.
    public nonisolated var name: String { settings.nodeName ?? "" }

    private var leaseSeconds: Double { settings.leaseSeconds }

    /// The pause between two rounds.
    public nonisolated var roundInterval: Duration { .milliseconds(Int64(settings.leaseSeconds * 1000 / 6)) }

    /// Registers the node; throws ``ClusterError/nameInUse(_:)`` while another live process holds the name.
    public func register() async throws {
        try await store.cluster.register(
            name: name, instance: instance, capacity: settings.capacity, roles: settings.roles.sorted(), url: settings.url, staleAfter: leaseSeconds)
        reachableSince = .now
        logger.notice("cluster node registered", metadata: ["node": "\(name)", "capacity": "\(settings.capacity)"])
    }

    /// The cameras this node should record (the recordable ones, whoever holds them); the next round claims within them.
    public func want(_ cameraIDs: Set<UUID>) { wanted = cameraIDs }

    /// The recording right of each camera this node holds now.
    public func fences() -> [UUID: RecordingFence] {
        owned.mapValues { RecordingFence(holder: name, epoch: $0) }
    }

    /// Whether this node still holds `cameraID` under `epoch` after a lease round that starts after this call (or
    /// two lease times, when no round completes: then what it last knew).
    public func confirmsLease(of cameraID: UUID, epoch: Int64) async -> Bool {
        let seen = rounds
        let deadline = ContinuousClock.now + .seconds(leaseSeconds * 2)
        while rounds < seen + 2, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return owned[cameraID] == epoch
    }

    /// Runs rounds until cancelled.
    public func run() async {
        while !Task.isCancelled, !leaving {
            await round()
            try? await Task.sleep(for: roundInterval)
        }
    }

    /// One round: heartbeat, renew, release, claim.
    public func round() async {
        let before = owned
        defer { rounds += 1 }
        do {
            guard let state = try await store.cluster.heartbeat(name: name, instance: instance) else {
                // Taken for dead and replaced by a new process of the same name: stop recording, then try to rejoin.
                logger.error("cluster node name was taken over by another process; recording stopped", metadata: ["node": "\(name)"])
                owned = [:]
                changed(from: before)
                try await store.cluster.register(
                    name: name, instance: instance, capacity: settings.capacity, roles: settings.roles.sorted(), url: settings.url,
                    staleAfter: leaseSeconds)
                return
            }
            if reachableSince == nil { reachableSince = .now }
            draining = state == "draining"
            let missing = wanted.subtracting(ensured)
            if !missing.isEmpty {
                try await store.cluster.ensureLeases(Array(missing))
                ensured.formUnion(missing)
            }
            owned = try await store.cluster.renew(node: name, leaseSeconds: leaseSeconds)
            let unwanted = draining || leaving || !settings.records ? Array(owned.keys) : owned.keys.filter { !wanted.contains($0) }
            if !unwanted.isEmpty {
                // Stop those recorders before giving the leases up, so nothing is written after.
                for id in unwanted { owned[id] = nil }
                changed(from: before)
                try await store.cluster.release(node: name, cameraIDs: unwanted)
            }
            if settings.records, !draining, !leaving, let since = reachableSince, ContinuousClock.now - since >= .seconds(leaseSeconds) {
                let share = try await share()
                if owned.count < share {
                    let free = wanted.filter { owned[$0] == nil }.shuffled()
                    let claimed = try await store.cluster.claim(node: name, among: free, limit: share - owned.count, leaseSeconds: leaseSeconds)
                    if !claimed.isEmpty {
                        logger.info("cluster node claimed cameras", metadata: ["node": "\(name)", "cameras": "\(claimed.count)"])
                        owned.merge(claimed) { $1 }
                    }
                }
            }
        } catch let error as ClusterError {
            logger.error("cluster round refused", metadata: ["node": "\(name)", "error": "\(error)"])
        } catch {
            if reachableSince != nil {
                logger.error("cluster database unreachable; recording what this node holds", metadata: ["node": "\(name)", "error": "\(String(reflecting: error))"])
            }
            reachableSince = nil
        }
        changed(from: before)
    }

    /// This node's share of the wanted cameras: split by the capacities of the live, active recording nodes (this
    /// one included), rounded up, at most its capacity.
    private func share() async throws -> Int {
        let nodes = try await store.cluster.nodes(staleAfter: leaseSeconds)
        let recording = nodes.filter { $0.alive && $0.state == "active" && $0.roles.contains("record") }
        let total = recording.map(\.capacity).reduce(0, +)
        guard total > 0 else { return 0 }
        let fair = (wanted.count * settings.capacity + total - 1) / total
        return min(settings.capacity, fair)
    }

    /// Leaves the cluster at shutdown, once the recorders have sealed their segments: gives up every lease (the others
    /// claim them at once) and marks the node stopped.
    public func leave() async {
        leaving = true
        let held = Array(owned.keys)
        owned = [:]
        do {
            try await store.cluster.release(node: name, cameraIDs: held)
            try await store.cluster.stopped(name: name, instance: instance)
            logger.notice("cluster node left", metadata: ["node": "\(name)", "released": "\(held.count)"])
        } catch {
            logger.error("cluster node could not release its leases; they expire by themselves", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Stops taking part in rounds (the recorders are stopping): no lease is renewed or claimed after this.
    public func stopRounds() { leaving = true }

    private func changed(from before: [UUID: Int64]) {
        if owned != before { Task { await changes.signal() } }
    }
}

/// Keeps a node that does not record (role `api` only) registered and heartbeating, so it is listed with the others.
struct ClusterNodeService: Service {
    let membership: ClusterMembership

    func run() async throws {
        try await membership.register()
        await cancelWhenGracefulShutdown { await membership.run() }
        await Task { await membership.leave() }.value
    }
}
