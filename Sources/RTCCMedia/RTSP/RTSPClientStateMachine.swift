import Foundation
import NIOCore

/// The client side of an RTSP session, free of I/O: feed it events, carry out the actions it returns.
///
/// OPTIONS → DESCRIBE → SETUP (video first, then audio) → PLAY → keep-alive → TEARDOWN, with one
/// authenticated retry per request on 401, and UDP→TCP fallback on 461 or silence.
public struct RTSPClientStateMachine: Sendable {
    /// Settings for one session.
    public struct Configuration: Sendable {
        /// The stream URL; its credentials are used unless ``credentials`` is set.
        public var url: RTSPURL
        /// Credentials overriding those in the URL.
        public var credentials: RTSPCredentials?
        /// How media should be carried.
        public var transport: RTSPTransportPreference
        /// How long to wait for the first UDP packet before falling back to TCP.
        public var udpTimeout: Duration
        /// How long playing may go without any media before the session fails.
        public var mediaTimeout: Duration
        /// Whether to set up an audio track as well as video.
        public var includeAudio: Bool
        /// The `User-Agent` header value.
        public var userAgent: String
        /// Whether a Basic challenge may be answered on this plain (unencrypted) connection, sending the password in
        /// clear. False by default: the session then fails with ``RTSPAuthenticationError/basicOverPlainRTSP``.
        public var allowsPlainBasicAuth: Bool

        /// Creates a configuration.
        public init(
            url: RTSPURL, credentials: RTSPCredentials? = nil, transport: RTSPTransportPreference = .tcp,
            udpTimeout: Duration = .seconds(3), mediaTimeout: Duration = .seconds(10), includeAudio: Bool = true,
            userAgent: String = "OpenRTCC", allowsPlainBasicAuth: Bool = false
        ) {
            self.allowsPlainBasicAuth = allowsPlainBasicAuth
            self.url = url
            self.credentials = credentials
            self.transport = transport
            self.udpTimeout = udpTimeout
            self.mediaTimeout = mediaTimeout
            self.includeAudio = includeAudio
            self.userAgent = userAgent
        }
    }

    /// What the caller must do next.
    public enum Action: Sendable, Equatable {
        /// Write this request on the connection (and time its response out).
        case send(RTSPRequest)
        /// Open two local UDP ports for `track`, then call ``udpPortsOpened(track:rtpPort:rtcpPort:)``.
        case openUDPPorts(track: Int)
        /// Hand this event to the consumer.
        case deliver(RTSPMediaEvent)
        /// Call ``keepAliveTimerFired()`` after this delay.
        case scheduleKeepAlive(after: Duration)
        /// Call ``udpCheckTimerFired()`` after this delay.
        case scheduleUDPCheck(after: Duration)
        /// Call ``mediaCheckTimerFired()`` after this delay.
        case scheduleMediaCheck(after: Duration)
        /// Close everything and start again on a new connection using TCP.
        case restartWithTCP
        /// Close the connection: the session ended normally.
        case close
        /// Close the connection: the session failed.
        case fail(RTSPClientFailure)
    }

    enum State: Sendable, Equatable {
        case idle
        case options
        case describe
        case setup(track: Int)
        case waitingForUDPPorts(track: Int)
        case play
        case playing
        case tearingDown
        case finished
    }

    let configuration: Configuration
    private(set) var state: State = .idle
    private(set) var lowerTransport: RTSPTransport.LowerTransport
    private(set) var tracks: [RTSPTrack] = []
    private var description: SessionDescription?
    private var contentBase = ""
    private var session: RTSPSessionHeader?
    private var supportsGetParameter = false
    private var authenticator: RTSPAuthenticator?
    private var nextCSeq = 1
    private var pending: [Int: (request: RTSPRequest, isAuthRetry: Bool)] = [:]
    private var udpPorts: [Int: RTSPTransport.ChannelPair] = [:]
    private var udpPacketSeen = false
    private var mediaSinceCheck = false

    /// Creates a state machine; `forcedTransport` overrides the configured one (used after a fallback).
    public init(configuration: Configuration, forcedTransport: RTSPTransportPreference? = nil) {
        self.configuration = configuration
        self.lowerTransport = (forcedTransport ?? configuration.transport) == .tcp ? .tcp : .udp
    }

    private var credentials: RTSPCredentials? { configuration.credentials ?? configuration.url.credentials }

    /// The session identifier, once SETUP succeeded.
    public var sessionID: String? { session?.id }

