import FluentKit
import Foundation
import SQLKit

/// A recorder node as the cluster sees it.
public struct NodeRecord: Sendable, Hashable, Codable {
    /// The node's name (`--node`).
    public var name: String
    /// The running process that holds the name (a new one at every start).
    public var instance: UUID
    /// Where other nodes reach it, if given.
    public var url: String?
    /// The most cameras it records; also its weight when cameras are shared out.
    public var capacity: Int
    /// What it does: `record`, `api`.
    public var roles: [String]
    /// `active`, `draining` (handing its cameras to the others) or `stopped`.
    public var state: String
    /// When the process started.
    public var startedAt: Date
    /// Its last heartbeat (database time).
    public var heartbeatAt: Date
    /// Whether it has heartbeated within the staleness limit (database time).
    public var alive: Bool
    /// Cameras whose lease it holds now.
    public var cameras: Int
}

/// One lease of a camera's recording: copy 0 for every recorded camera, and copy 1 as well for a redundant camera
/// (recorded by two nodes at once).
public struct LeaseKey: Sendable, Hashable, Codable {
    /// The camera.
    public var cameraID: UUID
    /// Which copy: 0, or 1 for a redundant camera's second copy.
    public var copy: Int

    /// Names the lease of `copy` of `cameraID`.
    public init(cameraID: UUID, copy: Int) {
        self.cameraID = cameraID
        self.copy = copy
    }
}

/// A lease a node holds (or is taking over): which copy of the camera, under which fencing epoch. A node holds at most
/// one copy of a camera.
public struct HeldLease: Sendable, Hashable, Codable {
    /// Which copy of the camera's recording.
    public var copy: Int
    /// The fencing epoch of that copy's lease.
    public var epoch: Int64

    /// Creates a held lease.
    public init(copy: Int, epoch: Int64) {
        self.copy = copy
        self.epoch = epoch
    }
}

/// One camera's lease.
public struct CameraLease: Sendable, Hashable, Codable {
    /// The camera.
    public var cameraID: UUID
    /// Which copy of its recording (0, or 1 for a redundant camera's second copy).
    public var copy: Int
    /// The owner node, nil when nobody holds it.
    public var node: String?
    /// The fencing epoch: grows at every change of owner.
    public var epoch: Int64
    /// When the lease ends unless renewed (database time).
    public var leaseUntil: Date?
    /// Whether the lease is held and not expired (database time).
    public var held: Bool
}

/// A cluster operation refused for a reason the caller can act on.
public enum ClusterError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Cluster mode runs only on PostgreSQL.
    case needsPostgres
    /// Another live process already runs under this node name.
    case nameInUse(String)
    /// No node of that name is registered.
    case unknownNode(String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .needsPostgres:
            return "cluster mode (a node name) needs PostgreSQL as the shared database: set --database postgres://… (SQLite is for a single server)"
        case .nameInUse(let name):
            return "node name '\(name)' is in use by a running node (it heartbeated within the lease time); choose another name or stop that node first"
        case .unknownNode(let name):
            return "no node named '\(name)' is registered"
        }
    }
}

/// A segment report refused because another node took the camera's lease before the segment ended, or because the
/// lease epoch it names was never granted to that node.
public struct SegmentFenced: Error, Sendable, CustomStringConvertible {
    /// The camera.
    public var cameraID: UUID
    /// The epoch the report carried.
    public var epoch: Int64
    /// Why it was refused.
    public var reason: String

    public var description: String { "segment of camera \(cameraID.uuidString.lowercased()) under epoch \(epoch) refused: \(reason)" }
}

