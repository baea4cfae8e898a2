import NIOCore

/// What the HTTP server allows a connection before it has to send a request, and how long it may take.
///
/// Enforced below the router, on the bytes of each connection (``RequestGuardHandler``), so a slow or malformed client
/// is answered and closed without reaching a route.
public struct HTTPLimits: Sendable, Equatable {
    /// A client must send a request's complete head (request line and headers) within this time: from the moment it
    /// connects, or from its first byte of a later request on a kept-alive connection. 408, then closed.
    public var headerTimeout: TimeAmount
    /// A kept-alive connection with no request under way is closed after this long without a byte.
    public var idleTimeout: TimeAmount
    /// The longest request line (`GET /path?query HTTP/1.1`) accepted, without its line end. 414 above.
    public var maxRequestLineBytes: Int
    /// The most bytes of header lines accepted after the request line, line ends included. 431 above.
    public var maxHeaderBytes: Int
    /// Connections one source address may hold open at once; more are answered 503 and closed.
    public var maxConnectionsPerAddress: Int

    /// The methods the server implements; any other method is answered 405 before routing.
    public static let allowedMethods: [String] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Creates limits.
    public init(
        headerTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(75), maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024, maxConnectionsPerAddress: Int = 256
    ) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
    }

    /// The limits a configuration sets.
    public init(config: AppConfig) {
        self.init(
            headerTimeout: .seconds(Int64(config.headerTimeoutSeconds)), idleTimeout: .seconds(Int64(config.idleTimeoutSeconds)),
            maxRequestLineBytes: config.maxRequestLineBytes, maxHeaderBytes: config.maxHeaderBytes,
            maxConnectionsPerAddress: config.maxConnectionsPerAddress)
    }
}
