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
