import HTTPTypes
import RTCCCore

extension Endpoint {
    static let streetsReplace = Endpoint(method: .put, path: "/api/v1/streets", access: .permission(.camerasWrite))
    static let streetsList = Endpoint(method: .get, path: "/api/v1/streets", access: .permission(.camerasRead))
    static let addressesReplace = Endpoint(method: .put, path: "/api/v1/addresses", access: .permission(.camerasWrite))
    static let addressSearch = Endpoint(method: .get, path: "/api/v1/addresses/search", access: .permission(.camerasRead))
    static let addressReverse = Endpoint(method: .get, path: "/api/v1/addresses/reverse", access: .permission(.camerasRead))

    /// The base map's layers and address look-ups: staff read them (like the map); managers import them (like buildings).
    static let addresses: [Endpoint] = [streetsReplace, streetsList, addressesReplace, addressSearch, addressReverse]
}
