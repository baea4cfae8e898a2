import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore
import RTCCOnvif
import RTCCStore

/// ONVIF set-up: discovery (WS-Discovery probe), inspection of a device with its credentials (profiles, stream URIs,
/// resolution, frame rate, model, clock), and a camera's link to its device, used for PTZ, events and clock checks.
struct ONVIFRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.onvifDiscover, discover)
        router.add(.onvifInspect, inspect)
        router.add(.cameraONVIFGet, linkGet)
        router.add(.cameraONVIFPut, linkPut)
        router.add(.cameraONVIFDelete, linkDelete)
    }

    struct DiscoverRequest: Decodable {
        var seconds: Double?
        var addresses: [String]?
        var multicast: Bool?
    }

    /// A device found, with the camera already linked to it, if any.
    struct FoundDevice: Codable {
        var endpoint: String
        var addresses: [String]
        var name: String?
        var hardware: String?
        var location: String?
        var answeredFrom: String
        var linkedCameraID: UUID?
    }

    struct DiscoverResult: Codable {
        var devices: [FoundDevice]
        var problems: [String]
        var seconds: Double
    }

    @Sendable func discover(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(DiscoverRequest.self, allowed: ["seconds", "addresses", "multicast"], context: context)
        var errors: [FieldError] = []
        let seconds = input.seconds ?? 3
        if !(0.2...10).contains(seconds) { errors.append(FieldError(field: "seconds", reason: "must be between 0.2 and 10")) }
        let addresses = input.addresses ?? []
        if addresses.count > 32 { errors.append(FieldError(field: "addresses", reason: "at most 32 addresses")) }
        for (index, address) in addresses.enumerated() {
            guard let host = WSDiscovery.target(address)?.0 else {
                errors.append(FieldError(field: "addresses[\(index)]", reason: "must be a host or host:port"))
                continue
            }
            do {
                _ = try services.config.outboundNetworks.check(host: host)
            } catch {
                errors.append(FieldError(field: "addresses[\(index)]", reason: String(describing: error)))
            }
        }
        let multicast = input.multicast ?? true
        if !multicast, addresses.isEmpty { errors.append(FieldError(field: "addresses", reason: "give at least one address when multicast is off")) }
        try ValidationError.check(errors)
        let found: (devices: [DiscoveredDevice], problems: [String])
        do {
            found = try await WSDiscovery.probe(seconds: seconds, unicastHosts: addresses, multicast: multicast)
        } catch {
            throw Problem(.badGateway, "no probe could be sent: \(error.description)")
        }
        let links = try await services.store.onvif.all()
        let devices = found.devices.map { device in
            FoundDevice(
                endpoint: device.endpoint, addresses: device.addresses, name: device.name, hardware: device.hardware, location: device.location,
                answeredFrom: device.answeredFrom, linkedCameraID: links.first { device.addresses.contains($0.address) }?.cameraID)
        }
        try await services.record("onvif.discover", detail: "\(devices.count) found", by: identity, context: context)
        return try Reply.json(DiscoverResult(devices: devices, problems: found.problems, seconds: seconds))
    }

    struct InspectRequest: Decodable {
        var address: String
        var username: String?
        var password: String?
    }

    /// What a device offers, and the camera fields it suggests.
    struct InspectResult: Codable {
        struct Suggested: Codable {
            var name: String
            var mainStreamURL: String
            var subStreamURL: String?
            var horizontalPixels: Int?
            var verticalPixels: Int?
            var framesPerSecond: Double?
            var profileToken: String
            var subProfileToken: String?
        }

        var device: DeviceReport
        var suggested: Suggested
    }

    /// Inspects the device at `address` with the credentials given, mapping its failures to one problem per camera.
    func inspectDevice(address text: String, username: String?, password: String?) async throws -> (String, DeviceReport, ONVIFCredentials?) {
        guard let address = ONVIFDevice.serviceAddress(text) else {
            throw Problem.invalid(ValidationError(field: "address", reason: "must be host, host:port or an http(s):// URL without credentials"))
        }
        let credentials = username.map { ONVIFCredentials(username: $0, password: password ?? "") }
        let device = ONVIFDevices.device(address: address, credentials: credentials, policy: services.config.outboundNetworks)
        do {
            let report = try await device.inspect()
            guard !report.streams.isEmpty else { throw ONVIFError.missing("any media profile") }
            return (address, report, credentials)
        } catch let error as ONVIFError {
            throw Problem(
                .unprocessableContent, "\(StreamURL.redacted(address)): \(error.description)",
                errors: [FieldError(field: error.kind == "not_authorized" ? "password" : "address", reason: error.kind)])
        }
    }

    @Sendable func inspect(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(InspectRequest.self, allowed: ["address", "username", "password"], context: context)
        let (address, report, _) = try await inspectDevice(address: input.address, username: input.username, password: input.password)
        try await services.record("onvif.inspect", target: address, detail: "\(report.information.manufacturer) \(report.information.model)", by: identity, context: context)
        guard let chosen = report.mainAndSub else { throw Problem(.unprocessableContent, "the device has no media profile") }
        let name = [report.information.manufacturer, report.information.model].filter { !$0.isEmpty }.joined(separator: " ")
        return try Reply.json(InspectResult(
            device: report,
            suggested: .init(
                name: name.isEmpty ? address : name, mainStreamURL: chosen.main.streamURI, subStreamURL: chosen.sub?.streamURI,
                horizontalPixels: chosen.main.profile.width, verticalPixels: chosen.main.profile.height,
                framesPerSecond: chosen.main.profile.framesPerSecond.map(Double.init), profileToken: chosen.main.profile.token,
                subProfileToken: chosen.sub?.profile.token)))
    }

    struct LinkRequest: Decodable {
        var address: String
        var username: String?
        var password: String?
        var profileToken: String?
        var subProfileToken: String?
    }

    /// A camera's link as the API shows it (credentials never included).
    struct LinkView: Codable {
        var link: ONVIFLink
        var hasCredentials: Bool
        /// The camera's clock minus the server's at the last check, seconds, and whether that is over the threshold.
        var clockDriftSeconds: Double?
        var clockDriftAlarm: Bool
        var clockDriftThresholdSeconds: Double
    }

    func view(_ link: ONVIFLink) async throws -> LinkView {
        let threshold = services.config.onvifClockDriftSeconds
        return LinkView(
            link: link, hasCredentials: try await services.store.onvif.sealedSecrets(cameraID: link.cameraID) != nil,
            clockDriftSeconds: link.clockOffsetSeconds, clockDriftAlarm: link.clockDriftAlarm(thresholdSeconds: threshold),
            clockDriftThresholdSeconds: Double(threshold))
    }

    @Sendable func linkGet(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        guard try await services.store.cameras.find(id: id) != nil else { throw Problem.notFound("camera") }
        guard let link = try await services.store.onvif.link(cameraID: id) else { throw Problem.notFound("ONVIF link of the camera") }
        return try Reply.json(try await view(link))
    }

    @Sendable func linkPut(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        let input = try await request.decodeStrict(
            LinkRequest.self, allowed: ["address", "username", "password", "profileToken", "subProfileToken"], context: context)
        guard let camera = try await services.store.cameras.find(id: id) else { throw Problem.notFound("camera") }
        let (address, report, credentials) = try await inspectDevice(address: input.address, username: input.username, password: input.password)
        func profile(_ token: String?, field: String) throws -> DeviceReport.Stream? {
            guard let token else { return nil }
            guard let stream = report.streams.first(where: { $0.profile.token == token }) else {
                throw Problem.invalid(ValidationError(field: field, reason: "the device has no profile \(token)"))
            }
            return stream
        }
        let main = try profile(input.profileToken, field: "profileToken") ?? report.mainAndSub?.main
        let sub = try profile(input.subProfileToken, field: "subProfileToken") ?? (input.profileToken == nil ? report.mainAndSub?.sub : nil)
        guard let main else { throw Problem(.unprocessableContent, "the device has no media profile") }
        let link = ONVIFLink(
            cameraID: id, address: address, profileToken: main.profile.token, subProfileToken: sub?.profile.token, ptz: report.ptz && main.profile.hasPTZ,
            events: report.events, manufacturer: report.information.manufacturer, model: report.information.model,
            firmware: report.information.firmwareVersion, serialNumber: report.information.serialNumber, clockOffsetSeconds: report.clockOffsetSeconds,
            checkedAt: Date(), lastError: nil, linkedAt: Date())
        let sealed = try credentials.map { try services.cipher.seal(StreamCredentials(username: $0.username, password: $0.password)) }
        try await services.store.onvif.save(link, sealedSecrets: sealed)
        await services.onvifDevices.forget(id)
        await services.registryChanges.signal()
        try await services.record(
            "onvif.link", target: "camera:\(id)", detail: "\(camera.name): \(link.manufacturer) \(link.model) \(link.firmware) at \(StreamURL.redacted(address))",
            by: identity, context: context)
        return try Reply.json(try await view(link))
    }

    @Sendable func linkDelete(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("camera")
        guard try await services.store.onvif.unlink(cameraID: id) else { throw Problem.notFound("ONVIF link of the camera") }
        await services.onvifDevices.forget(id)
        await services.registryChanges.signal()
        try await services.record("onvif.unlink", target: "camera:\(id)", by: identity, context: context)
        return Reply.noContent
    }
}