/// The fencing check of a segment report (see ``SegmentRepository/upsert(_:)``).
enum CameraLeaseFence {
    /// Throws ``SegmentFenced`` unless `node` was granted `epoch` for `copy` of the camera and no later epoch of that copy
    /// began before `end`.
    /// Locks the camera's lease row for share (PostgreSQL) until the caller's transaction ends.
    static func check(cameraID: UUID, copy: Int, node: String, epoch: Int64, end: Date, on sql: any SQLDatabase) async throws {
        let lock = sql.dialect.name == "postgresql" ? " FOR SHARE" : ""
        _ = try await sql.raw("""
            SELECT camera_id FROM camera_leases WHERE camera_id = \(bind: cameraID) AND copy = \(bind: copy)\(unsafeRaw: lock)
            """).all()
        let granted = try await sql.raw("""
            SELECT node FROM camera_lease_epochs WHERE camera_id = \(bind: cameraID) AND copy = \(bind: copy) AND epoch = \(bind: epoch)
            """).first()
        guard let holder = try granted?.decode(column: "node", as: String.self), holder == node else {
            throw SegmentFenced(cameraID: cameraID, epoch: epoch, reason: "epoch \(epoch) was never granted to node '\(node)'")
        }
        let next = try await sql.raw("""
            SELECT node, from_at FROM camera_lease_epochs
            WHERE camera_id = \(bind: cameraID) AND copy = \(bind: copy) AND epoch > \(bind: epoch) AND from_at IS NOT NULL
            ORDER BY epoch LIMIT 1
            """).first()
        if let next, try next.decode(column: "from_at", as: Date.self) < end {
            let taker = try next.decode(column: "node", as: String.self)
            throw SegmentFenced(cameraID: cameraID, epoch: epoch, reason: "node '\(taker)' took the lease of copy \(copy) of the camera before the segment's end")
        }
    }
}

/// Nodes and camera leases in PostgreSQL, the cluster's only coordinator. Times are the database's
/// (`clock_timestamp()`), so the nodes' clocks do not decide who holds a lease. Claims use
/// `SELECT … FOR UPDATE SKIP LOCKED`: nodes claiming at once never wait on each other or take the same camera.
public struct ClusterRepository: Sendable {
    let database: any Database
    let isPostgres: Bool

    private var sql: any SQLDatabase { database.sql }

    private func requirePostgres() throws {
        guard isPostgres else { throw ClusterError.needsPostgres }
    }

    /// Registers a starting node under `name`; refuses (``ClusterError/nameInUse(_:)``) while another instance of that
    /// name heartbeated within `staleAfter` seconds and did not stop.
    public func register(name: String, instance: UUID, capacity: Int, roles: [String], url: String?, staleAfter: Double) async throws {
        try requirePostgres()
        let rows = try await sql.raw("""
            INSERT INTO nodes (name, instance, url, capacity, roles, state, started_at, heartbeat_at)
            VALUES (\(bind: name), \(bind: instance), \(bind: url), \(bind: capacity), \(bind: roles.joined(separator: ",")), 'active',
                    clock_timestamp(), clock_timestamp())
            ON CONFLICT (name) DO UPDATE SET instance = EXCLUDED.instance, url = EXCLUDED.url, capacity = EXCLUDED.capacity,
                roles = EXCLUDED.roles, state = 'active', started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at
            WHERE nodes.state = 'stopped' OR nodes.heartbeat_at < clock_timestamp() - make_interval(secs => \(bind: staleAfter))
            RETURNING name
            """).all()
        guard !rows.isEmpty else { throw ClusterError.nameInUse(name) }
    }

    /// Records a heartbeat of the node's running instance; returns its state (`active`, `draining`), or nil when the
    /// name now belongs to another instance (this one was taken for dead and replaced).
    public func heartbeat(name: String, instance: UUID) async throws -> String? {
        try requirePostgres()
        let row = try await sql.raw("""
            UPDATE nodes SET heartbeat_at = clock_timestamp() WHERE name = \(bind: name) AND instance = \(bind: instance) RETURNING state
            """).first()
        return try row?.decode(column: "state", as: String.self)
    }

