import HTTPTypes
import RTCCCore

extension Endpoint {
    static let deploymentsList = Endpoint(method: .get, path: "/api/v1/deployments", access: .permission(.camerasRead))
    static let deploymentsCreate = Endpoint(method: .post, path: "/api/v1/deployments", access: .permission(.camerasWrite))
    static let deploymentGet = Endpoint(method: .get, path: "/api/v1/deployments/{id}", access: .permission(.camerasRead))
    static let deploymentUpdate = Endpoint(method: .patch, path: "/api/v1/deployments/{id}", access: .permission(.camerasWrite))
    static let deploymentDelete = Endpoint(method: .delete, path: "/api/v1/deployments/{id}", access: .permission(.camerasWrite))
    static let deploymentCamerasSet = Endpoint(method: .put, path: "/api/v1/deployments/{id}/cameras", access: .permission(.camerasWrite))
    static let deploymentCamerasAdd = Endpoint(method: .post, path: "/api/v1/deployments/{id}/cameras", access: .permission(.camerasWrite))
    static let deploymentPlan = Endpoint(method: .post, path: "/api/v1/deployments/{id}/plan", access: .permission(.camerasRead))
    static let deploymentReport = Endpoint(method: .get, path: "/api/v1/deployments/{id}/report", access: .permission(.camerasRead))

    /// Temporary deployments for events: the event, its cameras, their placement and the after-event report.
    static let deployments: [Endpoint] = [
        deploymentsList, deploymentsCreate, deploymentGet, deploymentUpdate, deploymentDelete, deploymentCamerasSet, deploymentCamerasAdd,
        deploymentPlan, deploymentReport,
    ]
}
