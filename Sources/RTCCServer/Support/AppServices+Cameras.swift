import Foundation
import HTTPTypes
import Hummingbird
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

    /// Refuses live video of a camera whose owner paused or revoked sharing (403 with what happened).
    func requireSharing(_ camera: Camera) async throws {
        let state = try await store.community.sharing(cameraID: camera.id)
        guard state.allowsAccess else {
            throw Problem(.forbidden, "the owner of camera \"\(camera.name)\" has \(state == .paused ? "paused" : "withdrawn") sharing; no live video is available")
        }
        if camera.sharing == .alarmOnly, try await store.community.alarms()[camera.id] == nil {
            throw Problem(
                .forbidden,
                "the owner of camera \"\(camera.name)\" shares live video only during alarms, and no alert concerns it now; it opens for \(config.alarmShareMinutes) min after one does")
        }
    }

    /// Whether the caller must see `camera` through its privacy mask: it has one, and the caller did not lift it. Lifting
    /// takes the `video:unmask` permission, `unmask=1` in the query and a purpose (`X-RTCC-Purpose` or `purpose=`).
    func mustMask(_ camera: Camera, identity: Identity?, request: Request) async throws -> Bool {
        guard try await !store.community.mask(cameraID: camera.id).isEmpty else { return false }
        guard request.uri.queryParameters.get("unmask") == "1" else { return true }
        guard let identity, identity.permissions.contains(.unmask) else { throw Problem.forbidden(.unmask) }
        guard Self.unmaskPurpose(request) != nil else {
            throw Problem.badRequest(field: "purpose", "lifting a privacy mask needs a purpose: send X-RTCC-Purpose or purpose= with the case number")
        }
        return false
    }

    /// The purpose given for lifting a mask.
    static func unmaskPurpose(_ request: Request) -> String? {
        let text = request.purpose ?? request.uri.queryParameters.get("purpose").map { String($0.prefix(200)).trimmingCharacters(in: .whitespaces) }
        return text?.isEmpty == false ? text : nil
    }

    /// Audits that `identity` saw `camera` without its privacy mask (nothing when the camera has none).
    func recordUnmask(_ camera: Camera, what: String, identity: Identity?, request: Request, context: AppRequestContext) async throws {
        guard try await !store.community.mask(cameraID: camera.id).isEmpty else { return }
        try await record("video.unmask", target: "camera:\(camera.id)", detail: what, by: identity, context: context, purpose: Self.unmaskPurpose(request))
    }
}
