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
/// capacities of the live, active recording nodes, never above its own capacity. A node that stops heartbeating loses
/// its cameras to the others once their leases expire.
///
/// Cameras move between live nodes **make-before-break**: the owner offers a camera (it drains, stops, or holds more
/// than its share); a node with room takes the offer and records the camera under a pending epoch; once a segment of
/// it is stored, the owner stops its recorder and completes the hand-over, which begins the new epoch. The two
/// recordings overlap by about a round; playback and export show the overlap once.
///
/// A camera flagged redundant has a second lease (copy 1), filled like the first but never by the node that holds or
/// takes over the other copy: two nodes record it at once, and losing either loses nothing of it.
///
/// While the database cannot be reached the node keeps recording what it holds (nobody can take a lease without the
/// database; segment reports wait in the recorder's journal, and the index refuses any whose lease another node took
/// meanwhile); after it comes back the node waits one lease time before claiming more, so the others renew theirs first.
public actor ClusterMembership {
    /// This node's settings.
    public let settings: ClusterSettings
    /// This process: a restarted node is a new instance under the same name.
    public let instance = UUID()
    private let store: Store
    private let logger: Logger
    /// Cameras whose lease this node holds and records, with the copy and epoch.
    private var owned: [UUID: HeldLease] = [:]
    /// Cameras this node is taking over (pending epochs): recorded already, not yet its own.
    private var incoming: [UUID: HeldLease] = [:]
    /// Cameras handed to a ready successor: their recorders are stopping; the hand-over completes once they have.
    private var handingOver: [UUID: ContinuousClock.Instant] = [:]
    /// Cameras no longer to be recorded: their recorders are stopping; the lease is held (so nobody begins a new epoch
    /// before the last segment is sealed) and given up once they have.
    private var releasing: [UUID: ContinuousClock.Instant] = [:]
    /// Cameras of `handingOver` and `releasing` whose recorder has stopped.
    private var stoppedRecorders: Set<UUID> = []
    private var wanted: Set<UUID> = []
    /// Of `wanted`, the cameras recorded twice (a second copy's lease, on another node).
    private var redundant: Set<UUID> = []
    private var ensured: Set<LeaseKey> = []
    private var reachableSince: ContinuousClock.Instant?
    /// Whether the database was unreachable since this node registered.
    private var recoveredFromOutage = false
    private var draining = false
    private var shuttingDown = false
    private var leaving = false
    /// Rounds completed (whatever their outcome).
    private var rounds = 0
    /// Signalled whenever the cameras to record change.
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

    /// The cameras this node should record (the recordable ones, whoever holds them), and of them those recorded twice;
    /// the next round claims within them.
    public func want(_ cameraIDs: Set<UUID>, redundant: Set<UUID> = []) {
        wanted = cameraIDs
        self.redundant = redundant.intersection(cameraIDs)
    }

    /// Every lease the cluster should fill: copy 0 of each wanted camera, copy 1 of each redundant one.
    private var wantedKeys: Set<LeaseKey> {
        Set(wanted.map { LeaseKey(cameraID: $0, copy: 0) }).union(redundant.map { LeaseKey(cameraID: $0, copy: 1) })
    }

    /// The recording right of each camera this node records now: those it holds, and those it is taking over.
    public func fences() -> [UUID: RecordingFence] {
        var fences = owned.mapValues { RecordingFence(holder: name, epoch: $0.epoch, copy: $0.copy) }
        for (id, held) in incoming where fences[id] == nil { fences[id] = RecordingFence(holder: name, epoch: held.epoch, copy: held.copy) }
        return fences
    }

    /// Told by the supervisor when a camera's recorder has stopped (sealed its segment).
    public func recorderStopped(_ cameraID: UUID) {
        if handingOver[cameraID] != nil || releasing[cameraID] != nil { stoppedRecorders.insert(cameraID) }
    }

    /// Whether this node still holds `cameraID` under `fence` (the same copy and epoch: epochs count per copy) after a
    /// lease round that starts after this call (or two lease times, when no round completes: then what it last knew).
    public func confirmsLease(of cameraID: UUID, fence: RecordingFence) async -> Bool {
        let seen = rounds
        let deadline = ContinuousClock.now + .seconds(leaseSeconds * 2)
        while rounds < seen + 2, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let held = HeldLease(copy: fence.copy, epoch: fence.epoch)
        return fence.holder == name && (owned[cameraID] == held || incoming[cameraID] == held)
    }

    /// Runs rounds until cancelled.
    public func run() async {
        while !Task.isCancelled, !leaving {
            await round()
            try? await Task.sleep(for: roundInterval)
        }
    }

    /// One round: heartbeat, renew, release, hand over, take over, claim.
    public func round() async {
        let before = fences()
        defer {
            rounds += 1
            changed(from: before)
        }
        do {
            guard let state = try await store.cluster.heartbeat(name: name, instance: instance) else {
                // Taken for dead and replaced by a new process of the same name: stop recording, then try to rejoin.
                logger.error("cluster node name was taken over by another process; recording stopped", metadata: ["node": "\(name)"])
                owned = [:]
                incoming = [:]
                try await store.cluster.register(
                    name: name, instance: instance, capacity: settings.capacity, roles: settings.roles.sorted(), url: settings.url,
                    staleAfter: leaseSeconds)
                return
            }
            if reachableSince == nil { reachableSince = .now }
            let wasDraining = draining
            draining = state == "draining" || shuttingDown || !settings.records
            let missing = wantedKeys.subtracting(ensured)
            if !missing.isEmpty {
                try await store.cluster.ensureLeases(Array(missing))
                ensured.formUnion(missing)
            }
            let renewed = try await store.cluster.renew(node: name, leaseSeconds: leaseSeconds)
            handingOver = handingOver.filter { renewed[$0.key] != nil }
            releasing = releasing.filter { renewed[$0.key] != nil }
            stoppedRecorders.formIntersection(Set(handingOver.keys).union(releasing.keys))
            owned = renewed.filter { handingOver[$0.key] == nil && releasing[$0.key] == nil }
            // Cameras no longer to be recorded (or no longer twice, for a second copy): their recorders stop, and the
            // lease is given up once they have sealed their segments (or after two lease times).
            for (id, held) in owned where !wantedKeys.contains(LeaseKey(cameraID: id, copy: held.copy)) {
                owned[id] = nil
                releasing[id] = .now
            }
            changed(from: before)
            let now = ContinuousClock.now
            let released = releasing.filter { stoppedRecorders.contains($0.key) || now - $0.value > .seconds(leaseSeconds * 2) }.map(\.key)
            if !released.isEmpty {
                try await store.cluster.release(node: name, cameraIDs: released)
                for id in released {
                    releasing[id] = nil
                    stoppedRecorders.remove(id)
                }
            }
            try await handOver(wasDraining: wasDraining)
            try await takeOver()
        } catch let error as ClusterError {
            logger.error("cluster round refused", metadata: ["node": "\(name)", "error": "\(error)"])
        } catch {
            if reachableSince != nil {
                logger.error("cluster database unreachable; recording what this node holds", metadata: ["node": "\(name)", "error": "\(String(reflecting: error))"])
            }
            reachableSince = nil
            recoveredFromOutage = true
        }
    }

    /// The owner's side: offers cameras (all while draining, the excess over its share otherwise), stops the recorders
    /// of cameras whose successor records them, and completes the hand-overs of those that stopped.
    private func handOver(wasDraining: Bool) async throws {
        if draining {
            try await store.cluster.offer(node: name)
        } else {
            if wasDraining { try await store.cluster.withdrawOffers(node: name) }
            if steady, !owned.isEmpty {
                let excess = owned.count - (try await share())
                if excess > 0 { try await store.cluster.offer(node: name, limit: excess) }
            }
        }
        try await store.cluster.abandonHandoversToDeadNodes(node: name, staleAfter: leaseSeconds)
        for id in try await store.cluster.readyHandovers(node: name) where owned[id] != nil {
            owned[id] = nil
            handingOver[id] = .now
        }
        let now = ContinuousClock.now
        for (id, since) in handingOver where stoppedRecorders.contains(id) || now - since > .seconds(leaseSeconds * 2) {
            if try await store.cluster.completeHandover(node: name, cameraID: id, leaseSeconds: leaseSeconds) {
                logger.info("camera handed over", metadata: ["node": "\(name)", "camera": "\(id)"])
            }
            handingOver[id] = nil
            stoppedRecorders.remove(id)
        }
    }

    /// The successor's side: the cameras being taken over, then free leases and offers up to this node's share.
    private func takeOver() async throws {
        let keys = wantedKeys
        if settings.records, !draining, steady {
            // An owner that died during a hand-over to this node never completes it: this node, which records the
            // camera already, makes the pending epoch its own (nobody else may claim it while this node lives).
            let adopted = try await store.cluster.adoptOrphanedHandovers(node: name, leaseSeconds: leaseSeconds)
            if !adopted.isEmpty {
                logger.notice("cluster node adopts cameras whose owner died during their hand-over", metadata: ["node": "\(name)", "cameras": "\(adopted.count)"])
                owned.merge(adopted) { $1 }
            }
        }
        incoming = try await store.cluster.incoming(node: name).filter {
            keys.contains(LeaseKey(cameraID: $0.key, copy: $0.value.copy)) && owned[$0.key] == nil
        }
        guard settings.records, !draining, steady else { return }
        var room = try await share() - owned.count - incoming.count
        // Copy 0 first, then the second copies; one copy of a camera per call (the store refuses a camera's other copy
        // to a node that holds one).
        for copy in 0...1 where room > 0 {
            let free = (copy == 0 ? wanted : redundant).filter { owned[$0] == nil && incoming[$0] == nil }.shuffled()
                .map { LeaseKey(cameraID: $0, copy: copy) }
            let claimed = try await store.cluster.claim(node: name, among: free, limit: room, leaseSeconds: leaseSeconds)
            if !claimed.isEmpty {
                logger.info("cluster node claimed cameras", metadata: ["node": "\(name)", "cameras": "\(claimed.count)", "copy": "\(copy)"])
                owned.merge(claimed) { $1 }
                room -= claimed.count
            }
            guard room > 0 else { break }
            let offered = free.filter { claimed[$0.cameraID] == nil }
            let taken = try await store.cluster.takeOffered(node: name, among: offered, limit: room)
            if !taken.isEmpty {
                logger.info("cluster node takes over offered cameras", metadata: ["node": "\(name)", "cameras": "\(taken.count)", "copy": "\(copy)"])
                incoming.merge(taken) { $1 }
                room -= taken.count
            }
        }
        try await takeBarredCopies()
    }

    /// A redundant camera's copy that only some nodes may take (the other copy is on another node) can be left with no
    /// taker when those nodes are at their share: this node takes such copies, free or offered by a draining node,
    /// above its share up to its capacity. Rebalancing later offers its excess to nodes with room.
    private func takeBarredCopies() async throws {
        guard !redundant.isEmpty else { return }
        var spare = settings.capacity - owned.count - incoming.count
        for copy in 0...1 where spare > 0 {
            let keys = redundant.filter { owned[$0] == nil && incoming[$0] == nil }.map { LeaseKey(cameraID: $0, copy: copy) }
            let claimed = try await store.cluster.claim(node: name, among: keys, limit: spare, leaseSeconds: leaseSeconds, onlyConstrained: true)
            owned.merge(claimed) { $1 }
            spare -= claimed.count
            let taken = try await store.cluster.takeOffered(
                node: name, among: keys.filter { claimed[$0.cameraID] == nil }, limit: spare, onlyConstrained: true)
            incoming.merge(taken) { $1 }
            spare -= taken.count
            if !claimed.isEmpty || !taken.isEmpty {
                logger.info(
                    "cluster node takes copies no node with room may take", metadata: ["node": "\(name)", "cameras": "\(claimed.count + taken.count)", "copy": "\(copy)"])
            }
        }
    }

    /// Whether the database has answered long enough for the others to have renewed their leases: a lease time, and
    /// after an outage at least 10 s (every node's connection pool must reconnect first).
    private var steady: Bool {
        guard let since = reachableSince else { return false }
        let settle = recoveredFromOutage ? max(leaseSeconds, Self.outageSettleSeconds) : leaseSeconds
        return ContinuousClock.now - since >= .seconds(settle)
    }

    /// How long a node waits, after the database comes back from an outage, before it claims other nodes' cameras.
    static let outageSettleSeconds = 10.0

    /// This node's share of the wanted leases (a redundant camera counts twice): split by the capacities of the live,
    /// active recording nodes (this one included), rounded up, at most its capacity.
    private func share() async throws -> Int {
        let nodes = try await store.cluster.nodes(staleAfter: leaseSeconds)
        let recording = nodes.filter { $0.alive && $0.state == "active" && $0.roles.contains("record") }
        let total = recording.map(\.capacity).reduce(0, +)
        guard total > 0, recording.contains(where: { $0.name == name }) else { return 0 }
        let leases = wanted.count + redundant.count
        let fair = (leases * settings.capacity + total - 1) / total
        return min(settings.capacity, fair)
    }

    /// Hands every camera to the other nodes before a shutdown, make-before-break, for up to `limit`: returns how many
    /// this node still holds (given up by ``leave()``), 0 when all were handed over.
    public func handOverAll(within limit: Duration) async -> Int {
        shuttingDown = true
        logger.notice(
            "cluster node handing its cameras over before it stops",
            metadata: ["node": "\(name)", "owned": "\(owned.count)", "incoming": "\(incoming.count)", "handingOver": "\(handingOver.count)"])
        do {
            try await store.cluster.setState(name: name, state: "draining")
        } catch {
            logger.error("cluster node could not mark itself draining", metadata: ["error": "\(String(reflecting: error))"])
        }
        let deadline = ContinuousClock.now + limit
        // Two rounds first: what this node holds may have changed since the last one (a hand-over to it completed).
        let seen = rounds
        while rounds < seen + 2 || !(owned.isEmpty && handingOver.isEmpty), ContinuousClock.now < deadline {
            let others: [NodeRecord]
            do {
                others = try await store.cluster.nodes(staleAfter: leaseSeconds).filter {
                    $0.name != name && $0.alive && $0.state == "active" && $0.roles.contains("record")
                }
            } catch {
                break
            }
            if others.isEmpty { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        logger.notice("cluster node handed its cameras over", metadata: ["node": "\(name)", "kept": "\(owned.count + handingOver.count)"])
        return owned.count + handingOver.count
    }

    /// Leaves the cluster at shutdown, once the recorders have sealed their segments: completes hand-overs whose
    /// recorder stopped, gives up every other lease (the others claim them at once) and marks the node stopped.
    public func leave() async {
        leaving = true
        do {
            for id in handingOver.keys {
                try await store.cluster.completeHandover(node: name, cameraID: id, leaseSeconds: leaseSeconds)
            }
            // Every lease still under this node's name, whatever this process last knew.
            try await store.cluster.release(node: name, cameraIDs: nil)
            try await store.cluster.stopped(name: name, instance: instance)
            logger.notice("cluster node left", metadata: ["node": "\(name)", "released": "\(owned.count)"])
        } catch {
            logger.error("cluster node could not release its leases; they expire by themselves", metadata: ["error": "\(String(reflecting: error))"])
        }
        owned = [:]
        incoming = [:]
        handingOver = [:]
        releasing = [:]
    }

    private func changed(from before: [UUID: RecordingFence]) {
        if fences() != before { Task { await changes.signal() } }
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