    /// Starts the session: sends OPTIONS.
    public mutating func start() -> [Action] {
        guard state == .idle else { return [] }
        state = .options
        return [send(.options, uri: configuration.url.requestURI)]
    }

    /// Ends the session politely: TEARDOWN if a session exists, else close.
    public mutating func stop() -> [Action] {
        switch state {
        case .finished, .tearingDown: return []
        default:
            guard session != nil else {
                state = .finished
                return [.close]
            }
            state = .tearingDown
            return [send(.teardown, uri: aggregateURL)]
        }
    }

    /// The connection closed, or failed to decode.
    public mutating func connectionClosed(error: RTSPDecodingError? = nil) -> [Action] {
        guard state != .finished else { return [] }
        let wasTearingDown = state == .tearingDown
        state = .finished
        if wasTearingDown { return [.close] }
        return [.fail(error.map(RTSPClientFailure.decodingFailed) ?? .connectionClosed)]
    }

    /// The response to the request with `cseq` did not arrive in time.
    public mutating func responseTimeoutFired(cseq: Int) -> [Action] {
        guard let entry = pending.removeValue(forKey: cseq), state != .finished else { return [] }
        // While playing, a keep-alive's answer comes behind the media the server sent before it: a client that is behind
        // in reading (a busy recorder holding the camera back) gets it late. That is not a dead session, and ending it
        // would lose footage and reconnect under load; the media check ends a session from which nothing arrives.
        if state == .playing, entry.request.method == .getParameter || entry.request.method == .options { return [] }
        if state == .tearingDown {
            state = .finished
            return [.close]
        }
        state = .finished
        return [.fail(.responseTimeout(entry.request.method))]
    }

    /// Time to send a keep-alive request.
    public mutating func keepAliveTimerFired() -> [Action] {
        guard state == .playing, let session else { return [] }
        let method: RTSPMethod = supportsGetParameter ? .getParameter : .options
        return [send(method, uri: aggregateURL), .scheduleKeepAlive(after: .seconds(max(1, session.timeout / 2)))]
    }

    /// Time to check whether any UDP packet has arrived.
    public mutating func udpCheckTimerFired() -> [Action] {
        guard state == .playing, lowerTransport == .udp, configuration.transport == .udpWithTCPFallback, !udpPacketSeen else { return [] }
        state = .finished
        return [send(.teardown, uri: aggregateURL), .restartWithTCP]
    }

    /// Time to check whether media arrived since the last check.
    public mutating func mediaCheckTimerFired() -> [Action] {
        guard state == .playing else { return [] }
        guard mediaSinceCheck else {
            state = .finished
            return [.fail(.mediaTimeout)]
        }
        mediaSinceCheck = false
        return [.scheduleMediaCheck(after: configuration.mediaTimeout)]
    }

    /// Video arrived by a path that bypasses ``receivedInterleaved(_:arrival:)`` (the client's media tap): it counts for
    /// the media timeout like any packet the machine saw.
    mutating func mediaArrived() {
        mediaSinceCheck = true
    }

    /// The interleaved channels of the tracks set up over TCP, with the track each belongs to.
    var interleavedRoutes: [UInt8: RTSPMediaTap.Route] {
        var routes: [UInt8: RTSPMediaTap.Route] = [:]
        for track in tracks {
            guard let channels = track.transport?.interleaved else { continue }
            if let rtp = UInt8(exactly: channels.rtp), routes[rtp] == nil { routes[rtp] = .init(track: track.index, isRTCP: false) }
            if let rtcp = UInt8(exactly: channels.rtcp), routes[rtcp] == nil { routes[rtcp] = .init(track: track.index, isRTCP: true) }
        }
        return routes
    }

    /// Local UDP ports for `track` are open.
    public mutating func udpPortsOpened(track: Int, rtpPort: Int, rtcpPort: Int) -> [Action] {
        guard state == .waitingForUDPPorts(track: track) else { return [] }
        udpPorts[track] = RTSPTransport.ChannelPair(rtp: rtpPort, rtcp: rtcpPort)
        return sendSetup(track: track)
    }

    /// An interleaved frame arrived on the connection.
    /// In the client only packets read before the media tap is armed come here; both route by ``interleavedRoutes``.
    public mutating func receivedInterleaved(_ frame: RTSPInterleavedFrame, arrival: Date) -> Action? {
        guard let route = interleavedRoutes[frame.channel] else { return nil }
        return deliverMedia(track: route.track, rtcp: route.isRTCP, frame.payload, arrival)
    }

