import Foundation
import Logging
import NIOCore
import NIOPosix

/// One client connection of an ``RTSPServer``: answers requests through an
/// ``RTSPServerConnectionStateMachine`` and streams the source's packets after PLAY.
struct RTSPServerConnection: Sendable {
    let server: RTSPServer
    let connection: RTSPServer.Connection

    private struct UDPTarget: Sendable {
        var rtp: any Channel
        var rtcp: any Channel
        var clientRTP: SocketAddress
        var clientRTCP: SocketAddress
    }

    func run() async {
        var logger = server.logger
        logger[metadataKey: "peer"] = "\(connection.channel.remoteAddress?.description ?? "?")"
        var machine = RTSPServerConnectionStateMachine(
            descriptions: server.sources.mapValues(\.sessionDescription), authentication: server.configuration.authentication,
            sessionID: Self.randomToken(), nonce: Self.randomToken() + Self.randomToken(), sessionTimeout: server.configuration.sessionTimeout)
        var udpTargets: [Int: UDPTarget] = [:]
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { group in
                    defer { group.cancelAll() }
                    for try await message in inbound {
                        guard case .request(let request) = message else { continue }
                        if let refusal = unavailableResponse(to: request, machine: machine) {
                            try await outbound.write(.response(refusal))
                            continue
                        }
                        var action = machine.received(request)
                        if case .openUDPPorts(let track, let clientPorts, let pending) = action {
                            action = await openUDP(track: track, clientPorts: clientPorts, request: pending, machine: &machine, targets: &udpTargets)
                        }
                        guard try await perform(action, outbound: outbound, targets: udpTargets, group: &group) else { return }
                    }
                }
            }
        } catch {
            logger.debug("RTSP connection ended", metadata: ["error": "\(error)"])
        }
        for target in udpTargets.values {
            try? await target.rtp.close()
            try? await target.rtcp.close()
        }
    }

    /// Returns false when the connection must close.
    private func perform(
        _ action: RTSPServerConnectionStateMachine.Action, outbound: NIOAsyncChannelOutboundWriter<RTSPMessage>,
        targets: [Int: UDPTarget], group: inout ThrowingDiscardingTaskGroup<any Error>
    ) async throws -> Bool {
        switch action {
        case .respond(let response):
            try await outbound.write(.response(response))
        case .openUDPPorts(_, _, let request):
            try await outbound.write(.response(RTSPResponse(statusCode: 500, headers: ["CSeq": request.headers["CSeq"] ?? "0"])))
        case .startStreaming(let response, let path, let tracks):
            try await outbound.write(.response(response))
            guard let source = server.sources[path] else { return true }
            group.addTask { await stream(source.makePacketGroups(), tracks: tracks, outbound: outbound, targets: targets) }
        case .respondAndClose(let response):
            try await outbound.write(.response(response))
            return false
        }
        return true
    }

    /// A 503 for requests that would start a session on a source that is not available.
    private func unavailableResponse(to request: RTSPRequest, machine: RTSPServerConnectionStateMachine) -> RTSPResponse? {
        guard [RTSPMethod.describe, .setup, .play].contains(request.method), let (path, _) = machine.resolve(request.uri),
            let source = server.sources[path], !source.isAvailable
        else { return nil }
        return RTSPResponse(statusCode: 503, headers: ["CSeq": request.headers["CSeq"] ?? "0", "Server": "OpenRTCC"])
    }

    private func openUDP(
        track: Int, clientPorts: RTSPTransport.ChannelPair, request: RTSPRequest,
        machine: inout RTSPServerConnectionStateMachine, targets: inout [Int: UDPTarget]
    ) async -> RTSPServerConnectionStateMachine.Action {
        guard let remote = connection.channel.remoteAddress, let local = connection.channel.localAddress?.ipAddress,
            let clientRTP = try? remote.withPort(clientPorts.rtp), let clientRTCP = try? remote.withPort(clientPorts.rtcp)
        else { return machine.udpPortsFailed(for: request) }
        do {
            let bootstrap = DatagramBootstrap(group: server.eventLoopGroup)
            let rtp = try await bootstrap.bind(host: local, port: 0).get()
            let rtcp = try await bootstrap.bind(host: local, port: 0).get()
            if let old = targets[track] {
                try? await old.rtp.close()
                try? await old.rtcp.close()
            }
            targets[track] = UDPTarget(rtp: rtp, rtcp: rtcp, clientRTP: clientRTP, clientRTCP: clientRTCP)
            let ports = RTSPTransport.ChannelPair(rtp: rtp.localAddress?.port ?? 0, rtcp: rtcp.localAddress?.port ?? 0)
            return machine.udpPortsOpened(for: request, track: track, serverPorts: ports)
        } catch {
            return machine.udpPortsFailed(for: request)
        }
    }

    private func stream(
        _ groups: any AsyncSequence<[RTSPMediaPacket], any Error> & Sendable, tracks: [RTSPServerConnectionStateMachine.TrackTransport],
        outbound: NIOAsyncChannelOutboundWriter<RTSPMessage>, targets: [Int: UDPTarget]
    ) async {
        var routes: [Int: RTSPServerConnectionStateMachine.TrackTransport] = [:]
        for entry in tracks { routes[entry.track] = entry }
        var interleaved: [RTSPMessage] = []
        do {
            for try await group in groups {
                interleaved.removeAll(keepingCapacity: true)
                for packet in group {
                    guard let route = routes[packet.track] else { continue }
                    if let channels = route.transport.interleaved {
                        let channel = UInt8(clamping: packet.isRTCP ? channels.rtcp : channels.rtp)
                        interleaved.append(.interleaved(RTSPInterleavedFrame(channel: channel, payload: packet.bytes)))
                    } else if let target = targets[packet.track] {
                        let envelope = AddressedEnvelope(
                            remoteAddress: packet.isRTCP ? target.clientRTCP : target.clientRTP, data: packet.bytes)
                        // A refused datagram (viewer gone) is not fatal; TEARDOWN or the TCP close ends the stream.
                        try? await (packet.isRTCP ? target.rtcp : target.rtp).writeAndFlush(envelope)
                    }
                }
                // One write and one flush for the whole group: one system call per picture, not per packet.
                if !interleaved.isEmpty { try await outbound.write(contentsOf: interleaved) }
            }
        } catch RTSPMediaSourceError.closeConnection {
            server.logger.debug("RTSP source closed the connection")
            try? await connection.channel.close()
        } catch {
            server.logger.debug("RTSP stream ended", metadata: ["error": "\(error)"])
        }
    }

    static func randomToken() -> String {
        String(format: "%016llx", UInt64.random(in: .min ... .max))
    }
}

extension SocketAddress {
    /// The same address with another port.
    func withPort(_ port: Int) throws -> SocketAddress {
        guard let ip = ipAddress else { throw RTSPHeaderError.invalidTransport }
        return try SocketAddress(ipAddress: ip, port: port)
    }
}
