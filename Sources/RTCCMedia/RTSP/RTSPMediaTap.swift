import Foundation
import NIOCore
import Synchronization

/// Hands the media packets of a playing TCP session straight from the event loop to the client's consumer.
///
/// Without it every socket read crosses two tasks before the consumer sees it (the channel's inbound stream, then the
/// client's loop); at a few hundred cameras those crossings cost as much as the media work itself. Once the client
/// knows the interleaved channels of its tracks (after SETUP, before PLAY is sent) it *arms* the tap: from then on the
/// tap takes the frames of those channels out of the pipeline and keeps them until the client has announced the session
/// (``open()``), then hands each read's packets on as one batch. Requests and responses still go to the client's loop.
///
/// Back-pressure: the tap spends each batch's bytes from the ``RTSPMediaBudget``; while it is spent the tap holds the
/// channel's `read` requests, so the socket is not read and TCP slows the camera down, until the consumer gives bytes
/// back. Nothing is dropped.
final class RTSPMediaTap: ChannelDuplexHandler {
    typealias InboundIn = RTSPMessage
    typealias InboundOut = RTSPMessage
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the packets of one interleaved channel belong.
    struct Route: Sendable, Equatable {
        /// The track's index in the session.
        var track: Int
        /// Whether the channel carries RTCP (else RTP).
        var isRTCP: Bool
    }

    private let sink: RTSPEventSink
    private let activity: RTSPMediaActivity
    /// The shortest time between two socket reads once media flows (zero: read as soon as asked).
    private let readInterval: TimeAmount
    private var lastRead: NIODeadline?
    private var pacedRead: Scheduled<Void>?
    private var routes: [UInt8: Route] = [:]
    private var isOpen = false
    /// Packets taken before the session was announced.
    private var held: [RTSPMediaEvent] = []
    /// Packets of the current read.
    private var batch: [RTSPMediaEvent] = []
    private var batchBytes = 0
    private var batchArrival: Date?
    /// Whether the budget is spent: `read` requests wait.
    private var readsHeld = false
    private var readPending = false
    private var context: ChannelHandlerContext?

    /// A tap delivering into `sink` and noting video activity in `activity`. With a `readInterval`, media is read at
    /// most once per interval: a camera sends a picture as a burst of packets every 40 ms or so, and reading each burst
    /// as it lands costs a system call, a batch and a wake-up of the consumer for little data; waiting lets the kernel
    /// gather several bursts into one read (the socket buffer holds them; latency grows by at most the interval).
    init(sink: RTSPEventSink, activity: RTSPMediaActivity, readInterval: TimeAmount = .zero) {
        self.sink = sink
        self.activity = activity
        self.readInterval = readInterval
    }

    /// Starts taking the frames of the channels in `routes` (held until ``open()``).
    func arm(_ routes: [UInt8: Route]) {
        self.routes = routes
    }

    /// The session was announced to the consumer: what was held goes on, and every later read goes on as it comes.
    func open() {
        isOpen = true
        guard !held.isEmpty else { return }
        sink.deliver(held)
        held = []
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        pacedRead?.cancel()
        pacedRead = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !routes.isEmpty, case .interleaved(let frame) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        guard let route = routes[frame.channel] else { return }
        let arrival = batchArrival ?? Date()
        batchArrival = arrival
        batchBytes += frame.payload.readableBytes
        if route.isRTCP {
            batch.append(.rtcp(track: route.track, bytes: frame.payload, arrival: arrival))
        } else {
            activity.noteVideo()
            batch.append(.rtp(track: route.track, bytes: frame.payload, arrival: arrival))
        }
        if batch.count >= RTSPMessageBatcher.largestBatch { handOn(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handOn(context: context)
        batchArrival = nil
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handOn(context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handOn(context: context)
        context.fireErrorCaught(error)
    }

    func read(context: ChannelHandlerContext) {
        guard readsHeld else {
            issueRead(context: context)
            return
        }
        readPending = true
    }

    /// Reads now, or once `readInterval` has passed since the last read while media flows.
    private func issueRead(context: ChannelHandlerContext) {
        guard isOpen, readInterval > .zero else {
            context.read()
            return
        }
        guard pacedRead == nil else { return }
        let now = NIODeadline.now()
        if let lastRead, now < lastRead + readInterval {
            let tap = NIOLoopBound(self, eventLoop: context.eventLoop)
            pacedRead = context.eventLoop.scheduleTask(deadline: lastRead + readInterval) {
                let tap = tap.value
                tap.pacedRead = nil
                guard let context = tap.context else { return }
                guard !tap.readsHeld else {
                    tap.readPending = true
                    return
                }
                tap.lastRead = .now()
                context.read()
            }
            return
        }
        lastRead = now
        context.read()
    }

    /// Hands the current read's packets on (or holds them before ``open()``) and spends their bytes.
    private func handOn(context: ChannelHandlerContext) {
        guard !batch.isEmpty else { return }
        // Spent before it is handed on: the consumer may give the bytes back as soon as it has them.
        if let budget = sink.budget {
            let tap = NIOLoopBound(self, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            let hasRoom = budget.spendNow(batchBytes) {
                eventLoop.execute { tap.value.resumeReading() }
            }
            if !hasRoom {
                readsHeld = true
                activity.setHeldBack(true)
            }
        }
        batchBytes = 0
        if isOpen {
            sink.deliver(batch)
        } else {
            held += batch
        }
        batch = []
    }

    /// The consumer gave bytes back: a held `read` goes on.
    private func resumeReading() {
        readsHeld = false
        activity.setHeldBack(false)
        guard readPending, let context else { return }
        readPending = false
        issueRead(context: context)
    }
}

/// Whether video arrived by an ``RTSPMediaTap`` since the client last looked (its media timeout), or the tap holds the
/// camera back because the consumer is behind: media then waits unread in the socket, and the camera is not silent.
final class RTSPMediaActivity: Sendable {
    private let seen = Atomic(false)
    private let heldBack = Atomic(false)

    /// Notes whether reading is held back by the consumer's budget.
    func setHeldBack(_ value: Bool) {
        heldBack.store(value, ordering: .relaxed)
    }

    /// Notes that a video packet arrived.
    func noteVideo() {
        seen.store(true, ordering: .relaxed)
    }

    /// Whether a video packet arrived since the last call, or reading is held back now.
    func takeSeen() -> Bool {
        seen.exchange(false, ordering: .relaxed) || heldBack.load(ordering: .relaxed)
    }
}
