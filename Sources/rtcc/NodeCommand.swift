import ArgumentParser
import Foundation
import RTCCCore
import RTCCServer
import RTCCStore

/// `rtcc node …`: the recorder nodes sharing the PostgreSQL database.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "List the recorder nodes of a cluster, and drain or reactivate one.",
        subcommands: [List.self, Drain.self, Activate.self])

    /// `rtcc node list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every registered node with its state and cameras.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let config = try store.load()
            guard case .postgres = config.resolvedDatabase else { throw CLIError(ClusterError.needsPostgres.description) }
            let nodes = try await withServices(config) { try await $0.store.cluster.nodes(staleAfter: config.cluster.leaseSeconds) }
            if json {
                let list = NodeList(cluster: true, thisNode: nil, leaseSeconds: config.cluster.leaseSeconds, nodes: nodes.map(NodeList.Node.init))
                print(String(decoding: try JSONCoding.encoder.encode(list), as: UTF8.self))
                return
            }
            if nodes.isEmpty {
                print("No node is registered.")
                return
            }
            print("NODE".padding(toLength: 20, withPad: " ", startingAt: 0) + "STATE     ALIVE  CAMERAS  CAPACITY  ROLES       LAST HEARTBEAT")
            for node in nodes {
                let line = node.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + node.state.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + (node.alive ? "yes" : "no").padding(toLength: 7, withPad: " ", startingAt: 0)
                    + String(node.cameras).padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(node.capacity).padding(toLength: 10, withPad: " ", startingAt: 0)
                    + node.roles.joined(separator: ",").padding(toLength: 12, withPad: " ", startingAt: 0)
                    + node.heartbeatAt.ISO8601Format()
                print(line)
            }
        }
    }

    /// `rtcc node drain NAME`.
    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move every camera off a node (before an upgrade); it takes none until reactivated.",
            discussion: "The node gives up its leases within a second; the other live nodes claim them.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The node's name.") var name: String

        func run() async throws { try await setState(name, "draining", store: store, action: "node.drain") }
    }

    /// `rtcc node activate NAME`.
    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a drained node take cameras again.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The node's name.") var name: String

        func run() async throws { try await setState(name, "active", store: store, action: "node.activate") }
    }
}

/// Sets a node's state through the shared database, audited.
private func setState(_ name: String, _ state: String, store: StoreOptions, action: String) async throws {
    let config = try store.load()
    guard case .postgres = config.resolvedDatabase else { throw CLIError(ClusterError.needsPostgres.description) }
    do {
        try await withServices(config) { services in
            try await services.store.cluster.setState(name: name, state: state)
            try await services.audit.append(AuditEvent(actor: cliActor, action: action, target: "node:\(name)", detail: "state \(state)"))
        }
    } catch let error as ClusterError {
        throw CLIError(error.description)
    }
    print("Node \(name) is now \(state).")
}