    /// Sets a node's state: `draining` hands its cameras to the others; `active` takes it back into the share-out.
    public func setState(name: String, state: String) async throws {
        try requirePostgres()
        let rows = try await sql.raw("UPDATE nodes SET state = \(bind: state) WHERE name = \(bind: name) RETURNING name").all()
        guard !rows.isEmpty else { throw ClusterError.unknownNode(name) }
    }

    /// Marks the instance stopped (a clean shutdown): its name is free at once.
    public func stopped(name: String, instance: UUID) async throws {
        try requirePostgres()
        try await sql.raw("UPDATE nodes SET state = 'stopped' WHERE name = \(bind: name) AND instance = \(bind: instance)").run()
    }

    /// Every registered node, with whether it is alive (heartbeat within `staleAfter` seconds, not stopped) and the
    /// number of cameras it holds.
    public func nodes(staleAfter: Double) async throws -> [NodeRecord] {
        try requirePostgres()
        let rows = try await sql.raw("""
            SELECT n.name, n.instance, n.url, n.capacity, n.roles, n.state, n.started_at, n.heartbeat_at,
                   (n.state <> 'stopped' AND n.heartbeat_at >= clock_timestamp() - make_interval(secs => \(bind: staleAfter))) AS alive,
                   (SELECT count(*) FROM camera_leases l WHERE l.node = n.name AND l.lease_until > clock_timestamp()) AS cameras
            FROM nodes n ORDER BY n.name
            """).all()
        return try rows.map { row in
            NodeRecord(
                name: try row.decode(column: "name", as: String.self), instance: try row.decode(column: "instance", as: UUID.self),
                url: try row.decode(column: "url", as: String?.self), capacity: try row.decode(column: "capacity", as: Int.self),
                roles: try row.decode(column: "roles", as: String.self).split(separator: ",").map(String.init),
                state: try row.decode(column: "state", as: String.self), startedAt: try row.decode(column: "started_at", as: Date.self),
                heartbeatAt: try row.decode(column: "heartbeat_at", as: Date.self), alive: try row.decode(column: "alive", as: Bool.self),
                cameras: Int(try row.decode(column: "cameras", as: Int64.self)))
        }
    }

    /// Creates each lease row of `keys` that does not exist yet (held by nobody, epoch 0).
    public func ensureLeases(_ keys: [LeaseKey]) async throws {
        try requirePostgres()
        for chunk in keys.chunked(by: 500) where !chunk.isEmpty {
            let values = chunk.map { "(\(bind: $0.cameraID), \(bind: $0.copy), 0)" as SQLQueryString }.joined(separator: ", ")
            try await sql.raw("INSERT INTO camera_leases (camera_id, copy, epoch) VALUES \(values) ON CONFLICT (camera_id, copy) DO NOTHING").run()
        }
    }

    /// `(camera_id, copy) IN (…)` for `keys`.
    private static func among(_ keys: ArraySlice<LeaseKey>) -> SQLQueryString {
        let values = keys.map { "(\(bind: $0.cameraID), \(bind: $0.copy))" as SQLQueryString }.joined(separator: ", ")
        return "(camera_id, copy) IN (\(values))"
    }

    /// Another copy of the camera of the `camera_leases` row is held (by some node).
    private static var otherCopyHeld: SQLQueryString {
        """
        EXISTS (SELECT 1 FROM camera_leases o WHERE o.camera_id = camera_leases.camera_id AND o.copy <> camera_leases.copy
                AND o.node IS NOT NULL)
        """
    }

    /// The node named in `column` (a column of the row at hand) is live: not stopped (with `activeOnly`, neither
    /// draining) and heartbeating within the last `seconds`.
    private static func isLive(node column: String, within seconds: Double, activeOnly: Bool = false) -> SQLQueryString {
        let state: SQLQueryString = activeOnly ? "n.state = 'active'" : "n.state <> 'stopped'"
        return """
            EXISTS (SELECT 1 FROM nodes n WHERE n.name = \(unsafeRaw: column) AND \(state)
                    AND n.heartbeat_at >= clock_timestamp() - make_interval(secs => \(bind: seconds)))
            """
    }

