import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// What the HTTP layer tells ``RequestGuardHandler`` about its connection, sent as outbound user events.
enum RequestGuardEvent: Sendable {
    /// The HTTP parser produced a request head.
    case requestHead
    /// The HTTP parser produced a request's end (its body, if any, is read).
    case requestEnd
    /// Every request read so far is answered: the connection waits for the next one.
    case exchangeComplete
    /// The HTTP parser refused the bytes. The event's promise succeeds when the guard answers the client, and fails
    /// when an answer is already being written (the HTTP layer then reports the error after it).
    case parserError(HTTPParserError)
}

/// The first handler on every connection (after TLS): it holds a connection to the limits of ``HTTPLimits`` while the
/// server waits for a request head, and answers whatever breaks them itself, with bytes written below the HTTP encoder.
///
/// - From the moment a connection opens, or from the first byte of a later request on it, the head must be complete
///   within the header timeout (408); a kept-alive connection with no request under way is closed after the idle
///   timeout.
/// - The head's bytes are checked as they pass (``RequestHeadScanner``): 414, 431, 405 or 400.
/// - Errors of the HTTP parser are answered 400 (431 for oversized headers) when no response is being written.
/// - A connection over the per-address cap is answered 503 at once.
///
/// Once a head is complete, bytes pass untouched until the HTTP layer reports the exchange complete, so request bodies,
/// long downloads and upgraded WebSocket connections are never timed by it.
///
/// A refused connection gets its answer, then its output is closed and what the client still sends is read and dropped
/// for a moment, so the client reads the answer instead of a reset.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State { case awaitingHead, exchange, closing }

    /// How long a refused connection is kept reading (and dropping) what the client still sends.
    static let lingerTime = TimeAmount.seconds(2)

    private let limits: HTTPLimits
    private let refusal: RequestRejection?
    private let logger: Logger
    private var state = State.awaitingHead
    private var scanner: RequestHeadScanner
    private var activated = false
    /// Whether a request head went up and its response has not fully gone down.
    private var exchangeOpen = false
    /// Whether the current request's end was read; bytes after it belong to the next request.
    private var requestEnded = false
    /// Whether bytes of the next request may have passed before the scanner was ready for it.
    private var nextHeadUnaligned = false
    private var timer: Scheduled<Void>?
    private var waitingIdle = false
    private var finished = false

    /// Creates the guard; `refusal` answers the connection at once (too many connections from its address).
    init(limits: HTTPLimits, refusal: RequestRejection? = nil, logger: Logger) {
        self.limits = limits
        self.refusal = refusal
        self.logger = logger
        self.scanner = RequestHeadScanner(maxRequestLineBytes: limits.maxRequestLineBytes, maxHeaderBytes: limits.maxHeaderBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        if state != .exchange, !finished {
            // Closed while no request was under way (by the client, or after a refusal once the client closed its side):
            // the handlers behind learn that the input ended before they learn that the channel did.
            finished = true
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        state = .closing
        context.fireChannelInactive()
    }

    private func activate(context: ChannelHandlerContext) {
        guard !activated else { return }
        activated = true
        if let refusal {
            reject(refusal, context: context)
        } else {
            arm(limits.headerTimeout, idle: false, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .closing:
            return
        case .exchange:
            let endedBefore = requestEnded
            context.fireChannelRead(data)
            // Bytes read after the request's end, or in the read that ended it, may hold the start of the next head.
            if endedBefore || requestEnded { nextHeadUnaligned = true }
        case .awaitingHead:
            let buffer = unwrapInboundIn(data)
            if waitingIdle, buffer.readableBytes > 0 { arm(limits.headerTimeout, idle: false, context: context) }
            switch scanner.scan(buffer) {
            case .needMore:
                context.fireChannelRead(data)
            case .complete:
                state = .exchange
                requestEnded = false
                cancelTimer()
                context.fireChannelRead(data)
            case .reject(let rejection):
                reject(rejection, context: context)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if state == .closing, let event = event as? ChannelEvent, event == .inputClosed {
            finish(context: context)
            return
        }
        if event is ChannelShouldQuiesceEvent, state == .awaitingHead, !exchangeOpen {
            state = .closing
            cancelTimer()
            finish(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? RequestGuardEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .requestHead:
            exchangeOpen = true
            requestEnded = false
            if state == .awaitingHead {
                // The parser found a head the scanner did not see end (its start went by in an earlier read).
                state = .exchange
                cancelTimer()
            }
            promise?.succeed()
        case .requestEnd:
            requestEnded = true
            promise?.succeed()
        case .exchangeComplete:
            exchangeOpen = false
            if state == .exchange {
                state = .awaitingHead
                scanner = RequestHeadScanner(
                    maxRequestLineBytes: limits.maxRequestLineBytes, maxHeaderBytes: limits.maxHeaderBytes, aligned: !nextHeadUnaligned)
                nextHeadUnaligned = false
                arm(limits.idleTimeout, idle: true, context: context)
            }
            promise?.succeed()
        case .parserError(let error):
            if state == .closing {
                promise?.succeed()
            } else if exchangeOpen {
                promise?.fail(error)
            } else {
                reject(.parserError(error), context: context)
                promise?.succeed()
            }
        }
    }

    /// Answers `rejection`, closes the output, and closes the connection when the client has read it (or after the
    /// linger time).
    private func reject(_ rejection: RequestRejection, context: ChannelHandlerContext) {
        guard state != .closing else { return }
        state = .closing
        cancelTimer()
        logger.debug(
            "refused a request below the router",
            metadata: ["status": "\(rejection.status.code)", "peer": "\(context.channel.remoteAddress?.ipAddress ?? "?")"])
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(rejection.response())).whenComplete { _ in
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.lingerTime) { handler.value.finish(context: bound.value) }
    }

    /// Closes the connection for good. The handlers behind are told first that the input ended, which is how the
    /// WebSocket upgrade handler expects a connection to end before its first request (it logs anything else as an
    /// error: one log line per refused connection, which a flood of slow clients would turn into a flood of lines).
    private func finish(context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(promise: nil)
    }

    private func arm(_ delay: TimeAmount, idle: Bool, context: ChannelHandlerContext) {
        cancelTimer()
        waitingIdle = idle
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.value.eventLoop.scheduleTask(in: delay) {
            handler.value.timerFired(context: context.value)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        guard state == .awaitingHead else { return }
        if waitingIdle || !scanner.started {
            // Nothing of a request arrived: close quietly, as a client expects of an idle kept-alive connection.
            state = .closing
            finish(context: context)
        } else {
            reject(.headerTimeout(limits.headerTimeout), context: context)
        }
    }
}
