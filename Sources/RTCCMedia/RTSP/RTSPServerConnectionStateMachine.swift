import Foundation
import NIOCore

/// The server side of one RTSP connection (one session per connection), free of I/O.
///
/// Paths map to session descriptions; tracks are the `m=` sections, addressed as `<path>/trackID=<n>`.
public struct RTSPServerConnectionStateMachine: Sendable {
    /// A track's confirmed transport.
    public struct TrackTransport: Sendable, Equatable {
        /// The track index.
        public var track: Int
        /// The transport confirmed to the client (for UDP, with `server_port`).
        public var transport: RTSPTransport

        /// Creates a track transport.
        public init(track: Int, transport: RTSPTransport) {
            self.track = track
            self.transport = transport
        }
    }

    /// What the caller must do.
    public enum Action: Sendable, Equatable {
        /// Send this response.
        case respond(RTSPResponse)
        /// Bind two UDP ports for `track`, then call ``udpPortsOpened(for:track:serverPorts:)`` (or ``udpPortsFailed(for:)``).
        case openUDPPorts(track: Int, clientPorts: RTSPTransport.ChannelPair, request: RTSPRequest)
        /// Send the response, then stream `path`'s packets on these transports.
        case startStreaming(RTSPResponse, path: String, tracks: [TrackTransport])
        /// Send the response, stop streaming and close the connection.
        case respondAndClose(RTSPResponse)
    }

    /// The methods answered, for `Public`.
    public static let supportedMethods: [RTSPMethod] = [.options, .describe, .setup, .play, .getParameter, .setParameter, .teardown]

    private let descriptions: [String: SessionDescription]
    private let authentication: RTSPServerAuthentication?
    private let session: RTSPSessionHeader
    private let nonce: String
    private var setupPath: String?
    private var transports: [TrackTransport] = []
    private var playing = false

    /// Creates a state machine for paths such as `/cam1` (normalised without a trailing slash).
    public init(
        descriptions: [String: SessionDescription], authentication: RTSPServerAuthentication?, sessionID: String, nonce: String,
        sessionTimeout: Int = RTSPSessionHeader.defaultTimeout
    ) {
        var normalized: [String: SessionDescription] = [:]
        for (path, description) in descriptions { normalized[Self.normalize(path)] = description }
        self.descriptions = normalized
        self.authentication = authentication
        self.session = RTSPSessionHeader(id: sessionID, timeout: sessionTimeout)
        self.nonce = nonce
    }

    /// Handles one request.
    public mutating func received(_ request: RTSPRequest) -> Action {
        if request.method != .options, let authentication,
            !authentication.verify(authorization: request.headers["Authorization"], method: request.method, nonce: nonce)
        {
            return .respond(response(401, to: request, ["WWW-Authenticate": authentication.challenge(nonce: nonce)]))
        }
        switch request.method {
        case .options:
            let methods = Self.supportedMethods.map(\.rawValue).joined(separator: ", ")
            return .respond(response(200, to: request, ["Public": methods]))
        case .describe: return describe(request)
        case .setup: return setup(request)
        case .play: return play(request)
        case .getParameter, .setParameter:
            guard sessionMatches(request) else { return .respond(response(454, to: request)) }
            return .respond(response(200, to: request, withSession: setupPath != nil))
        case .teardown:
            guard sessionMatches(request) else { return .respond(response(454, to: request)) }
            playing = false
            return .respondAndClose(response(200, to: request))
        default:
            return .respond(response(501, to: request, ["Public": Self.supportedMethods.map(\.rawValue).joined(separator: ", ")]))
        }
    }

    /// Server UDP ports for a pending SETUP are bound.
    public mutating func udpPortsOpened(for request: RTSPRequest, track: Int, serverPorts: RTSPTransport.ChannelPair) -> Action {
        guard let requested = try? RTSPTransport.parseList(request.headers["Transport"] ?? ""),
            let clientPorts = requested.first(where: { $0.lowerTransport == .udp })?.clientPort
        else { return .respond(response(461, to: request)) }
        var confirmed = RTSPTransport.udp(clientPort: clientPorts)
        confirmed.serverPort = serverPorts
        return confirmSetup(request, track: track, transport: confirmed)
    }

    /// Server UDP ports could not be bound.
    public func udpPortsFailed(for request: RTSPRequest) -> Action {
        .respond(response(500, to: request))
    }

