import NIOConcurrencyHelpers

/// Counts the open connections of each source address, and refuses one over the limit.
final class ConnectionLimiter: Sendable {
    /// Connections one address may hold at once.
    let limit: Int
    private let open = NIOLockedValueBox([String: Int]())

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a place for `address`; false when it already holds `limit` connections.
    func acquire(_ address: String) -> Bool {
        open.withLockedValue { counts in
            let held = counts[address, default: 0]
            guard held < limit else { return false }
            counts[address] = held + 1
            return true
        }
    }

    /// Gives back a place taken by ``acquire(_:)``.
    func release(_ address: String) {
        open.withLockedValue { counts in
            let held = counts[address, default: 0]
            counts[address] = held > 1 ? held - 1 : nil
        }
    }

    /// Connections `address` holds now.
    func count(_ address: String) -> Int {
        open.withLockedValue { $0[address, default: 0] }
    }
}
