import Foundation
import HTTPTypes
import Hummingbird
import Logging
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

    /// Why `camera` is not being recorded or shown live right now, in the words an operator needs; nil when nothing
    /// in its registration or its owner's choices prevents it (then a missing recorder is a fault, not a choice).
    func notRecordedReason(_ camera: Camera, now: Date = Date()) async throws -> String? {
        switch try await store.community.sharing(cameraID: camera.id) {
        case .paused: return "paused by its owner: no live video or recording until the owner resumes sharing"
        case .revoked: return "withdrawn by its owner: consent to share was revoked"
        case .active: break
        }
        switch camera.sharing {
        case .registered: return "registered only: its owner shares footage on request, not live"
        case .onRequest: return "shared on request only: footage is asked of the owner, there is no live view"
        case .alarmOnly where try await store.community.alarms(at: now)[camera.id] == nil:
            return "shared live only during alarms, and no alert concerns it now"
        case .alarmOnly, .live: break
        }
        if camera.mainStreamURL == nil { return "no stream URL is registered for it" }
        if let window = camera.activeWindow, !(window.from...window.until).contains(now) {
            return "outside its active window (\(window.from.ISO8601Format()) to \(window.until.ISO8601Format()))"
        }
        return nil
    }

    /// Whether the caller must see `camera` through its privacy mask: it has one, and the caller did not lift it. Lifting
    /// takes the `video:unmask` permission, `unmask=1` in the query and a purpose (`X-RTCC-Purpose` or `purpose=`).
    func mustMask(_ camera: Camera, identity: Identity?, request: Request) async throws -> Bool {
        guard try await !privacyMask(of: camera).isEmpty else { return false }
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
        guard try await !privacyMask(of: camera).isEmpty else { return }
        try await record("video.unmask", target: "camera:\(camera.id)", detail: what, by: identity, context: context, purpose: Self.unmaskPurpose(request))
    }

    /// A camera's privacy mask (empty when it has none). A mask that cannot be read withholds the video: 503, and the
    /// failure is logged — never treated as "no mask".
    func privacyMask(of camera: Camera) async throws -> PrivacyMask {
        do {
            return try await store.community.mask(cameraID: camera.id)
        } catch {
            Self.privacyLogger.error(
                "privacy mask unreadable; video withheld", metadata: ["camera": "\(camera.id)", "error": "\(String(reflecting: error))"])
            throw Self.maskUnreadable(camera)
        }
    }

    /// The 503 for video withheld because the camera's privacy mask could not be read.
    static func maskUnreadable(_ camera: Camera) -> Problem {
        Problem(
            .serviceUnavailable,
            "the privacy mask of camera \"\(camera.name)\" could not be read; video withheld. The error was logged; ask an administrator to check the database")
    }

    static var privacyLogger: Logger { Logger(label: "rtcc.privacy") }
}
