import HTTPTypes
import RTCCCore

extension Endpoint {
    /// A business or homeowner signs up: no account, rate-limited per address, confirmed by e-mail.
    static let signUp = Endpoint(method: .post, path: "/api/v1/community/applications", access: .everyone)
    /// The link in the verification mail: the token is the credential.
    static let signUpVerify = Endpoint(method: .post, path: "/api/v1/community/verify", access: .everyone)
    /// The link in the approval mail sets the new partner account's password: the token is the credential.
    static let signUpActivate = Endpoint(method: .post, path: "/api/v1/community/activate", access: .everyone)
    static let applicationsList = Endpoint(method: .get, path: "/api/v1/community/applications", access: .permission(.partnersRead))
    static let applicationApprove = Endpoint(method: .post, path: "/api/v1/community/applications/{id}/approve", access: .permission(.partnersWrite))
    static let applicationReject = Endpoint(method: .post, path: "/api/v1/community/applications/{id}/reject", access: .permission(.partnersWrite))
    static let outboxList = Endpoint(method: .get, path: "/api/v1/outbox", access: .permission(.outboxRead))
    static let portalCameras = Endpoint(method: .get, path: "/api/v1/portal/cameras", access: .permission(.ownerPortal))
    static let portalCameraUpdate = Endpoint(method: .patch, path: "/api/v1/portal/cameras/{id}", access: .permission(.ownerPortal))
    static let portalAccessLog = Endpoint(method: .get, path: "/api/v1/portal/access-log", access: .permission(.ownerPortal))
    static let cameraMaskGet = Endpoint(method: .get, path: "/api/v1/cameras/{id}/mask", access: .anyOf([.camerasRead, .ownCamerasRead]))
    static let cameraMaskPut = Endpoint(method: .put, path: "/api/v1/cameras/{id}/mask", access: .anyOf([.camerasWrite, .ownerPortal]))
    static let footageRequestsList = Endpoint(method: .get, path: "/api/v1/footage-requests", access: .anyOf([.casesRead, .ownerPortal]))
    static let footageRequestsCreate = Endpoint(method: .post, path: "/api/v1/footage-requests", access: .permission(.casesWrite))
    static let footageRequestGet = Endpoint(method: .get, path: "/api/v1/footage-requests/{id}", access: .anyOf([.casesRead, .ownerPortal]))
    static let footageRequestDecide = Endpoint(method: .post, path: "/api/v1/footage-requests/{id}/decision", access: .permission(.ownerPortal))
    static let footageRequestUpload = Endpoint(method: .put, path: "/api/v1/footage-requests/{id}/clip", access: .permission(.ownerPortal))
    static let footageRequestClip = Endpoint(method: .get, path: "/api/v1/footage-requests/{id}/clip", access: .permission(.casesRead))
    static let partnerRetention = Endpoint(method: .put, path: "/api/v1/partners/{id}/retention", access: .permission(.partnersWrite))
    static let deletionsList = Endpoint(method: .get, path: "/api/v1/deletions", access: .permission(.camerasRead))
    /// Public figures about the program and the RTCC's use of footage: aggregated, never positions or names.
    static let transparency = Endpoint(method: .get, path: "/api/v1/transparency", access: .everyone)

    /// The community camera program's routes.
    static let community: [Endpoint] = [
        signUp, signUpVerify, signUpActivate, applicationsList, applicationApprove, applicationReject, outboxList, portalCameras,
        portalCameraUpdate, portalAccessLog, cameraMaskGet, cameraMaskPut, footageRequestsList, footageRequestsCreate, footageRequestGet,
        footageRequestDecide, footageRequestUpload, footageRequestClip, partnerRetention, deletionsList, transparency,
    ]
}
