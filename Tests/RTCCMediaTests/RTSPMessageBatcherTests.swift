import NIOCore
import NIOEmbedded
import Testing

@testable import RTCCMedia

@Suite struct RTSPMessageBatcherTests {
    static func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
        try channel.pipeline.syncOperations.addHandler(RTSPMessageBatcher())
        return channel
    }

    static func interleaved(_ channel: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x24, channel, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    @Test func theMessagesOfOneReadGoOnTogetherInTheOrderTheyCame() throws {
        let channel = try Self.channel()
        var bytes = Array("RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 1\r\n\r\n".utf8)
        bytes += Self.interleaved(0, [0x80, 0x60, 0x00, 0x01])
        bytes += Self.interleaved(1, [0x81, 0xC8])
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        channel.pipeline.fireChannelReadComplete()
        let batch = try #require(try channel.readInbound(as: [RTSPMessage].self))
        #expect(try channel.readInbound(as: [RTSPMessage].self) == nil, "one read, one batch")
        #expect(batch.count == 3)
        guard case .response(let response) = batch.first else {
            Issue.record("the response comes first, before the packets read after it")
            return
        }
        #expect(response.cseq == 5)
        #expect(batch[1] == .interleaved(RTSPInterleavedFrame(channel: 0, payload: ByteBuffer(bytes: [0x80, 0x60, 0x00, 0x01]))))
        #expect(batch[2] == .interleaved(RTSPInterleavedFrame(channel: 1, payload: ByteBuffer(bytes: [0x81, 0xC8]))))

        try channel.writeInbound(ByteBuffer(bytes: Self.interleaved(0, [0x80, 0x60, 0x00, 0x02])))
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readInbound(as: [RTSPMessage].self)?.count == 1, "the next read is a batch of its own")
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readInbound(as: [RTSPMessage].self) == nil, "an empty read hands nothing on")
    }

    @Test func aLongBurstIsSplitAndNothingIsLostWhenTheConnectionCloses() throws {
        let channel = try Self.channel()
        let count = RTSPMessageBatcher.largestBatch * 2 + 5
        var bytes: [UInt8] = []
        for sequence in 0..<count { bytes += Self.interleaved(0, [0x80, 0x60, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]) }
        channel.pipeline.fireChannelRead(ByteBuffer(bytes: bytes))
        var sizes: [Int] = []
        var sequences: [Int] = []
        while let batch = try channel.readInbound(as: [RTSPMessage].self) {
            sizes.append(batch.count)
            for case .interleaved(let frame) in batch { sequences.append(Int(frame.payload.getInteger(at: frame.payload.readerIndex + 2, as: UInt16.self) ?? 0)) }
        }
        #expect(sizes == [RTSPMessageBatcher.largestBatch, RTSPMessageBatcher.largestBatch])
        channel.pipeline.fireChannelInactive()
        while let batch = try channel.readInbound(as: [RTSPMessage].self) {
            sizes.append(batch.count)
            for case .interleaved(let frame) in batch { sequences.append(Int(frame.payload.getInteger(at: frame.payload.readerIndex + 2, as: UInt16.self) ?? 0)) }
        }
        #expect(sizes.last == 5, "the rest is handed on when the connection closes")
        #expect(sequences == Array(0..<count))
    }
}
