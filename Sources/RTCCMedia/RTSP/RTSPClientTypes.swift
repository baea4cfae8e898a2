import Foundation
import NIOCore

/// How the client asks for media to be carried.
public enum RTSPTransportPreference: Sendable, Equatable {
    /// RTP interleaved on the RTSP TCP connection.
    case tcp
    /// RTP over UDP only.
    case udp
    /// UDP first; TCP if the server answers 461 or no UDP packet arrives in time.
    case udpWithTCPFallback
}

/// A media stream the client set up.
public struct RTSPTrack: Sendable, Equatable {
    /// The position in the client's track list (video first), used in ``RTSPMediaEvent``.
    public var index: Int
    /// The index of the `m=` section in the session description.
    public var mediaIndex: Int
    /// The `m=` section.
    public var media: MediaDescription
    /// The resolved URL used in SETUP.
    public var controlURL: String
    /// The transport the server confirmed, once set up.
    public var transport: RTSPTransport?

    /// Creates a track.
    public init(index: Int, mediaIndex: Int, media: MediaDescription, controlURL: String, transport: RTSPTransport? = nil) {
        self.index = index
        self.mediaIndex = mediaIndex
        self.media = media
        self.controlURL = controlURL
        self.transport = transport
    }
}

/// What an ``RTSPClient`` reports while it runs.
public enum RTSPMediaEvent: Sendable, Equatable {
    /// PLAY succeeded: the description and the tracks set up, video first.
    case sessionStarted(SessionDescription, [RTSPTrack])
    /// An RTP packet of `track`, as received.
    case rtp(track: Int, bytes: ByteBuffer, arrival: Date)
    /// An RTCP packet of `track`, as received.
    case rtcp(track: Int, bytes: ByteBuffer, arrival: Date)
    /// The transport changed to TCP after UDP failed; a new ``sessionStarted(_:_:)`` follows.
    case fellBackToTCP
    /// The session is over; no event follows.
    case ended(RTSPSessionEndReason)
}

/// Why an RTSP session ended.
public enum RTSPSessionEndReason: Sendable, Equatable {
    /// The client was stopped or cancelled.
    case stopped
    /// The session failed.
    case failed(RTSPClientFailure)
}

/// Why an RTSP client session failed.
public enum RTSPClientFailure: Error, Sendable, Equatable {
    /// The URL could not be used.
    case invalidURL(RTSPURL.ParseError)
    /// The TCP connection could not be made (reason text has no credentials).
    case connectionFailed(String)
    /// The server closed the connection.
    case connectionClosed
    /// The server sent bytes that are not RTSP.
    case decodingFailed(RTSPDecodingError)
    /// A request got an error status.
    case unexpectedStatus(method: RTSPMethod, statusCode: Int)
    /// The server wants credentials and none were given.
    case authenticationRequired
    /// The server rejected the credentials.
    case authenticationFailed
    /// The server's challenge cannot be answered.
    case unsupportedAuthentication(RTSPAuthenticationError)
    /// The DESCRIBE body is not a valid session description.
    case invalidDescription(SDPError)
    /// The description has no video or audio stream.
    case noPlayableTracks
    /// A SETUP reply has no valid `Session` header.
    case missingSession
    /// A SETUP reply has no usable `Transport` header.
    case invalidTransport
    /// The server refused every transport offered.
    case transportRejected
    /// No response came in time for a request.
    case responseTimeout(RTSPMethod)
    /// No media arrived for too long while playing.
    case mediaTimeout
    /// Local UDP ports could not be opened.
    case udpSetupFailed
}
