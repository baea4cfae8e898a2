import Foundation

/// A user name and password for a device.
public struct ONVIFCredentials: Sendable, Equatable {
    /// The account name.
    public var username: String
    /// The password (never logged).
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// One ONVIF device, reached at its device service address (`http://host/onvif/device_service`).
///
/// Every authenticated call carries a WS-Security UsernameToken whose time is the camera's (our clock plus the offset
/// learnt from `GetSystemDateAndTime`, which ONVIF answers without authentication). A device that answers HTTP 401 with
/// a digest challenge gets HTTP Digest authentication on top, from then on. Every address the device names (its
/// services, its subscriptions) passes `permits` before it is contacted.
public actor ONVIFDevice {
    /// The device service address.
    public nonisolated let address: String
    let credentials: ONVIFCredentials?
    let transport: any SOAPTransport
    let timeout: Duration
    let permits: @Sendable (String) throws(ONVIFError) -> Void
    /// The camera's clock minus ours, seconds; 0 until learnt.
    public private(set) var clockOffset: TimeInterval = 0
    var clockKnown = false
    var challenge: HTTPDigestChallenge?
    var challengeUses = 0
    var cachedServices: ServiceAddresses?

    /// A device at `address`; `permits` is asked about every URL before it is contacted (the outbound network policy).
    public init(
        address: String, credentials: ONVIFCredentials?, transport: any SOAPTransport = HTTPSOAPTransport(), timeout: Duration = .seconds(8),
        permits: @escaping @Sendable (String) throws(ONVIFError) -> Void = { _ throws(ONVIFError) in }
    ) {
        self.address = address
        self.credentials = credentials
        self.transport = transport
        self.timeout = timeout
        self.permits = permits
    }

    /// `host`, `host:port` or a full URL as a device service address (`http://host[:port]/onvif/device_service` for
    /// the short forms); nil when it is not http(s) with a host, or carries credentials.
    public static func serviceAddress(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let full = trimmed.contains("://") ? trimmed : "http://\(trimmed)/onvif/device_service"
        guard let components = URLComponents(string: full), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.user == nil
        else { return nil }
        return full
    }

    /// Checks that `url` is an http(s) URL with a host, and that the policy allows it.
    func check(_ url: String) throws(ONVIFError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else { throw .badAddress("\(url) is not an http:// or https:// URL with a host") }
        try permits(url)
    }

    /// Sends one operation and returns the answer's body element.
    public func call(
        _ namespace: String, _ operation: String, _ parameters: String = "", at url: String? = nil, action: String? = nil, addressedTo: String? = nil,
        authenticated: Bool = true, timeout: Duration? = nil
    ) async throws(ONVIFError) -> SOAPResponse {
        let target = url ?? address
        try check(target)
        if authenticated, !clockKnown, credentials != nil {
            do {
                try await synchronizeClock()
            } catch {
                // A device that does not tell its time is signed with our clock; the call below reports any refusal.
                clockKnown = true
            }
        }
        let token = authenticated ? credentials.map { UsernameToken(username: $0.username, password: $0.password, cameraTime: Date().addingTimeInterval(clockOffset)) } : nil
        let request = SOAPRequest(namespace: namespace, operation: operation, parameters: parameters, token: token, action: action, addressedTo: addressedTo)
        let body = Data(request.envelope.utf8)
        let contentType = "application/soap+xml; charset=utf-8; action=\"\(request.action)\""
        var exchange = try await transport.post(url: target, body: body, contentType: contentType, authorization: digestHeader(for: target), timeout: timeout ?? self.timeout)
        if exchange.status == 401 {
            guard let credentials, let offered = exchange.challenges.lazy.compactMap(HTTPDigestChallenge.init(header:)).first else {
                throw .notAuthorized("HTTP 401")
            }
            challenge = offered
            challengeUses = 0
            exchange = try await transport.post(url: target, body: body, contentType: contentType, authorization: digestHeader(for: target), timeout: timeout ?? self.timeout)
            if exchange.status == 401 { throw .notAuthorized("HTTP 401 to digest authentication as \(credentials.username)") }
        }
        // SOAP 1.2 faults come with 400 or 500; anything else without a 2xx is not a SOAP answer.
        guard (200..<300).contains(exchange.status) || exchange.status == 400 || exchange.status == 500 else { throw .httpStatus(exchange.status) }
        do {
            return try SOAPResponse(data: exchange.body)
        } catch .malformed(let why) where !(200..<300).contains(exchange.status) {
            _ = why
            throw .httpStatus(exchange.status)
        }
    }

    /// The digest `Authorization` for the next request to `url`, once the device has asked for it.
    private func digestHeader(for url: String) -> String? {
        guard let challenge, let credentials else { return nil }
        challengeUses += 1
        let components = URLComponents(string: url)
        let path = (components?.percentEncodedPath).flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let uri = path + (components?.percentEncodedQuery.map { "?" + $0 } ?? "")
        return challenge.authorization(username: credentials.username, password: credentials.password, method: "POST", uri: uri, count: challengeUses)
    }

    /// Learns the camera's clock offset from `GetSystemDateAndTime` (unauthenticated, as ONVIF requires devices to
    /// answer it; a device that refuses is asked again with credentials) and returns it, seconds.
    @discardableResult
    public func synchronizeClock() async throws(ONVIFError) -> TimeInterval {
        let sent = Date()
        let response: SOAPResponse
        do {
            response = try await call(ONVIFNamespace.device, "GetSystemDateAndTime", authenticated: false)
        } catch .notAuthorized where credentials != nil {
            clockKnown = true
            response = try await call(ONVIFNamespace.device, "GetSystemDateAndTime")
        }
        let cameraTime = try DeviceClock.utcTime(response)
        let received = Date()
        // The camera read its clock somewhere between sending and receiving; whole seconds only.
        clockOffset = cameraTime.timeIntervalSince(sent.addingTimeInterval(received.timeIntervalSince(sent) / 2)).rounded()
        clockKnown = true
        return clockOffset
    }

    /// Manufacturer, model, firmware, serial number.
    public func information() async throws(ONVIFError) -> DeviceInformation {
        try DeviceInformation(try await call(ONVIFNamespace.device, "GetDeviceInformation"))
    }

    /// Where the media, PTZ and event services answer (`GetServices`, or `GetCapabilities` on devices without it).
    public func services() async throws(ONVIFError) -> ServiceAddresses {
        if let cachedServices { return cachedServices }
        let found: ServiceAddresses
        do {
            found = try ServiceAddresses.fromServices(try await call(ONVIFNamespace.device, "GetServices", "<o:IncludeCapability>false</o:IncludeCapability>"))
        } catch .fault {
            found = try ServiceAddresses.fromCapabilities(try await call(ONVIFNamespace.device, "GetCapabilities", "<o:Category>All</o:Category>"))
        }
        cachedServices = found
        return found
    }

    private func mediaAddress() async throws(ONVIFError) -> String {
        guard let media = try await services().media else { throw .unsupported("a media service") }
        return media
    }

    /// The media profiles.
    public func profiles() async throws(ONVIFError) -> [MediaProfile] {
        try MediaProfile.all(try await call(ONVIFNamespace.media, "GetProfiles", at: try await mediaAddress()))
    }

    /// The RTSP URI of a profile's stream (RTP unicast over RTSP).
    public func streamURI(profile: String) async throws(ONVIFError) -> String {
        let parameters = "<o:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></o:StreamSetup>"
            + XMLText.element("o:ProfileToken", profile)
        return try MediaURI.uri(try await call(ONVIFNamespace.media, "GetStreamUri", parameters, at: try await mediaAddress()))
    }

    /// The JPEG snapshot URI of a profile.
    public func snapshotURI(profile: String) async throws(ONVIFError) -> String {
        try MediaURI.uri(try await call(ONVIFNamespace.media, "GetSnapshotUri", XMLText.element("o:ProfileToken", profile), at: try await mediaAddress()))
    }

    /// The video encoder configurations.
    public func encoderConfigurations() async throws(ONVIFError) -> [VideoEncoderConfiguration] {
        try VideoEncoderConfiguration.all(try await call(ONVIFNamespace.media, "GetVideoEncoderConfigurations", at: try await mediaAddress()))
    }

    /// Everything the RTCC needs to add the camera: clock offset, identity, services, and each profile with its
    /// stream and snapshot URIs. A snapshot URI the device refuses is reported as missing with the reason.
    public func inspect() async throws(ONVIFError) -> DeviceReport {
        let offset = try await synchronizeClock()
        let information = try await information()
        let services = try await services()
        var profiles = try await profiles()
        if profiles.contains(where: { $0.encoding == nil }) {
            // Profiles without their encoder settings inline: fill them from the configurations.
            let configurations = try await encoderConfigurations()
            for index in profiles.indices where profiles[index].encoding == nil {
                guard let token = profiles[index].encoderToken, let configuration = configurations.first(where: { $0.token == token }) else { continue }
                profiles[index].encoding = configuration.encoding
                profiles[index].width = configuration.width
                profiles[index].height = configuration.height
                profiles[index].framesPerSecond = configuration.framesPerSecond
                profiles[index].bitrateKbps = configuration.bitrateKbps
            }
        }
        var streams: [DeviceReport.Stream] = []
        for profile in profiles {
            let uri = try await streamURI(profile: profile.token)
            var snapshot: String?
            var snapshotProblem: String?
            do {
                snapshot = try await snapshotURI(profile: profile.token)
            } catch {
                snapshotProblem = error.description
            }
            streams.append(DeviceReport.Stream(profile: profile, streamURI: uri, snapshotURI: snapshot, snapshotProblem: snapshotProblem))
        }
        return DeviceReport(
            address: address, information: information, clockOffsetSeconds: offset, services: services, streams: streams,
            ptz: services.ptz != nil && profiles.contains(where: \.hasPTZ), events: services.events != nil)
    }
}

/// What ``ONVIFDevice/inspect()`` found.
public struct DeviceReport: Sendable, Equatable, Codable {
    /// One profile and where its stream is.
    public struct Stream: Sendable, Equatable, Codable {
        /// The profile.
        public var profile: MediaProfile
        /// Its RTSP URI, as the device gives it.
        public var streamURI: String
        /// Its snapshot URI, when the device gives one.
        public var snapshotURI: String?
        /// Why there is no snapshot URI.
        public var snapshotProblem: String?
    }

    /// The device service address.
    public var address: String
    /// Manufacturer, model, firmware.
    public var information: DeviceInformation
    /// The camera's clock minus ours, seconds.
    public var clockOffsetSeconds: Double
    /// Service addresses.
    public var services: ServiceAddresses
    /// The profiles, in the device's order (the first is usually the main stream).
    public var streams: [Stream]
    /// Whether it can be steered.
    public var ptz: Bool
    /// Whether it offers events.
    public var events: Bool

    /// The profile for recording (the largest picture) and the one for live walls (the smallest, when there are two).
    public var mainAndSub: (main: Stream, sub: Stream?)? {
        let ordered = streams.sorted { ($0.profile.width ?? 0) * ($0.profile.height ?? 0) > ($1.profile.width ?? 0) * ($1.profile.height ?? 0) }
        guard let main = ordered.first else { return nil }
        let sub = ordered.count > 1 ? ordered.last : nil
        return (main, sub)
    }
}
