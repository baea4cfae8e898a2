import HTTPTypes
import RTCCCore

extension Endpoint {
    static let mapSettings = Endpoint(method: .get, path: "/api/v1/map", access: .permission(.camerasRead))
    static let seen = Endpoint(method: .get, path: "/api/v1/seen", access: .permission(.camerasRead))
    static let seenHold = Endpoint(method: .post, path: "/api/v1/seen/hold", access: .permission(.holdsWrite))
    static let coverage = Endpoint(method: .post, path: "/api/v1/coverage", access: .permission(.camerasRead))
    static let buildingsReplace = Endpoint(method: .put, path: "/api/v1/buildings", access: .permission(.camerasWrite))

    /// The map's routes: who could have seen it, coverage and building footprints.
    static let map: [Endpoint] = [mapSettings, seen, seenHold, coverage, buildingsReplace]
}
