import Foundation
import RTCCCore
import RTCCGeo
import RTCCStore

/// Keeps one RTCCGeo ``AddressIndex`` of the stored streets and address points, rebuilt only after either is
/// replaced (the store's ``AddressesVersion`` changes).
actor AddressIndexCache {
    private var current: (version: AddressesVersion, index: AddressIndex)?

    /// The index for the store's current streets and addresses.
    func index(_ store: Store) async throws -> AddressIndex {
        let version = try await store.addresses.version()
        if let current, current.version == version { return current.index }
        let streets = try await store.addresses.streets()
        let addresses = try await store.addresses.addresses()
        let index = AddressIndex(streets: streets, addresses: addresses)
        current = (version, index)
        return index
    }
}
