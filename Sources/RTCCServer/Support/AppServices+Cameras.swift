import Foundation
import HTTPTypes
import RTCCCore
import RTCCStore

extension AppServices {
    /// The camera named by the request's `{id}`, when the caller may see it: everyone with `cameras:read`, and a
    /// partner for its own cameras. Any other camera is a 404, so a partner cannot probe for others' camera ids.
    func visibleCamera(_ context: AppRequestContext, _ identity: Identity?) async throws -> Camera {
        let id = try context.pathID("camera")
        guard let camera = try await store.cameras.find(id: id) else { throw Problem.notFound("camera") }
        if let identity, !identity.permissions.contains(.camerasRead), camera.partnerID == nil || camera.partnerID != identity.user.partnerID {
            throw Problem.notFound("camera")
        }
        return camera
    }
}