    /// A UDP datagram arrived on one of `track`'s ports.
    public mutating func receivedUDP(track: Int, isRTCP: Bool, payload: ByteBuffer, arrival: Date) -> Action? {
        guard tracks.indices.contains(track) else { return nil }
        udpPacketSeen = true
        return deliverMedia(track: track, rtcp: isRTCP, payload, arrival)
    }

    private mutating func deliverMedia(track: Int, rtcp: Bool, _ payload: ByteBuffer, _ arrival: Date) -> Action {
        if !rtcp { mediaSinceCheck = true }
        return .deliver(rtcp ? .rtcp(track: track, bytes: payload, arrival: arrival) : .rtp(track: track, bytes: payload, arrival: arrival))
    }

    /// The server sent a request (e.g. OPTIONS as keep-alive probe); it is answered with 501 unless it is OPTIONS.
    public func receivedRequest(_ request: RTSPRequest) -> RTSPResponse {
        var headers: RTSPHeaders = ["CSeq": request.headers["CSeq"] ?? "0"]
        if request.method == .options {
            headers.add(name: "Public", value: "OPTIONS")
            return RTSPResponse(statusCode: 200, headers: headers)
        }
        return RTSPResponse(statusCode: 501, headers: headers)
    }

    var aggregateURL: String {
        description?.aggregateControlURL(contentBase: contentBase) ?? configuration.url.requestURI
    }

    mutating func send(_ method: RTSPMethod, uri: String, headers extra: RTSPHeaders = [:], isAuthRetry: Bool = false) -> Action {
        var headers: RTSPHeaders = ["CSeq": String(nextCSeq), "User-Agent": configuration.userAgent]
        for field in extra { headers.add(name: field.name, value: field.value) }
        if let session { headers.replaceOrAdd(name: "Session", value: session.id) }
        if var authenticator {
            headers.add(name: "Authorization", value: authenticator.authorization(method: method, uri: uri))
            self.authenticator = authenticator
        }
        let request = RTSPRequest(method: method, uri: uri, headers: headers)
        pending[nextCSeq] = (request, isAuthRetry)
        nextCSeq += 1
        return .send(request)
    }
}

extension RTSPClientStateMachine {
    /// A response arrived on the connection.
    public mutating func received(_ response: RTSPResponse) -> [Action] {
        guard state != .finished, let cseq = response.cseq, let entry = pending.removeValue(forKey: cseq) else { return [] }
        if response.statusCode == 401 { return handleUnauthorized(response, entry.request, isAuthRetry: entry.isAuthRetry) }
        switch (state, entry.request.method) {
        case (.options, .options): return handleOptions(response)
        case (.describe, .describe): return handleDescribe(response, requestURI: entry.request.uri)
        case (.setup(let track), .setup): return handleSetup(response, track: track)
        case (.play, .play): return handlePlay(response)
        case (.tearingDown, .teardown):
            state = .finished
            return [.close]
        default: return []
        }
    }

    private mutating func handleUnauthorized(_ response: RTSPResponse, _ request: RTSPRequest, isAuthRetry: Bool) -> [Action] {
        if state == .tearingDown {
            state = .finished
            return [.close]
        }
        guard let credentials else { return fail(.authenticationRequired) }
        guard !isAuthRetry else { return fail(.authenticationFailed) }
        do {
            authenticator = try RTSPAuthenticator(
                challenges: response.headers.values(name: "WWW-Authenticate"), credentials: credentials, allowsBasic: configuration.allowsPlainBasicAuth)
        } catch {
            return fail(.unsupportedAuthentication(error))
        }
        var headers = request.headers
        for name in ["CSeq", "User-Agent", "Session", "Authorization"] { headers.remove(name: name) }
        return [send(request.method, uri: request.uri, headers: headers, isAuthRetry: true)]
    }

    private mutating func fail(_ failure: RTSPClientFailure) -> [Action] {
        state = .finished
        return [.fail(failure)]
    }

    private mutating func handleOptions(_ response: RTSPResponse) -> [Action] {
        if response.isSuccess, let methods = response.headers["Public"] {
            supportsGetParameter = methods.uppercased().split(separator: ",").contains { $0.trimmingASCIIWhitespace() == "GET_PARAMETER" }
        }
        state = .describe
        return [send(.describe, uri: configuration.url.requestURI, headers: ["Accept": "application/sdp"])]
    }