    /// No other copy of the camera of the `camera_leases` row is held or being taken over by `node`: a node records a
    /// camera once, so a redundant camera's two copies are always on two nodes.
    private static func noOtherCopy(of node: String) -> SQLQueryString {
        """
        NOT EXISTS (SELECT 1 FROM camera_leases o WHERE o.camera_id = camera_leases.camera_id AND o.copy <> camera_leases.copy
                    AND (o.node = \(bind: node) OR o.next_node = \(bind: node)))
        """
    }

    /// Extends every lease `node` still holds (expired or not, as long as nobody took it) by `leaseSeconds`; returns
    /// each camera it holds with its copy and epoch. A camera missing from the answer was taken by another node.
    public func renew(node: String, leaseSeconds: Double) async throws -> [UUID: HeldLease] {
        try requirePostgres()
        let rows = try await sql.raw("""
            UPDATE camera_leases SET lease_until = clock_timestamp() + make_interval(secs => \(bind: leaseSeconds))
            WHERE node = \(bind: node) RETURNING camera_id, copy, epoch
            """).all()
        return try Self.leases(rows)
    }

    /// Claims up to `limit` of the leases `keys` names (at most one copy of a camera) whose lease nobody holds, or has
    /// expired while its owner has not heartbeated for `leaseSeconds` either (an owner back from a database outage
    /// renews its own), for `leaseSeconds`: each gets a new epoch of its copy, recorded with the time it began. Rows
    /// another node is claiming at the same moment are skipped, and so is a copy of a camera whose other copy `node`
    /// holds or is taking over. Copies whose other copy another node holds come first: fewer nodes may take them.
    ///
    /// A copy that a live, active node is taking over (it records it under a pending epoch) is left to that node, which
    /// adopts it if the owner dies (``adoptOrphanedHandovers(node:leaseSeconds:)``): a claim would fence off what it
    /// has recorded.
    ///
    /// With `onlyConstrained`, only copies whose other copy another node holds are claimed: a node above its share takes
    /// those, since the nodes with room may all be barred from them.
    public func claim(
        node: String, among keys: [LeaseKey], limit: Int, leaseSeconds: Double, onlyConstrained: Bool = false
    ) async throws -> [UUID: HeldLease] {
        try requirePostgres()
        guard limit > 0, !keys.isEmpty else { return [:] }
        var claimed: [UUID: HeldLease] = [:]
        let constrained: SQLQueryString = onlyConstrained ? " AND \(Self.otherCopyHeld)" : ""
        for chunk in keys.chunked(by: 1000) where claimed.count < limit {
            let rows = try await sql.raw("""
                WITH free AS (
                    SELECT camera_id, copy FROM camera_leases
                    WHERE \(Self.among(chunk)) AND \(Self.noOtherCopy(of: node))\(constrained) AND (node IS NULL OR lease_until IS NULL OR (lease_until < clock_timestamp()
                        AND NOT \(Self.isLive(node: "camera_leases.node", within: leaseSeconds))))
                      AND NOT \(Self.isLive(node: "camera_leases.next_node", within: leaseSeconds, activeOnly: true))
                    ORDER BY \(Self.otherCopyHeld) DESC, camera_id
                    LIMIT \(bind: limit - claimed.count) FOR UPDATE SKIP LOCKED
                ), taken AS (
                    UPDATE camera_leases l SET node = \(bind: node),
                        epoch = (SELECT coalesce(max(h.epoch), l.epoch) FROM camera_lease_epochs h
                                 WHERE h.camera_id = l.camera_id AND h.copy = l.copy) + 1,
                        lease_until = clock_timestamp() + make_interval(secs => \(bind: leaseSeconds)),
                        offered = false, next_node = NULL, next_epoch = NULL, next_ready = false
                    FROM free WHERE l.camera_id = free.camera_id AND l.copy = free.copy RETURNING l.camera_id, l.copy, l.epoch
                ), granted AS (
                    INSERT INTO camera_lease_epochs (camera_id, copy, epoch, node, from_at)
                    SELECT camera_id, copy, epoch, \(bind: node), clock_timestamp() FROM taken
                )
                SELECT camera_id, copy, epoch FROM taken
                """).all()
            claimed.merge(try Self.leases(rows)) { $1 }
        }
        return claimed
    }

