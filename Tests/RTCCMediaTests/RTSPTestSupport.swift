import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

/// A wait that ran past its deadline.
struct RTSPTestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with ``RTSPTestTimeout`` if it takes longer than `seconds`.
func rtspWithDeadline<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw RTSPTestTimeout(what: what)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw RTSPTestTimeout(what: what) }
        return first
    }
}

/// Runs an ``RTSPServer`` on a free loopback port while `body` runs.
func withRTSPServer<T: Sendable>(
    sources: [String: any RTSPMediaSource], authentication: RTSPServerAuthentication? = nil,
    _ body: @escaping @Sendable (RTSPServer) async throws -> T
) async throws -> T {
    let server = try await RTSPServer.bind(configuration: .init(authentication: authentication), sources: sources)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        return try await body(server)
    }
}

/// What a client saw before it stopped.
struct RTSPCollected: Sendable {
    var tracks: [RTSPTrack] = []
    var rtpPackets: [Int: [ByteBuffer]] = [:]
    var fellBack = false
    var ended: RTSPSessionEndReason?
}

/// Plays `url` until `count` RTP packets of track 0 arrived, or the session ended.
func rtspCollect(url: String, configuration: RTSPClient.Configuration = .init(), count: Int, deadline: Double = 20) async throws -> RTSPCollected {
    let client = try RTSPClient(url: url, configuration: configuration)
    return try await rtspWithDeadline(deadline, "\(count) RTP packets from \(client.url)") {
        try await client.withEvents { events in
            var collected = RTSPCollected()
            for await event in events {
                switch event {
                case .sessionStarted(_, let tracks): collected.tracks = tracks
                case .rtp(let track, let bytes, _):
                    collected.rtpPackets[track, default: []].append(bytes)
                    if track == 0, collected.rtpPackets[0, default: []].count >= count { return collected }
                case .rtcp: continue
                case .fellBackToTCP: collected.fellBack = true
                case .ended(let reason):
                    collected.ended = reason
                    return collected
                }
            }
            return collected
        }
    }
}

enum RTSPTestMedia {
    static let description = SessionDescription(media: [
        MediaDescription(
            type: "video", formats: ["96"],
            attributes: [
                SDPAttribute(name: "rtpmap", value: "96 H264/90000"),
                SDPAttribute(name: "fmtp", value: "96 packetization-mode=1;profile-level-id=42e01f"),
            ]),
        MediaDescription(type: "audio", formats: ["0"], attributes: [SDPAttribute(name: "rtpmap", value: "0 PCMU/8000")]),
    ])

    /// A synthetic RTP packet: version 2, the payload type, sequence number and timestamp, then `payload`.
    static func rtp(payloadType: UInt8, sequence: UInt16, timestamp: UInt32, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x80))
        buffer.writeInteger(payloadType | 0x80)
        buffer.writeInteger(sequence)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(UInt32(0x1234_5678))
        buffer.writeBytes(payload)
        return buffer
    }

    /// One second of 25 video packets and 50 audio packets, looping.
    static func source() -> RTSPPacketReplaySource {
        var packets: [RTSPPacketReplaySource.Packet] = []
        for index in 0..<50 {
            let offset = Duration.milliseconds(20 * index)
            if index % 2 == 0 {
                let frame = index / 2
                let bytes = rtp(payloadType: 96, sequence: UInt16(frame), timestamp: UInt32(frame * 3600), payload: [0x65, UInt8(frame)])
                packets.append(.init(track: 0, offset: offset, bytes: bytes))
            }
            let audio = rtp(payloadType: 0, sequence: UInt16(index), timestamp: UInt32(index * 160), payload: [0xFF])
            packets.append(.init(track: 1, offset: offset, bytes: audio))
        }
        return RTSPPacketReplaySource(sessionDescription: description, packets: packets)
    }
}
