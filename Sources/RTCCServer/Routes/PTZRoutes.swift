import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore
import RTCCOnvif
import RTCCStore

/// PTZ control of ONVIF cameras: status and presets, the control lock (one operator at a time; it lapses
/// `ptzLockSeconds` after the last command; a higher role may take it over), moves, presets and home. Every command
/// is written to the audit log before it is sent (an unaudited move is never made).
struct PTZRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.cameraPTZ, status)
        router.add(.cameraPTZLock, lock)
        router.add(.cameraPTZUnlock, unlock)
        router.add(.cameraPTZMove, move)
        router.add(.cameraPTZGoto, goto)
        router.add(.cameraPTZPresetSet, setPreset)
    }

    /// The lock as the API shows it.
    struct LockView: Codable {
        var username: String
        var role: String
        var takenAt: Date
        var expiresAt: Date
        var yours: Bool
    }

    struct StatusView: Codable {
        var cameraID: UUID
        var profileToken: String
        var status: PTZStatus
        var presets: [PTZPreset]
        var lock: LockView?
    }

    static func view(_ lock: PTZLock?, for identity: Identity) -> LockView? {
        lock.map { LockView(username: $0.username, role: $0.role, takenAt: $0.takenAt, expiresAt: $0.expiresAt, yours: $0.userID == identity.user.id) }
    }

    /// The camera's link and device; 404 when the camera has no ONVIF link, 409 when it cannot be steered.
    func device(_ context: AppRequestContext) async throws -> (ONVIFLink, ONVIFDevice) {
        let id = try context.pathID("camera")
        guard try await services.store.cameras.find(id: id) != nil else { throw Problem.notFound("camera") }
        guard let link = try await services.store.onvif.link(cameraID: id) else { throw Problem.notFound("ONVIF link of the camera") }
        guard link.ptz else { throw Problem(.conflict, "the camera cannot be steered: its ONVIF device offers no PTZ on profile \(link.profileToken)") }
        do {
            return (link, try await services.onvifDevices.device(for: link, services: services))
        } catch let error as ONVIFDevices.Unavailable {
            throw Problem(.conflict, error.description)
        }
    }

    /// Runs a device call; its failure is a 502 naming the camera's device and what went wrong.
    func onDevice<T>(_ link: ONVIFLink, _ body: () async throws(ONVIFError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Problem(.badGateway, "the camera's ONVIF device (\(link.manufacturer) \(link.model)) failed: \(error.description)")
        }
    }

    @Sendable func status(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let (link, device) = try await device(context)
        let status = try await onDevice(link) { () async throws(ONVIFError) in try await device.ptzStatus(profile: link.profileToken) }
        let presets = try await onDevice(link) { () async throws(ONVIFError) in try await device.presets(profile: link.profileToken) }
        let lock = try await services.store.onvif.lock(cameraID: link.cameraID)
        return try Reply.json(StatusView(cameraID: link.cameraID, profileToken: link.profileToken, status: status, presets: presets, lock: Self.view(lock, for: identity)))
    }

    struct LockRequest: Decodable {
        var takeOver: Bool?
    }

    /// Takes or renews the caller's lock; 409 naming the holder when someone else keeps it.
    func hold(_ link: ONVIFLink, _ identity: Identity, takeOver: Bool, context: AppRequestContext) async throws -> PTZLock {
        let before = try await services.store.onvif.lock(cameraID: link.cameraID)
        let lock = try await services.store.onvif.acquire(
            cameraID: link.cameraID, userID: identity.user.id, username: identity.user.username, role: identity.user.role.rawValue,
            rank: identity.user.role.controlRank, seconds: Double(services.config.ptzLockSeconds), takeOver: takeOver)
        guard lock.userID == identity.user.id else {
            let higher = identity.user.role.controlRank > lock.rank
            throw Problem(
                .conflict,
                "\(lock.username) (\(lock.role)) is steering this camera until \(lock.expiresAt.formatted(.iso8601))"
                    + (higher ? "; as \(identity.user.role.rawValue) you may take over" : ""),
                errors: [FieldError(field: "lock", reason: higher ? "held; take over allowed" : "held")])
        }
        if before?.userID != identity.user.id {
            let detail = before.map { "taken over from \($0.username) (\($0.role))" } ?? "taken"
            try await services.record("ptz.lock", target: "camera:\(link.cameraID)", detail: detail, by: identity, context: context)
        }
        return lock
    }

    @Sendable func lock(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let input = try await request.decodeStrict(LockRequest.self, allowed: ["takeOver"], context: context)
        let (link, _) = try await device(context)
        let lock = try await hold(link, identity, takeOver: input.takeOver ?? false, context: context)
        return try Reply.json(Self.view(lock, for: identity))
    }

    @Sendable func unlock(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let id = try context.pathID("camera")
        if try await services.store.onvif.release(cameraID: id, userID: identity.user.id) {
            try await services.record("ptz.unlock", target: "camera:\(id)", by: identity, context: context)
        }
        return Reply.noContent
    }

    struct MoveRequest: Decodable {
        var mode: String
        var pan: Double?
        var tilt: Double?
        var zoom: Double?
        var timeoutSeconds: Int?
    }

    @Sendable func move(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let input = try await request.decodeStrict(MoveRequest.self, allowed: ["mode", "pan", "tilt", "zoom", "timeoutSeconds"], context: context)
        var errors: [FieldError] = []
        let modes = ["continuous", "relative", "absolute", "stop", "home"]
        if !modes.contains(input.mode) { errors.append(FieldError(field: "mode", reason: "must be one of \(modes.joined(separator: ", "))")) }
        for (field, value) in [("pan", input.pan), ("tilt", input.tilt), ("zoom", input.zoom)] {
            guard let value else { continue }
            let range: ClosedRange<Double> = input.mode == "absolute" && field == "zoom" ? 0...1 : -1...1
            if !value.isFinite || !range.contains(value) { errors.append(FieldError(field: field, reason: "must be between \(range.lowerBound) and \(range.upperBound)")) }
        }
        if ["continuous", "relative", "absolute"].contains(input.mode), input.pan == nil, input.tilt == nil, input.zoom == nil {
            errors.append(FieldError(field: "pan", reason: "give pan, tilt or zoom"))
        }
        let timeout = input.timeoutSeconds ?? 3
        if !(1...60).contains(timeout) { errors.append(FieldError(field: "timeoutSeconds", reason: "must be between 1 and 60")) }
        try ValidationError.check(errors)
        let (link, device) = try await device(context)
        _ = try await hold(link, identity, takeOver: false, context: context)
        let vector = PTZVector(pan: input.pan, tilt: input.tilt, zoom: input.zoom)
        let words = [("pan", input.pan), ("tilt", input.tilt), ("zoom", input.zoom)].compactMap { name, value in value.map { "\(name) \(PTZVector.format($0))" } }
        try await services.record("ptz.move", target: "camera:\(link.cameraID)", detail: ([input.mode] + words).joined(separator: " "), by: identity, context: context)
        let profile = link.profileToken
        try await onDevice(link) { () async throws(ONVIFError) in
            switch input.mode {
            case "continuous": try await device.continuousMove(profile: profile, velocity: vector, timeoutSeconds: timeout)
            case "relative": try await device.relativeMove(profile: profile, translation: vector)
            case "absolute": try await device.absoluteMove(profile: profile, position: vector)
            case "home": try await device.gotoHome(profile: profile)
            default: try await device.stop(profile: profile)
            }
        }
        return Reply.noContent
    }

    struct GotoRequest: Decodable {
        var preset: String
    }

    @Sendable func goto(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let input = try await request.decodeStrict(GotoRequest.self, allowed: ["preset"], context: context)
        guard !input.preset.isEmpty, input.preset.count <= 64 else { throw Problem.invalid(ValidationError(field: "preset", reason: "must be a preset token (1-64 characters)")) }
        let (link, device) = try await device(context)
        _ = try await hold(link, identity, takeOver: false, context: context)
        try await services.record("ptz.preset.goto", target: "camera:\(link.cameraID)", detail: "preset \(input.preset)", by: identity, context: context)
        try await onDevice(link) { () async throws(ONVIFError) in try await device.gotoPreset(profile: link.profileToken, token: input.preset) }
        return Reply.noContent
    }

    struct PresetRequest: Decodable {
        var name: String
        var token: String?
    }

    struct PresetStored: Codable {
        var token: String
        var name: String
    }

    @Sendable func setPreset(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let identity else { throw Problem.unauthenticated() }
        let input = try await request.decodeStrict(PresetRequest.self, allowed: ["name", "token"], context: context)
        let name = input.name.trimmingCharacters(in: .whitespaces)
        var errors: [FieldError] = []
        if name.isEmpty || name.count > 64 || name.contains(where: \.isNewline) { errors.append(FieldError(field: "name", reason: "must be 1-64 characters on one line")) }
        if let token = input.token, token.isEmpty || token.count > 64 { errors.append(FieldError(field: "token", reason: "must be 1-64 characters")) }
        try ValidationError.check(errors)
        let (link, device) = try await device(context)
        _ = try await hold(link, identity, takeOver: false, context: context)
        try await services.record(
            "ptz.preset.set", target: "camera:\(link.cameraID)", detail: "\(name)" + (input.token.map { " (replacing \($0))" } ?? ""), by: identity, context: context)
        let token = try await onDevice(link) { () async throws(ONVIFError) in try await device.setPreset(profile: link.profileToken, name: name, token: input.token) }
        return try Reply.json(PresetStored(token: token, name: name), status: .created)
    }
}