extension Endpoint {
    static let onvifDiscover = Endpoint(method: .post, path: "/api/v1/onvif/discover", access: .permission(.camerasWrite))
    static let onvifInspect = Endpoint(method: .post, path: "/api/v1/onvif/inspect", access: .permission(.camerasWrite))
    static let cameraONVIFGet = Endpoint(method: .get, path: "/api/v1/cameras/{id}/onvif", access: .permission(.camerasRead))
    static let cameraONVIFPut = Endpoint(method: .put, path: "/api/v1/cameras/{id}/onvif", access: .permission(.camerasWrite))
    static let cameraONVIFDelete = Endpoint(method: .delete, path: "/api/v1/cameras/{id}/onvif", access: .permission(.camerasWrite))
    static let cameraPTZ = Endpoint(method: .get, path: "/api/v1/cameras/{id}/ptz", access: .permission(.ptzControl))
    static let cameraPTZLock = Endpoint(method: .put, path: "/api/v1/cameras/{id}/ptz/lock", access: .permission(.ptzControl))
    static let cameraPTZUnlock = Endpoint(method: .delete, path: "/api/v1/cameras/{id}/ptz/lock", access: .permission(.ptzControl))
    static let cameraPTZMove = Endpoint(method: .post, path: "/api/v1/cameras/{id}/ptz/move", access: .permission(.ptzControl))
    static let cameraPTZGoto = Endpoint(method: .post, path: "/api/v1/cameras/{id}/ptz/goto", access: .permission(.ptzControl))
    static let cameraPTZPresetSet = Endpoint(method: .post, path: "/api/v1/cameras/{id}/ptz/presets", access: .permission(.ptzControl))

    /// ONVIF set-up and PTZ control.
    static let onvif: [Endpoint] = [
        onvifDiscover, onvifInspect, cameraONVIFGet, cameraONVIFPut, cameraONVIFDelete, cameraPTZ, cameraPTZLock, cameraPTZUnlock, cameraPTZMove,
        cameraPTZGoto, cameraPTZPresetSet,
    ]
}
