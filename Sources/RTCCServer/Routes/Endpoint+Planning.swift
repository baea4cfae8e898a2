import HTTPTypes
import RTCCCore

extension Endpoint {
    static let plansCreate = Endpoint(method: .post, path: "/api/v1/plans", access: .permission(.camerasRead))
    static let coverageReplay = Endpoint(method: .post, path: "/api/v1/coverage/replay", access: .permission(.camerasRead))

    /// Planning routes: where to put new cameras, and how past incidents fared against the cameras (and a plan).
    static let planning: [Endpoint] = [plansCreate, coverageReplay]
}
