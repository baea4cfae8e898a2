import Foundation
import RTCCStore

/// The answer of `GET /api/v1/nodes` (schema `NodeList`).
public struct NodeList: Codable, Sendable, Equatable {
    /// One node.
    public struct Node: Codable, Sendable, Equatable {
        /// Its name.
        public var name: String
        /// `active`, `draining` or `stopped`.
        public var state: String
        /// Whether it heartbeated within the lease time.
        public var alive: Bool
        /// `record`, `api`.
        public var roles: [String]
        /// The most cameras it records.
        public var capacity: Int
        /// Cameras whose lease it holds.
        public var cameras: Int
        /// Its internal address, if given.
        public var url: String?
        /// When its process started.
        public var startedAt: Date
        /// Its last heartbeat.
        public var heartbeatAt: Date

        /// The node as the repository lists it.
        public init(_ record: NodeRecord) {
            name = record.name
            state = record.state
            alive = record.alive
            roles = record.roles
            capacity = record.capacity
            cameras = record.cameras
            url = record.url
            startedAt = record.startedAt
            heartbeatAt = record.heartbeatAt
        }
    }

    /// Whether the answering server is a cluster node.
    public var cluster: Bool
    /// The answering server's node name.
    public var thisNode: String?
    /// The lease time: a node silent for longer is not alive and its cameras go to the others.
    public var leaseSeconds: Double
    /// Every registered node, by name.
    public var nodes: [Node]

    /// Creates a list.
    public init(cluster: Bool, thisNode: String?, leaseSeconds: Double, nodes: [Node]) {
        self.cluster = cluster
        self.thisNode = thisNode
        self.leaseSeconds = leaseSeconds
        self.nodes = nodes
    }
}
