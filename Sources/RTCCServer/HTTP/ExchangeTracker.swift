import NIOCore
import NIOHTTPTypes

/// Watches the requests and responses of an HTTP/1 connection and tells ``RequestGuardHandler`` when a head arrived,
/// when a request's end was read, and when every request is answered, so it knows when to time the next head.
///
/// It sits with the HTTP handlers (after the request decoder), so it is never part of an upgraded WebSocket connection.
final class ExchangeTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var unanswered = 0
    private var readingRequest = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingRequest = true
            context.triggerUserOutboundEvent(RequestGuardEvent.requestHead, promise: nil)
        case .body:
            break
        case .end:
            readingRequest = false
            context.triggerUserOutboundEvent(RequestGuardEvent.requestEnd, promise: nil)
        }
        context.fireChannelRead(data)
        reportIfComplete(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        if isEnd {
            unanswered = max(0, unanswered - 1)
            reportIfComplete(context: context)
        }
    }

    private func reportIfComplete(context: ChannelHandlerContext) {
        if unanswered == 0, !readingRequest {
            context.triggerUserOutboundEvent(RequestGuardEvent.exchangeComplete, promise: nil)
        }
    }
}