    private func describe(_ request: RTSPRequest) -> Action {
        guard let (path, track) = resolve(request.uri), track == nil, let description = descriptions[path] else {
            return .respond(response(404, to: request))
        }
        var body = ByteBuffer()
        body.writeString(Self.servedDescription(description).text)
        var base = request.uri
        if let query = base.firstIndex(of: "?") { base = String(base[..<query]) }
        if !base.hasSuffix("/") { base += "/" }
        var reply = response(200, to: request, ["Content-Type": "application/sdp", "Content-Base": base], withSession: false)
        reply.body = body
        return .respond(reply)
    }

    /// The description as served: one `a=control:trackID=<n>` per media section, no session-level control.
    public static func servedDescription(_ description: SessionDescription) -> SessionDescription {
        var served = description
        served.attributes.removeAll { $0.name == "control" }
        for index in served.media.indices {
            served.media[index].attributes.removeAll { $0.name == "control" }
            served.media[index].attributes.append(SDPAttribute(name: "control", value: "trackID=\(index)"))
        }
        return served
    }

    private mutating func setup(_ request: RTSPRequest) -> Action {
        guard let (path, trackOrNil) = resolve(request.uri), let description = descriptions[path] else {
            return .respond(response(404, to: request))
        }
        let track = trackOrNil ?? 0
        guard description.media.indices.contains(track) else { return .respond(response(404, to: request)) }
        guard !playing else { return .respond(response(455, to: request)) }
        if request.headers.contains(name: "Session"), !sessionMatches(request) { return .respond(response(454, to: request)) }
        if let setupPath, setupPath != path { return .respond(response(459, to: request)) }
        guard let offers = try? RTSPTransport.parseList(request.headers["Transport"] ?? "") else {
            return .respond(response(461, to: request))
        }
        for offer in offers where !offer.isMulticast {
            switch offer.lowerTransport {
            case .tcp:
                let channels = offer.interleaved ?? .init(rtp: track * 2, rtcp: track * 2 + 1)
                guard !transports.contains(where: { $0.transport.interleaved?.rtp == channels.rtp }) else { continue }
                return confirmSetup(request, track: track, transport: .tcp(interleaved: channels), path: path)
            case .udp:
                guard let ports = offer.clientPort else { continue }
                setupPath = path
                return .openUDPPorts(track: track, clientPorts: ports, request: request)
            }
        }
        return .respond(response(461, to: request))
    }

    private mutating func confirmSetup(_ request: RTSPRequest, track: Int, transport: RTSPTransport, path: String? = nil) -> Action {
        if let path { setupPath = path }
        transports.removeAll { $0.track == track }
        transports.append(TrackTransport(track: track, transport: transport))
        return .respond(response(200, to: request, ["Transport": transport.headerValue]))
    }

    private mutating func play(_ request: RTSPRequest) -> Action {
        guard sessionMatches(request) else { return .respond(response(454, to: request)) }
        guard let setupPath, !transports.isEmpty else { return .respond(response(455, to: request)) }
        if let (path, _) = resolve(request.uri), path != setupPath { return .respond(response(404, to: request)) }
        let alreadyPlaying = playing
        playing = true
        let reply = response(200, to: request, ["Range": "npt=0.000-"])
        if alreadyPlaying { return .respond(reply) }
        return .startStreaming(reply, path: setupPath, tracks: transports.sorted { $0.track < $1.track })
    }

    private func sessionMatches(_ request: RTSPRequest) -> Bool {
        guard let value = request.headers["Session"] else { return setupPath == nil }
        return (try? RTSPSessionHeader(parsing: value))?.id == session.id
    }

    private func response(_ status: Int, to request: RTSPRequest, _ extra: RTSPHeaders = [:], withSession: Bool = true) -> RTSPResponse {
        var headers: RTSPHeaders = ["CSeq": request.headers["CSeq"] ?? "0", "Server": "OpenRTCC"]
        if withSession, setupPath != nil, status < 300 || status == 461 { headers.add(name: "Session", value: session.headerValue) }
        for field in extra { headers.add(name: field.name, value: field.value) }
        return RTSPResponse(statusCode: status, headers: headers)
    }

    /// Splits a request URI into a known path and an optional track number.
    func resolve(_ uri: String) -> (path: String, track: Int?)? {
        var path = uri
        if let schemeEnd = path.range(of: "://") {
            let afterScheme = path[schemeEnd.upperBound...]
            path = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        }
        if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
        path = Self.normalize(path)
        if descriptions[path] != nil { return (path, nil) }
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let parent = Self.normalize(String(path[..<slash]))
        let control = path[path.index(after: slash)...]
        guard descriptions[parent] != nil, control.hasPrefix("trackID="), let track = Int(control.dropFirst(8)) else { return nil }
        return (parent, track)
    }

    static func normalize(_ path: String) -> String {
        var result = path.hasPrefix("/") ? path : "/" + path
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
