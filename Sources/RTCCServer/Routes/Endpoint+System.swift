import HTTPTypes
import RTCCCore

extension Endpoint {
    /// The administrator's system status: only the role that manages users (and so runs the system) holds `users:write`.
    static let systemStatus = Endpoint(method: .get, path: "/api/v1/system/status", access: .permission(.usersWrite))

    /// The recorder cluster's nodes and how many cameras each holds (administrators).
    static let nodes = Endpoint(method: .get, path: "/api/v1/nodes", access: .permission(.usersWrite))

    /// Running the system: its status.
    static let system: [Endpoint] = [systemStatus, nodes]
}