    // MARK: Make-before-break hand-over

    /// Offers up to `limit` of `node`'s cameras (all with nil) to the other nodes: one of them starts recording a
    /// camera under a pending epoch, and `node` stops once that recording has begun. Returns how many are offered now.
    /// Copies whose camera's other copy is held elsewhere go last: fewer nodes may take them.
    @discardableResult
    public func offer(node: String, limit: Int? = nil) async throws -> Int {
        try requirePostgres()
        let cap: SQLQueryString = limit.map { " LIMIT \(bind: $0)" } ?? ""
        let rows = try await sql.raw("""
            WITH chosen AS (
                SELECT camera_id, copy FROM camera_leases WHERE node = \(bind: node) AND NOT offered
                ORDER BY EXISTS (SELECT 1 FROM camera_leases o WHERE o.camera_id = camera_leases.camera_id AND o.copy <> camera_leases.copy
                                 AND o.node IS NOT NULL), camera_id\(cap))
            UPDATE camera_leases l SET offered = true FROM chosen WHERE l.camera_id = chosen.camera_id AND l.copy = chosen.copy
            RETURNING l.camera_id
            """).all()
        return rows.count
    }

    /// Withdraws `node`'s offers that nobody has taken yet.
    public func withdrawOffers(node: String) async throws {
        try requirePostgres()
        try await sql.raw("UPDATE camera_leases SET offered = false WHERE node = \(bind: node) AND offered AND next_node IS NULL").run()
    }

    /// Takes up to `limit` offered leases among `keys` (at most one copy of a camera) as their successor: each gets a
    /// pending epoch (granted, not begun) to record under until the hand-over completes; a copy of a camera whose other
    /// copy `node` holds or takes over is skipped. Returns camera → copy and pending epoch.
    ///
    /// With `onlyConstrained`, only offers of draining (or stopping) nodes whose camera's other copy another node holds
    /// are taken: a node above its share takes those, since the nodes with room may all be barred from them.
    public func takeOffered(node: String, among keys: [LeaseKey], limit: Int, onlyConstrained: Bool = false) async throws -> [UUID: HeldLease] {
        try requirePostgres()
        guard limit > 0, !keys.isEmpty else { return [:] }
        var taken: [UUID: HeldLease] = [:]
        let constrained: SQLQueryString = onlyConstrained
            ? " AND \(Self.otherCopyHeld) AND EXISTS (SELECT 1 FROM nodes n WHERE n.name = camera_leases.node AND n.state = 'draining')" : ""
        for chunk in keys.chunked(by: 1000) where taken.count < limit {
            let rows = try await sql.raw("""
                WITH offered AS (
                    SELECT camera_id, copy FROM camera_leases
                    WHERE \(Self.among(chunk)) AND \(Self.noOtherCopy(of: node))\(constrained) AND offered AND next_node IS NULL AND node <> \(bind: node)
                      AND lease_until > clock_timestamp()
                    ORDER BY camera_id LIMIT \(bind: limit - taken.count) FOR UPDATE SKIP LOCKED
                ), granted AS (
                    UPDATE camera_leases l SET next_node = \(bind: node), next_ready = false,
                        next_epoch = (SELECT coalesce(max(h.epoch), l.epoch) FROM camera_lease_epochs h
                                      WHERE h.camera_id = l.camera_id AND h.copy = l.copy) + 1
                    FROM offered WHERE l.camera_id = offered.camera_id AND l.copy = offered.copy
                    RETURNING l.camera_id, l.copy, l.next_epoch AS epoch
                ), pending AS (
                    INSERT INTO camera_lease_epochs (camera_id, copy, epoch, node, from_at)
                    SELECT camera_id, copy, epoch, \(bind: node), NULL FROM granted
                )
                SELECT camera_id, copy, epoch FROM granted
                """).all()
            taken.merge(try Self.leases(rows)) { $1 }
        }
        return taken
    }

