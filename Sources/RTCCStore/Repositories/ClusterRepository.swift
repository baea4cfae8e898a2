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

/// One camera's lease.
public struct CameraLease: Sendable, Hashable, Codable {
    /// The camera.
    public var cameraID: UUID
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
    /// Throws ``SegmentFenced`` unless `node` was granted `epoch` for the camera and no later epoch began before `end`.
    /// Locks the camera's lease row for share (PostgreSQL) until the caller's transaction ends.
    static func check(cameraID: UUID, node: String, epoch: Int64, end: Date, on sql: any SQLDatabase) async throws {
        let lock = sql.dialect.name == "postgresql" ? " FOR SHARE" : ""
        _ = try await sql.raw("SELECT camera_id FROM camera_leases WHERE camera_id = \(bind: cameraID)\(unsafeRaw: lock)").all()
        let granted = try await sql.raw("""
            SELECT node FROM camera_lease_epochs WHERE camera_id = \(bind: cameraID) AND epoch = \(bind: epoch)
            """).first()
        guard let holder = try granted?.decode(column: "node", as: String.self), holder == node else {
            throw SegmentFenced(cameraID: cameraID, epoch: epoch, reason: "epoch \(epoch) was never granted to node '\(node)'")
        }
        let next = try await sql.raw("""
            SELECT node, from_at FROM camera_lease_epochs WHERE camera_id = \(bind: cameraID) AND epoch > \(bind: epoch)
            ORDER BY epoch LIMIT 1
            """).first()
        if let next, try next.decode(column: "from_at", as: Date.self) < end {
            let taker = try next.decode(column: "node", as: String.self)
            throw SegmentFenced(cameraID: cameraID, epoch: epoch, reason: "node '\(taker)' took the camera's lease before the segment's end")
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

    /// Creates a lease row (held by nobody, epoch 0) for each camera that has none.
    public func ensureLeases(_ cameraIDs: [UUID]) async throws {
        try requirePostgres()
        for chunk in cameraIDs.chunked(by: 500) where !chunk.isEmpty {
            let values = chunk.map { "(\(bind: $0), 0)" as SQLQueryString }.joined(separator: ", ")
            try await sql.raw("INSERT INTO camera_leases (camera_id, epoch) VALUES \(values) ON CONFLICT (camera_id) DO NOTHING").run()
        }
    }

    /// Extends every lease `node` still holds (expired or not, as long as nobody took it) by `leaseSeconds`; returns
    /// each camera it holds with its epoch. A camera missing from the answer was taken by another node.
    public func renew(node: String, leaseSeconds: Double) async throws -> [UUID: Int64] {
        try requirePostgres()
        let rows = try await sql.raw("""
            UPDATE camera_leases SET lease_until = clock_timestamp() + make_interval(secs => \(bind: leaseSeconds))
            WHERE node = \(bind: node) RETURNING camera_id, epoch
            """).all()
        return try Self.leases(rows)
    }

    /// Claims up to `limit` of `cameraIDs` whose lease nobody holds or has expired, for `leaseSeconds`: each gets a
    /// new epoch, recorded with the time it began. Rows another node is claiming at the same moment are skipped.
    public func claim(node: String, among cameraIDs: [UUID], limit: Int, leaseSeconds: Double) async throws -> [UUID: Int64] {
        try requirePostgres()
        guard limit > 0, !cameraIDs.isEmpty else { return [:] }
        var claimed: [UUID: Int64] = [:]
        for chunk in cameraIDs.chunked(by: 1000) where claimed.count < limit {
            let rows = try await sql.raw("""
                WITH free AS (
                    SELECT camera_id FROM camera_leases
                    WHERE camera_id IN (\(binds: Array(chunk))) AND (node IS NULL OR lease_until IS NULL OR lease_until < clock_timestamp())
                    ORDER BY camera_id LIMIT \(bind: limit - claimed.count) FOR UPDATE SKIP LOCKED
                ), taken AS (
                    UPDATE camera_leases l SET node = \(bind: node), epoch = l.epoch + 1,
                        lease_until = clock_timestamp() + make_interval(secs => \(bind: leaseSeconds))
                    FROM free WHERE l.camera_id = free.camera_id RETURNING l.camera_id, l.epoch
                ), granted AS (
                    INSERT INTO camera_lease_epochs (camera_id, epoch, node, from_at)
                    SELECT camera_id, epoch, \(bind: node), clock_timestamp() FROM taken
                )
                SELECT camera_id, epoch FROM taken
                """).all()
            claimed.merge(try Self.leases(rows)) { $1 }
        }
        return claimed
    }

    /// Gives up `node`'s leases of `cameraIDs` (its recorders have stopped): other nodes can claim them at once.
    public func release(node: String, cameraIDs: [UUID]) async throws {
        try requirePostgres()
        for chunk in cameraIDs.chunked(by: 1000) where !chunk.isEmpty {
            try await sql.raw("""
                UPDATE camera_leases SET node = NULL, lease_until = NULL WHERE node = \(bind: node) AND camera_id IN (\(binds: Array(chunk)))
                """).run()
        }
    }

    /// Every camera's lease.
    public func leases() async throws -> [CameraLease] {
        try requirePostgres()
        let rows = try await sql.raw("""
            SELECT camera_id, node, epoch, lease_until, (node IS NOT NULL AND lease_until > clock_timestamp()) AS held
            FROM camera_leases ORDER BY camera_id
            """).all()
        return try rows.map { row in
            CameraLease(
                cameraID: try row.decode(column: "camera_id", as: UUID.self), node: try row.decode(column: "node", as: String?.self),
                epoch: try row.decode(column: "epoch", as: Int64.self), leaseUntil: try row.decode(column: "lease_until", as: Date?.self),
                held: try row.decode(column: "held", as: Bool.self))
        }
    }

    private static func leases(_ rows: [any SQLRow]) throws -> [UUID: Int64] {
        var leases: [UUID: Int64] = [:]
        for row in rows { leases[try row.decode(column: "camera_id", as: UUID.self)] = try row.decode(column: "epoch", as: Int64.self) }
        return leases
    }
}
