import NIOCore

/// Hands the RTSP messages decoded from one socket read on as one array, so a burst of interleaved RTP packets crosses
/// into the client's task once rather than once per packet (each crossing of an async stream costs more than
/// depacketizing the packet).
final class RTSPMessageBatcher: ChannelInboundHandler {
    typealias InboundIn = RTSPMessage
    typealias InboundOut = [RTSPMessage]

    /// The most messages handed on at once; a longer burst goes on in several arrays.
    static let largestBatch = 64

    private var pending: [RTSPMessage] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        if pending.count >= Self.largestBatch { flush(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        flush(context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        flush(context: context)
        context.fireErrorCaught(error)
    }

    private func flush(context: ChannelHandlerContext) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        context.fireChannelRead(wrapInboundOut(batch))
    }
}

/// Where an ``RTSPClient`` hands its media events: in the batches they arrived in, or one by one.
struct RTSPEventSink: Sendable {
    /// Takes events in order; never blocks.
    let deliver: @Sendable ([RTSPMediaEvent]) -> Void
    /// Ends the events.
    let finish: @Sendable () -> Void
    /// The bytes of media the consumer may fall behind by before the client stops reading (nil: no limit; a consumer
    /// that falls behind loses the oldest events of its bounded stream instead).
    var budget: RTSPMediaBudget?

    /// Yields each event on its own.
    static func oneByOne(_ continuation: AsyncStream<RTSPMediaEvent>.Continuation) -> RTSPEventSink {
        RTSPEventSink(deliver: { events in for event in events { continuation.yield(event) } }, finish: { continuation.finish() })
    }

    /// Yields each batch as one element; the consumer gives each batch's bytes back to `budget` once handled.
    static func batched(_ continuation: AsyncStream<[RTSPMediaEvent]>.Continuation, budget: RTSPMediaBudget?) -> RTSPEventSink {
        RTSPEventSink(
            deliver: { events in if !events.isEmpty { continuation.yield(events) } }, finish: { continuation.finish() }, budget: budget)
    }
}
