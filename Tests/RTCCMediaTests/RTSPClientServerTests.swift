import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

@Suite(.timeLimit(.minutes(2))) struct RTSPClientServerTests {
    @Test(arguments: [RTSPTransportPreference.tcp, .udp, .udpWithTCPFallback])
    func clientReceivesPacketsFromServer(transport: RTSPTransportPreference) async throws {
        let collected = try await withRTSPServer(sources: ["/cam1": RTSPTestMedia.source()]) { server in
            try await rtspCollect(url: "rtsp://127.0.0.1:\(server.port)/cam1", configuration: .init(transport: transport), count: 30)
        }
        #expect(collected.ended == nil)
        #expect(collected.tracks.map(\.media.type) == ["video", "audio"])
        let video = collected.rtpPackets[0] ?? []
        #expect(video.count >= 30)
        // The 26th packet is the first of the second loop: sequence and timestamp continue.
        #expect(video[25].getInteger(at: 2, as: UInt16.self) == 25)
        let timestamp: UInt32? = video[25].getInteger(at: 4, as: UInt32.self)
        #expect(timestamp == UInt32(25 * 3600))
        #expect((collected.rtpPackets[1]?.count ?? 0) > 0)
    }

    @Test(arguments: [RTSPServerAuthentication.Scheme.basic, .digest(qop: true), .digest(qop: false)])
    func credentialsFromURLPassServerAuthentication(scheme: RTSPServerAuthentication.Scheme) async throws {
        let auth = RTSPServerAuthentication(credentials: RTSPCredentials(username: "op@rtcc", password: "s3cr:t"), scheme: scheme)
        let collected = try await withRTSPServer(sources: ["/cam1": RTSPTestMedia.source()], authentication: auth) { server in
            try await rtspCollect(
                url: "rtsp://op%40rtcc:s3cr%3At@127.0.0.1:\(server.port)/cam1", configuration: .init(allowsPlainBasicAuth: scheme == .basic), count: 5)
        }
        #expect(collected.ended == nil)
        #expect((collected.rtpPackets[0]?.count ?? 0) >= 5)
    }

    @Test func wrongPasswordEndsWithAuthenticationFailure() async throws {
        let auth = RTSPServerAuthentication(credentials: RTSPCredentials(username: "u", password: "right"))
        let collected = try await withRTSPServer(sources: ["/cam1": RTSPTestMedia.source()], authentication: auth) { server in
            try await rtspCollect(url: "rtsp://u:wrong@127.0.0.1:\(server.port)/cam1", count: 5)
        }
        #expect(collected.ended == .failed(.authenticationFailed))
    }

    @Test func unknownPathEndsWithNotFound() async throws {
        let collected = try await withRTSPServer(sources: ["/cam1": RTSPTestMedia.source()]) { server in
            try await rtspCollect(url: "rtsp://127.0.0.1:\(server.port)/nope", count: 5)
        }
        #expect(collected.ended == .failed(.unexpectedStatus(method: .describe, statusCode: 404)))
    }

    @Test func refusedConnectionEndsWithConnectionFailure() async throws {
        let server = try await RTSPServer.bind(sources: [:])
        let port = server.port
        await server.close()
        let collected = try await rtspCollect(url: "rtsp://127.0.0.1:\(port)/x", count: 1)
        guard case .failed(.connectionFailed)? = collected.ended else {
            Issue.record("expected a connection failure, got \(String(describing: collected.ended))")
            return
        }
    }

    @Test func manyClientsShareOnePath() async throws {
        let results = try await withRTSPServer(sources: ["/cam1": RTSPTestMedia.source(), "/cam2": RTSPTestMedia.source()]) { server in
            try await withThrowingTaskGroup(of: RTSPCollected.self) { group in
                for index in 0..<4 {
                    let transport: RTSPTransportPreference = index % 2 == 0 ? .tcp : .udp
                    let path = index < 3 ? "cam1" : "cam2"
                    group.addTask {
                        try await rtspCollect(url: "rtsp://127.0.0.1:\(server.port)/\(path)", configuration: .init(transport: transport), count: 10)
                    }
                }
                var all: [RTSPCollected] = []
                for try await result in group { all.append(result) }
                return all
            }
        }
        #expect(results.count == 4)
        for result in results {
            #expect(result.ended == nil)
            #expect((result.rtpPackets[0]?.count ?? 0) >= 10)
        }
    }

    @Test func silentServerEndsWithMediaTimeout() async throws {
        let silent = RTSPPacketReplaySource(sessionDescription: RTSPTestMedia.description, packets: [])
        let collected = try await withRTSPServer(sources: ["/quiet": silent]) { server in
            try await rtspCollect(url: "rtsp://127.0.0.1:\(server.port)/quiet", configuration: .init(mediaTimeout: .milliseconds(500)), count: 1)
        }
        #expect(collected.ended == .failed(.mediaTimeout))
    }

    @Test func silentUDPFallsBackToTCP() async throws {
        let source = FirstViewerSilentSource(inner: RTSPTestMedia.source())
        let collected = try await withRTSPServer(sources: ["/cam1": source]) { server in
            try await rtspCollect(
                url: "rtsp://127.0.0.1:\(server.port)/cam1",
                configuration: .init(transport: .udpWithTCPFallback, udpTimeout: .milliseconds(300)), count: 10)
        }
        #expect(collected.fellBack)
        #expect(collected.ended == nil)
        #expect(collected.tracks.first?.transport?.lowerTransport == .tcp)
        #expect((collected.rtpPackets[0]?.count ?? 0) >= 10)
    }
}

/// Sends nothing to its first viewer (as if UDP were blocked), then behaves like `inner`.
final class FirstViewerSilentSource: RTSPMediaSource, @unchecked Sendable {
    let inner: RTSPPacketReplaySource
    private let lock = NSLock()
    private var viewers = 0

    init(inner: RTSPPacketReplaySource) { self.inner = inner }

    var sessionDescription: SessionDescription { inner.sessionDescription }

    func makePackets() -> any AsyncSequence<RTSPMediaPacket, any Error> & Sendable {
        lock.lock()
        viewers += 1
        let first = viewers == 1
        lock.unlock()
        if first {
            return RTSPPacketReplaySource(sessionDescription: inner.sessionDescription, packets: []).makePackets()
        }
        return inner.makePackets()
    }
}
