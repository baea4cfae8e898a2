/// Why bytes read from an RTSP connection could not be decoded.
public enum RTSPDecodingError: Error, Sendable, Equatable {
    /// The start line and headers exceed the limit (in bytes) without ending.
    case headerTooLong(limit: Int)
    /// The declared body is larger than the limit (in bytes).
    case bodyTooLarge(length: Int, limit: Int)
    /// The first line is neither `METHOD URI RTSP/1.0` nor `RTSP/1.0 CODE REASON`.
    case invalidStartLine
    /// The version is not `RTSP/1.x`.
    case unsupportedVersion
    /// The status code is not three digits.
    case invalidStatusCode
    /// A header line has no colon or an empty name.
    case invalidHeaderLine
    /// `Content-Length` is not a non-negative number, or appears twice with different values.
    case invalidContentLength
    /// The header block is not valid UTF-8 or contains control characters.
    case invalidCharacters
    /// The stream ended inside a message.
    case truncatedMessage
}
