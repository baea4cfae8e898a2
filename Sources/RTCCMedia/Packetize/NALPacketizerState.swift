import NIOCore

/// The state both NAL packetizers share: payload rules, the stream identity and the next sequence number.
struct NALPacketizerState: Sendable {
    var builder: NALPayloadBuilder
    var payloadType: UInt8
    var ssrc: UInt32
    var sequenceNumber: UInt16

    mutating func packets(for nalUnits: [[UInt8]], timestamp: UInt32) -> [RTPPacket] {
        let payloads = builder.payloads(for: nalUnits)
        var packets: [RTPPacket] = []
        packets.reserveCapacity(payloads.count)
        for (index, payload) in payloads.enumerated() {
            packets.append(
                RTPPacket(
                    marker: index == payloads.count - 1, payloadType: payloadType, sequenceNumber: sequenceNumber,
                    timestamp: timestamp, ssrc: ssrc, payload: payload))
            sequenceNumber &+= 1
        }
        return packets
    }

    mutating func buffers(for nalUnits: [[UInt8]], timestamp: UInt32) -> [ByteBuffer] {
        let payloads = builder.payloads(for: nalUnits)
        var buffers: [ByteBuffer] = []
        buffers.reserveCapacity(payloads.count)
        for (index, payload) in payloads.enumerated() {
            buffers.append(
                RTPPacketWriter.buffer(
                    payload: payload, marker: index == payloads.count - 1, payloadType: payloadType,
                    sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc))
            sequenceNumber &+= 1
        }
        return buffers
    }
}
