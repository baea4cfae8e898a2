import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Wraps the HTTP child channel (HTTP/1 with WebSocket upgrade) so that every connection starts with the per-address
/// cap and ``RequestGuardHandler`` in front of the HTTP decoder, and ends with ``ParserErrorResponder`` behind it.
///
/// Wrapped in turn by TLS when HTTPS is configured, so the guard reads decrypted bytes and its answers are encrypted.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let limits: HTTPLimits
    let connections: ConnectionLimiter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var refusal: RequestRejection?
            if let address = channel.remoteAddress?.ipAddress {
                if connections.acquire(address) {
                    let connections = self.connections
                    channel.closeFuture.whenComplete { _ in connections.release(address) }
                } else {
                    refusal = .tooManyConnections(limit: connections.limit)
                }
            }
            try channel.pipeline.syncOperations.addHandler(RequestGuardHandler(limits: limits, refusal: refusal, logger: logger))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(ParserErrorResponder())
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
