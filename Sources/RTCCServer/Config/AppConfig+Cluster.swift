import Foundation
import RTCCStore

/// This server's place in a recorder cluster: several `rtcc serve` nodes sharing one PostgreSQL database, which is
/// their only coordinator (docs/DEPLOYMENT.md). Without a node name the server runs alone and records every camera.
public struct ClusterSettings: Sendable, Equatable {
    /// The node's name (`--node`, `RTCC_NODE`): letters, digits and '-', up to 63; nil runs a single server.
    public var nodeName: String?
    /// The most cameras the node records; also its weight when cameras are shared out.
    public var capacity = 200
    /// What the node does: `record` (takes camera leases) and/or `api` (serves users).
    public var roles: Set<String> = ["record", "api"]
    /// Where other nodes reach this one (its internal URL), if given.
    public var url: String?
    /// How long a camera lease lasts without renewal: a node that stops renewing loses its cameras after this long.
    /// Renewal runs every sixth of it.
    public var leaseSeconds: Double = 3
    /// The secret nodes show each other on the node-to-node API (`RTCC_CLUSTER_SECRET`, at least 32 characters); the
    /// same on every node. Without it a node cannot fetch footage another node recorded.
    public var secret: String?
    /// Whether every node sees the same recordings path (NFS and the like): footage is then read in place, never fetched.
    public var sharedStorage = false

    /// Creates the single-server default.
    public init() {}

    /// Whether this server is a cluster node.
    public var isNode: Bool { nodeName != nil }
    /// Whether this node records cameras.
    public var records: Bool { roles.contains("record") }

    /// The roles a node may have.
    public static let knownRoles: Set<String> = ["record", "api"]

    /// Whether `name` can name a node.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...63).contains(name.count), name.first != "-" else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" }
    }
}

extension AppConfig {
    /// Sets one of the cluster settings; returns false when `setting` is not one of them.
    mutating func setClusterSetting(_ setting: String, _ value: String, from origin: String) throws(Invalid) -> Bool {
        switch setting {
        case "nodeName":
            guard value.isEmpty || ClusterSettings.isValidName(value) else {
                throw Invalid(description: "\(origin): '\(value)' is not a node name: use 1 to 63 letters, digits and '-' (not first)")
            }
            cluster.nodeName = value.isEmpty ? nil : value
        case "nodeCapacity":
            guard let number = Int(value), (1...100_000).contains(number) else {
                throw Invalid(description: "\(origin): '\(value)' must be the most cameras the node records, a whole number from 1 to 100000")
            }
            cluster.capacity = number
        case "nodeRoles":
            let roles = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            guard !roles.isEmpty, roles.isSubset(of: ClusterSettings.knownRoles) else {
                throw Invalid(description: "\(origin): '\(value)' must be record, api or record,api")
            }
            cluster.roles = roles
        case "nodeURL":
            guard value.isEmpty || ((value.hasPrefix("http://") || value.hasPrefix("https://")) && URL(string: value)?.host != nil) else {
                throw Invalid(description: "\(origin): '\(value)' must be the node's internal http(s):// address, or empty")
            }
            cluster.url = value.isEmpty ? nil : value
        case "clusterSecret":
            guard value.isEmpty || value.count >= 32 else {
                throw Invalid(description: "\(origin): the cluster secret must be at least 32 characters (for example: openssl rand -base64 32)")
            }
            cluster.secret = value.isEmpty ? nil : value
        case "sharedStorage":
            guard let flag = Bool(value.lowercased()) ?? (value == "1" ? true : value == "0" ? false : nil) else {
                throw Invalid(description: "\(origin): '\(value)' must be true or false")
            }
            cluster.sharedStorage = flag
        case "leaseSeconds":
            guard let seconds = Double(value), (1...60).contains(seconds) else {
                throw Invalid(description: "\(origin): '\(value)' must be a number of seconds from 1 to 60")
            }
            cluster.leaseSeconds = seconds
        default:
            return false
        }
        return true
    }

    /// Cluster mode needs PostgreSQL: SQLite is one process's file.
    func validateClusterSettings() throws(Invalid) {
        guard let name = cluster.nodeName else { return }
        if case .postgres = resolvedDatabase { return }
        throw Invalid(description: "node '\(name)': \(ClusterError.needsPostgres.description)")
    }
}
