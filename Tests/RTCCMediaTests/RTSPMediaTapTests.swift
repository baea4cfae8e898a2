import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import RTCCMedia

/// Counts the `read` requests that reach the socket end of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

@Suite struct RTSPMediaTapTests {
    /// What the tap handed on, with the bytes left in the budget at the moment of each hand-over.
    final class Received: Sendable {
        let batches = Mutex<[(events: [RTSPMediaEvent], available: Int)]>([])
    }

    static func pipeline(budget: RTSPMediaBudget?, readInterval: TimeAmount = .zero) throws -> (EmbeddedChannel, RTSPMediaTap, ReadCounterBox, Received) {
        let received = Received()
        let sink = RTSPEventSink(
            deliver: { events in
                received.batches.withLock { $0.append((events, budget?.available ?? 0)) }
            }, finish: {}, budget: budget)
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let tap = RTSPMediaTap(sink: sink, activity: RTSPMediaActivity(), readInterval: readInterval)
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
        try channel.pipeline.syncOperations.addHandler(tap)
        return (channel, tap, ReadCounterBox(counter), received)
    }

    struct ReadCounterBox {
        let counter: ReadCounter
        init(_ counter: ReadCounter) { self.counter = counter }
        var reads: Int { counter.reads }
    }

    static func interleaved(_ channel: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x24, channel, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    @Test func beforeItIsArmedEverythingGoesToTheClientsLoop() throws {
        let (channel, _, _, received) = try Self.pipeline(budget: nil)
        try channel.writeInbound(ByteBuffer(bytes: Self.interleaved(0, [0x80, 0x60, 0, 1])))
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readInbound(as: RTSPMessage.self) == .interleaved(.init(channel: 0, payload: ByteBuffer(bytes: [0x80, 0x60, 0, 1]))))
        #expect(received.batches.withLock { $0.isEmpty })
    }

    @Test func armedMediaIsHeldUntilTheSessionIsAnnouncedThenGoesOnByReadWhileResponsesStillReachTheLoop() throws {
        let (channel, tap, _, received) = try Self.pipeline(budget: nil)
        tap.arm([0: .init(track: 0, isRTCP: false), 1: .init(track: 0, isRTCP: true)])
        var bytes = Self.interleaved(0, [0x80, 0x60, 0, 1])
        bytes += Array("RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 1\r\n\r\n".utf8)
        bytes += Self.interleaved(1, [0x81, 0xC8])
        bytes += Self.interleaved(7, [0x80, 0x61, 0, 9])  // a channel no track uses
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        channel.pipeline.fireChannelReadComplete()
        guard case .response(let response)? = try channel.readInbound(as: RTSPMessage.self) else {
            Issue.record("the response goes to the client's loop")
            return
        }
        #expect(response.cseq == 5)
        #expect(try channel.readInbound(as: RTSPMessage.self) == nil, "media and unknown channels do not")
        #expect(received.batches.withLock { $0.isEmpty }, "nothing goes on before the session is announced")

        tap.open()
        try channel.writeInbound(ByteBuffer(bytes: Self.interleaved(0, [0x80, 0x60, 0, 2])))
        channel.pipeline.fireChannelReadComplete()
        let batches = received.batches.withLock { $0.map(\.events) }
        #expect(batches.count == 2, "what was held, then the next read")
        guard batches.count == 2, batches[0].count == 2, case .rtp(0, let first, _) = batches[0][0],
            case .rtcp(0, _, _) = batches[0][1], case .rtp(0, let later, _) = batches[1].first
        else {
            Issue.record("packets in order with their tracks: \(batches)")
            return
        }
        #expect(first.getInteger(at: 2, as: UInt16.self) == 1)
        #expect(later.getInteger(at: 2, as: UInt16.self) == 2)
    }

    @Test func bytesAreSpentBeforeTheConsumerGetsThemAndReadsWaitWhileTheBudgetIsSpent() throws {
        let budget = RTSPMediaBudget(capacity: 100)
        let (channel, tap, counter, received) = try Self.pipeline(budget: budget)
        tap.arm([0: .init(track: 0, isRTCP: false)])
        tap.open()
        try channel.writeInbound(ByteBuffer(bytes: Self.interleaved(0, [UInt8](repeating: 0x80, count: 60))))
        channel.pipeline.fireChannelReadComplete()
        #expect(received.batches.withLock { $0.last?.available } == 40, "spent before it was handed on")

        channel.read()
        #expect(counter.reads == 1, "40 bytes left: reading goes on")
        try channel.writeInbound(ByteBuffer(bytes: Self.interleaved(0, [UInt8](repeating: 0x80, count: 60))))
        channel.pipeline.fireChannelReadComplete()
        #expect(budget.available == -20)
        channel.read()
        #expect(counter.reads == 1, "the budget is spent: the read waits")

        budget.release(10)
        channel.embeddedEventLoop.run()
        #expect(counter.reads == 1, "less than a quarter back: still waiting")
        budget.release(50)
        channel.embeddedEventLoop.run()
        #expect(counter.reads == 2, "the consumer gave enough back: the waiting read goes on")
    }

    @Test func pacedReadsWaitForTheIntervalOnceMediaFlows() throws {
        let (channel, tap, counter, _) = try Self.pipeline(budget: nil, readInterval: .milliseconds(50))
        channel.read()
        channel.read()
        #expect(counter.reads == 2, "before the session is announced reads are not paced")
        tap.arm([0: .init(track: 0, isRTCP: false)])
        tap.open()
        channel.read()
        #expect(counter.reads == 3, "the first paced read goes at once")
        channel.read()
        channel.read()
        #expect(counter.reads == 3, "the next waits for the interval, and asking twice asks once")
        channel.embeddedEventLoop.advanceTime(to: .now() + .milliseconds(100))
        #expect(counter.reads == 4, "once the interval has passed the waiting read goes on")
    }
}