    private mutating func handleDescribe(_ response: RTSPResponse, requestURI: String) -> [Action] {
        guard response.isSuccess else { return fail(.unexpectedStatus(method: .describe, statusCode: response.statusCode)) }
        let parsed: SessionDescription
        do {
            parsed = try SessionDescription.parse(String(buffer: response.body))
        } catch {
            return fail(.invalidDescription(error))
        }
        contentBase = response.headers["Content-Base"] ?? response.headers["Content-Location"] ?? requestURI
        description = parsed
        tracks = Self.selectTracks(parsed, contentBase: contentBase, includeAudio: configuration.includeAudio)
        guard !tracks.isEmpty else { return fail(.noPlayableTracks) }
        return beginSetup(track: 0)
    }

    static func selectTracks(_ description: SessionDescription, contentBase: String, includeAudio: Bool) -> [RTSPTrack] {
        var chosen: [(Int, MediaDescription)] = []
        if let video = description.media.enumerated().first(where: { $0.element.type == "video" && $0.element.proto.hasPrefix("RTP/") }) {
            chosen.append(video)
        }
        if includeAudio,
            let audio = description.media.enumerated().first(where: { $0.element.type == "audio" && $0.element.proto.hasPrefix("RTP/") })
        {
            chosen.append(audio)
        }
        return chosen.enumerated().map { index, entry in
            RTSPTrack(index: index, mediaIndex: entry.0, media: entry.1, controlURL: description.controlURL(for: entry.1, contentBase: contentBase))
        }
    }

    private mutating func beginSetup(track: Int) -> [Action] {
        if lowerTransport == .tcp {
            state = .setup(track: track)
            return sendSetup(track: track)
        }
        state = .waitingForUDPPorts(track: track)
        return [.openUDPPorts(track: track)]
    }

    private mutating func sendSetup(track: Int) -> [Action] {
        state = .setup(track: track)
        let requested: RTSPTransport
        if lowerTransport == .tcp {
            requested = .tcp(interleaved: .init(rtp: track * 2, rtcp: track * 2 + 1))
        } else {
            guard let ports = udpPorts[track] else { return fail(.udpSetupFailed) }
            requested = .udp(clientPort: ports)
        }
        return [send(.setup, uri: tracks[track].controlURL, headers: ["Transport": requested.headerValue])]
    }

    private mutating func handleSetup(_ response: RTSPResponse, track: Int) -> [Action] {
        if response.statusCode == 461, lowerTransport != .tcp, configuration.transport == .udpWithTCPFallback {
            guard track == 0 else { return [.restartWithTCP] }
            lowerTransport = .tcp
            return [.deliver(.fellBackToTCP)] + beginSetup(track: 0)
        }
        if response.statusCode == 461 { return fail(.transportRejected) }
        guard response.isSuccess else { return fail(.unexpectedStatus(method: .setup, statusCode: response.statusCode)) }
        guard let value = response.headers["Session"], let parsed = try? RTSPSessionHeader(parsing: value) else { return fail(.missingSession) }
        if session?.id != parsed.id { session = parsed }
        guard let transportText = response.headers["Transport"],
            let confirmed = (try? RTSPTransport.parseList(transportText))?.first,
            confirmed.lowerTransport == lowerTransport
        else { return fail(.invalidTransport) }
        var confirmedTransport = confirmed
        if lowerTransport == .tcp, confirmed.interleaved == nil { confirmedTransport.interleaved = .init(rtp: track * 2, rtcp: track * 2 + 1) }
        tracks[track].transport = confirmedTransport
        if track + 1 < tracks.count { return beginSetup(track: track + 1) }
        state = .play
        return [send(.play, uri: aggregateURL, headers: ["Range": "npt=0.000-"])]
    }

    private mutating func handlePlay(_ response: RTSPResponse) -> [Action] {
        guard response.isSuccess else { return fail(.unexpectedStatus(method: .play, statusCode: response.statusCode)) }
        state = .playing
        guard let description, let session else { return fail(.missingSession) }
        var actions: [Action] = [
            .deliver(.sessionStarted(description, tracks)),
            .scheduleKeepAlive(after: .seconds(max(1, session.timeout / 2))),
            .scheduleMediaCheck(after: configuration.mediaTimeout),
        ]
        if lowerTransport == .udp, configuration.transport == .udpWithTCPFallback {
            actions.append(.scheduleUDPCheck(after: configuration.udpTimeout))
        }
        return actions
    }
}