    /// The cameras `node` is taking over (successor of a pending hand-over), with their pending epochs; marks ready
    /// those of which it has stored a segment under that epoch (it records them now).
    public func incoming(node: String) async throws -> [UUID: HeldLease] {
        try requirePostgres()
        try await sql.raw("""
            UPDATE camera_leases l SET next_ready = true WHERE next_node = \(bind: node) AND NOT next_ready
            AND EXISTS (SELECT 1 FROM segments s WHERE s.camera_id = l.camera_id AND s.copy = l.copy AND s.node = \(bind: node)
                        AND s.epoch = l.next_epoch)
            """).run()
        let rows = try await sql.raw("""
            SELECT camera_id, copy, next_epoch AS epoch FROM camera_leases WHERE next_node = \(bind: node) AND next_epoch IS NOT NULL
            """).all()
        return try Self.leases(rows)
    }

    /// `node`'s cameras whose successor records them now: `node` may stop and then complete the hand-over.
    public func readyHandovers(node: String) async throws -> Set<UUID> {
        try requirePostgres()
        let rows = try await sql.raw("SELECT camera_id FROM camera_leases WHERE node = \(bind: node) AND next_ready").all()
        return Set(try rows.map { try $0.decode(column: "camera_id", as: UUID.self) })
    }

    /// Hands `cameraID` from `node` (whose recorder has stopped) to its ready successor: the pending epoch begins now.
    /// False when there is no such hand-over (the successor left, or another node took the camera).
    @discardableResult
    public func completeHandover(node: String, cameraID: UUID, leaseSeconds: Double) async throws -> Bool {
        try requirePostgres()
        let rows = try await sql.raw("""
            WITH moved AS (
                UPDATE camera_leases SET node = next_node, epoch = next_epoch,
                    lease_until = clock_timestamp() + make_interval(secs => \(bind: leaseSeconds)),
                    offered = false, next_node = NULL, next_epoch = NULL, next_ready = false
                WHERE camera_id = \(bind: cameraID) AND node = \(bind: node) AND next_ready RETURNING camera_id, copy, epoch
            )
            UPDATE camera_lease_epochs h SET from_at = clock_timestamp() FROM moved
            WHERE h.camera_id = moved.camera_id AND h.copy = moved.copy AND h.epoch = moved.epoch RETURNING h.camera_id
            """).all()
        return !rows.isEmpty
    }

    /// Makes `node` the owner of the copies it was taking over whose owner died meanwhile (its lease expired and it has
    /// not heartbeated for `leaseSeconds`, or it stopped): the pending epoch begins now, so what `node` recorded under
    /// it stays valid and the camera records on without a gap. Returns camera → copy and epoch of each adopted lease.
    public func adoptOrphanedHandovers(node: String, leaseSeconds: Double) async throws -> [UUID: HeldLease] {
        try requirePostgres()
        let rows = try await sql.raw("""
            WITH adopted AS (
                UPDATE camera_leases l SET node = next_node, epoch = next_epoch,
                    lease_until = clock_timestamp() + make_interval(secs => \(bind: leaseSeconds)),
                    offered = false, next_node = NULL, next_epoch = NULL, next_ready = false
                WHERE next_node = \(bind: node) AND next_epoch IS NOT NULL
                  AND (node IS NULL OR lease_until IS NULL OR (lease_until < clock_timestamp()
                       AND NOT \(Self.isLive(node: "l.node", within: leaseSeconds))))
                RETURNING camera_id, copy, epoch
            ), begun AS (
                UPDATE camera_lease_epochs h SET from_at = clock_timestamp() FROM adopted
                WHERE h.camera_id = adopted.camera_id AND h.copy = adopted.copy AND h.epoch = adopted.epoch
            )
            SELECT camera_id, copy, epoch FROM adopted
            """).all()
        return try Self.leases(rows)
    }

