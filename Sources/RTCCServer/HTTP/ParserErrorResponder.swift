import NIOCore
import NIOHTTP1

/// Passes HTTP parser errors to ``RequestGuardHandler``, which answers them when no response is being written.
///
/// Without it, an error in a connection's first request (before the WebSocket upgrade handler decides whether the
/// connection stays HTTP) reaches the end of the pipeline unanswered and the connection stays open. It forwards
/// the error unchanged when the guard declines, so the HTTP layer answers it after the response under way.
final class ParserErrorResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let answered = context.eventLoop.makePromise(of: Void.self)
        context.triggerUserOutboundEvent(RequestGuardEvent.parserError(parserError), promise: answered)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        answered.futureResult.whenFailure { _ in context.value.fireErrorCaught(error) }
    }
}
