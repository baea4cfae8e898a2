import NIOCore

/// An RTSP method name such as `DESCRIBE`; unknown methods are kept as written.
public struct RTSPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The method name as sent on the wire.
    public let rawValue: String

    /// Creates a method from its wire name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `OPTIONS`
    public static let options = RTSPMethod(rawValue: "OPTIONS")
    /// `DESCRIBE`
    public static let describe = RTSPMethod(rawValue: "DESCRIBE")
    /// `SETUP`
    public static let setup = RTSPMethod(rawValue: "SETUP")
    /// `PLAY`
    public static let play = RTSPMethod(rawValue: "PLAY")
    /// `PAUSE`
    public static let pause = RTSPMethod(rawValue: "PAUSE")
    /// `TEARDOWN`
    public static let teardown = RTSPMethod(rawValue: "TEARDOWN")
    /// `GET_PARAMETER`
    public static let getParameter = RTSPMethod(rawValue: "GET_PARAMETER")
    /// `SET_PARAMETER`
    public static let setParameter = RTSPMethod(rawValue: "SET_PARAMETER")
    /// `ANNOUNCE`
    public static let announce = RTSPMethod(rawValue: "ANNOUNCE")
    /// `RECORD`
    public static let record = RTSPMethod(rawValue: "RECORD")

    /// The wire name.
    public var description: String { rawValue }
}

/// An RTSP request.
public struct RTSPRequest: Sendable, Equatable {
    /// The method.
    public var method: RTSPMethod
    /// The request URI (`*` or an absolute `rtsp://` URL).
    public var uri: String
    /// The protocol version, `RTSP/1.0`.
    public var version: String
    /// The header fields.
    public var headers: RTSPHeaders
    /// The body; empty when there is none.
    public var body: ByteBuffer

    /// Creates a request.
    public init(method: RTSPMethod, uri: String, version: String = "RTSP/1.0", headers: RTSPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The `CSeq` header as a number.
    public var cseq: Int? { headers.cseq }
}

/// An RTSP response.
public struct RTSPResponse: Sendable, Equatable {
    /// The protocol version, `RTSP/1.0`.
    public var version: String
    /// The status code, such as 200 or 401.
    public var statusCode: Int
    /// The reason phrase, such as `OK`.
    public var reasonPhrase: String
    /// The header fields.
    public var headers: RTSPHeaders
    /// The body; empty when there is none.
    public var body: ByteBuffer

    /// Creates a response.
    public init(statusCode: Int, reasonPhrase: String? = nil, version: String = "RTSP/1.0", headers: RTSPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.version = version
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase ?? RTSPResponse.defaultReason(statusCode)
        self.headers = headers
        self.body = body
    }

    /// The `CSeq` header as a number.
    public var cseq: Int? { headers.cseq }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(statusCode) }

    /// The standard reason phrase for a status code.
    public static func defaultReason(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 454: "Session Not Found"
        case 455: "Method Not Valid in This State"
        case 459: "Aggregate Operation Not Allowed"
        case 461: "Unsupported Transport"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Status \(code)"
        }
    }
}

/// A binary frame carried on the RTSP connection (`$`, channel, 16-bit length, payload; RFC 2326 §10.12).
public struct RTSPInterleavedFrame: Sendable, Equatable {
    /// The interleaved channel number.
    public var channel: UInt8
    /// The payload, an RTP or RTCP packet.
    public var payload: ByteBuffer

    /// Creates a frame.
    public init(channel: UInt8, payload: ByteBuffer) {
        self.channel = channel
        self.payload = payload
    }
}

/// Anything that travels on an RTSP connection.
public enum RTSPMessage: Sendable, Equatable {
    /// A request.
    case request(RTSPRequest)
    /// A response.
    case response(RTSPResponse)
    /// An interleaved binary frame.
    case interleaved(RTSPInterleavedFrame)
}