    /// Cancels hand-overs from `node` to successors that are no longer alive (heartbeat older than `staleAfter`).
    public func abandonHandoversToDeadNodes(node: String, staleAfter: Double) async throws {
        try requirePostgres()
        try await sql.raw("""
            UPDATE camera_leases l SET next_node = NULL, next_epoch = NULL, next_ready = false
            WHERE l.node = \(bind: node) AND l.next_node IS NOT NULL AND NOT \(Self.isLive(node: "l.next_node", within: staleAfter))
            """).run()
    }

    /// Gives up `node`'s leases of `cameraIDs`, or all of them with nil (its recorders have stopped): other nodes can
    /// claim them at once. With nil it also withdraws from the hand-overs it was taking as successor.
    public func release(node: String, cameraIDs: [UUID]?) async throws {
        try requirePostgres()
        guard let cameraIDs else {
            try await sql.raw("""
                UPDATE camera_leases SET node = NULL, lease_until = NULL, offered = false, next_node = NULL, next_epoch = NULL, next_ready = false
                WHERE node = \(bind: node)
                """).run()
            // And the hand-overs it was taking: their owners keep the cameras (and record them again, if they had stopped).
            try await sql.raw("""
                UPDATE camera_leases SET next_node = NULL, next_epoch = NULL, next_ready = false WHERE next_node = \(bind: node)
                """).run()
            return
        }
        for chunk in cameraIDs.chunked(by: 1000) where !chunk.isEmpty {
            try await sql.raw("""
                UPDATE camera_leases SET node = NULL, lease_until = NULL, offered = false, next_node = NULL, next_epoch = NULL, next_ready = false
                WHERE node = \(bind: node) AND camera_id IN (\(binds: Array(chunk)))
                """).run()
        }
    }

    /// Every camera's lease.
    public func leases() async throws -> [CameraLease] {
        try requirePostgres()
        let rows = try await sql.raw("""
            SELECT camera_id, copy, node, epoch, lease_until, (node IS NOT NULL AND lease_until > clock_timestamp()) AS held
            FROM camera_leases ORDER BY camera_id, copy
            """).all()
        return try rows.map { row in
            CameraLease(
                cameraID: try row.decode(column: "camera_id", as: UUID.self), copy: try row.decode(column: "copy", as: Int.self), node: try row.decode(column: "node", as: String?.self),
                epoch: try row.decode(column: "epoch", as: Int64.self), leaseUntil: try row.decode(column: "lease_until", as: Date?.self),
                held: try row.decode(column: "held", as: Bool.self))
        }
    }

    /// Camera → held lease; a node holds at most one copy of a camera (``noOtherCopy(of:)``), and if rows ever said
    /// otherwise the lower copy is kept, so the recorder still writes one copy under a valid fence.
    private static func leases(_ rows: [any SQLRow]) throws -> [UUID: HeldLease] {
        var leases: [UUID: HeldLease] = [:]
        for row in rows {
            let held = HeldLease(copy: try row.decode(column: "copy", as: Int.self), epoch: try row.decode(column: "epoch", as: Int64.self))
            let camera = try row.decode(column: "camera_id", as: UUID.self)
            if let other = leases[camera], other.copy < held.copy { continue }
            leases[camera] = held
        }
        return leases
    }
}
