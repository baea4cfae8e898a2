import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket

extension HTTPServerBuilder {
    /// HTTP/1 with WebSocket upgrade (routed by `webSocketRouter`), every connection held to `limits`: header and idle
    /// timeouts, request-line and header sizes, known methods, and a cap on connections per source address.
    static func guarded(webSocketRouter: Router<AppRequestContext>, limits: HTTPLimits) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        let connections = ConnectionLimiter(limit: limits.maxConnectionsPerAddress)
        // The parser's own limits stay behind the guard's (it counts the target among the headers): a backstop.
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(
                additionalChannelHandlers: [ExchangeTracker()], idleTimeout: limits.idleTimeout,
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes + limits.maxRequestLineBytes)))
        return .init { responder in
            GuardedChildChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                limits: limits, connections: connections)
        }
    }
}
