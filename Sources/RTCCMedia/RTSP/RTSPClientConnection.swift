import Foundation
import Logging
import NIOCore
import NIOPosix

/// One TCP connection of an ``RTSPClient``: merges socket reads, UDP reads and timers into one loop
/// that drives an ``RTSPClientStateMachine``.
struct RTSPClientConnection {
    typealias UDPChannel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    typealias Input = RTSPClient.Input
    typealias Outcome = RTSPClient.ConnectionOutcome
    typealias Action = RTSPClientStateMachine.Action

    let client: RTSPClient
    var machine: RTSPClientStateMachine
    let outbound: NIOAsyncChannelOutboundWriter<RTSPMessage>
    let sink: RTSPEventSink
    let localHost: String
    let tap: Tap

    /// The connection's ``RTSPMediaTap``, reached on its event loop. A call fails only when the event loop is shutting
    /// down, and the connection with it; an unarmed tap passes media to the client's loop, which delivers it too.
    struct Tap: Sendable {
        let handler: NIOLoopBound<RTSPMediaTap>
        let eventLoop: any EventLoop
        let activity: RTSPMediaActivity

        /// Arms the tap with `routes` before PLAY is written (the write follows on the same event loop).
        func arm(_ routes: [UInt8: RTSPMediaTap.Route]) async {
            let handler = handler
            try? await eventLoop.submit { handler.value.arm(routes) }.get()
        }

        /// Lets the held media go on, after the session was announced.
        func open() async {
            let handler = handler
            try? await eventLoop.submit { handler.value.open() }.get()
        }
    }
    /// Whether media of this connection goes by the tap.
    var tapArmed = false

    /// The largest UDP datagram read; RTP over UDP stays below the path MTU in practice.
    static let maxDatagramBytes = 9000

    mutating func run(inbound: NIOAsyncChannelInboundStream<[RTSPMessage]>) async throws -> Outcome {
        // Without a budget this queue keeps the newest 8192 inputs (the loop below never blocks on the consumer, so it
        // drains quickly). With one, the reader waits for the consumer before queueing more (and TCP slows the camera):
        // the budget bounds the queue in bytes, and nothing in it is ever dropped.
        let budget = sink.budget
        let (inputs, input) = AsyncStream.makeStream(
            of: Input.self, bufferingPolicy: budget == nil ? .bufferingNewest(8192) : .unbounded)
        return try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                do {
                    for try await messages in inbound {
                        if let budget { await budget.spend(RTSPMediaBudget.mediaBytes(of: messages)) }
                        input.yield(.messages(messages))
                    }
                    input.yield(.closed(nil))
                } catch let error as RTSPDecodingError {
                    input.yield(.closed(error))
                } catch {
                    input.yield(.closed(nil))
                }
            }
            defer { group.cancelAll() }
            if let outcome = await execute(machine.start(), input: input, group: &group) { return outcome }
            for await next in inputs {
                guard case .messages(let messages) = next else {
                    let actions = await handle(next)
                    if actions.isEmpty { continue }
                    if let outcome = await execute(actions, input: input, group: &group) { return outcome }
                    continue
                }
                // Media of one read goes on as one batch; any other message first hands on the media before it, so
                // events keep their order (a PLAY response's session start precedes the packets read after it).
                var media: [RTSPMediaEvent] = []
                let arrival = Date()
                for message in messages {
                    if case .interleaved(let frame) = message {
                        switch machine.receivedInterleaved(frame, arrival: arrival) {
                        case .deliver(let event)?: media.append(event)
                        case let action?:
                            budget?.release(frame.payload.readableBytes)
                            sink.deliver(media)
                            media = []
                            if let outcome = await execute([action], input: input, group: &group) { return outcome }
                        case nil: budget?.release(frame.payload.readableBytes)
                        }
                        continue
                    }
                    sink.deliver(media)
                    media = []
                    let actions = await received(message)
                    if actions.isEmpty { continue }
                    if let outcome = await execute(actions, input: input, group: &group) { return outcome }
                }
                sink.deliver(media)
            }
            for case .send(let request) in machine.stop() {
                try? await outbound.write(.request(request))
            }
            return .ended(.stopped)
        }
    }

    private mutating func handle(_ next: Input) async -> [Action] {
        switch next {
        case .messages(let messages):
            var actions: [Action] = []
            for message in messages { actions += await received(message) }
            return actions
        case .udp(let track, let isRTCP, let payload):
            return deliverDirectly(
                machine.receivedUDP(track: track, isRTCP: isRTCP, payload: payload, arrival: Date()), bytes: payload.readableBytes)
        case .closed(let error): return machine.connectionClosed(error: error)
        case .responseTimeout(let cseq): return machine.responseTimeoutFired(cseq: cseq)
        case .keepAlive: return machine.keepAliveTimerFired()
        case .udpCheck: return machine.udpCheckTimerFired()
        case .mediaCheck:
            if tap.activity.takeSeen() { machine.mediaArrived() }
            return machine.mediaCheckTimerFired()
        }
    }

    /// One message from the server, on its own.
    private mutating func received(_ message: RTSPMessage) async -> [Action] {
        switch message {
        case .response(let response): return machine.received(response)
        case .request(let request):
            try? await outbound.write(.response(machine.receivedRequest(request)))
            return []
        case .interleaved(let frame):
            return deliverDirectly(machine.receivedInterleaved(frame, arrival: Date()), bytes: frame.payload.readableBytes)
        }
    }

    /// Media events skip the action queue: one per packet. The `bytes` of a packet not handed on go back to the budget.
    private func deliverDirectly(_ action: Action?, bytes: Int) -> [Action] {
        guard let action else {
            sink.budget?.release(bytes)
            return []
        }
        if case .deliver(let event) = action {
            sink.deliver([event])
            return []
        }
        sink.budget?.release(bytes)
        return [action]
    }

    /// Carries out actions in order; returns an outcome when the connection must end.
    private mutating func execute(
        _ actions: [Action], input: AsyncStream<Input>.Continuation, group: inout ThrowingDiscardingTaskGroup<any Error>
    ) async -> Outcome? {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .send(let request):
                if request.method == .play, !tapArmed {
                    let routes = machine.interleavedRoutes
                    if !routes.isEmpty {
                        await tap.arm(routes)
                        tapArmed = true
                    }
                }
                do {
                    try await outbound.write(.request(request))
                } catch {
                    return .ended(.failed(.connectionClosed))
                }
                if let cseq = request.cseq {
                    Self.schedule(.responseTimeout(cseq: cseq), after: client.configuration.responseTimeout, input: input, group: &group)
                }
            case .openUDPPorts(let track):
                guard let ports = await openUDPPorts(track: track, input: input, group: &group) else {
                    return .ended(.failed(.udpSetupFailed))
                }
                queue.append(contentsOf: machine.udpPortsOpened(track: track, rtpPort: ports.rtp, rtcpPort: ports.rtcp))
            case .deliver(let event):
                sink.deliver([event])
                if tapArmed, case .sessionStarted = event { await tap.open() }
            case .scheduleKeepAlive(let delay): Self.schedule(.keepAlive, after: delay, input: input, group: &group)
            case .scheduleUDPCheck(let delay): Self.schedule(.udpCheck, after: delay, input: input, group: &group)
            case .scheduleMediaCheck(let delay): Self.schedule(.mediaCheck, after: delay, input: input, group: &group)
            case .restartWithTCP: return .restartWithTCP
            case .close: return .ended(.stopped)
            case .fail(let failure):
                client.logger.warning("RTSP session failed", metadata: ["reason": "\(failure)"])
                return .ended(.failed(failure))
            }
        }
        return nil
    }

    private static func schedule(
        _ value: Input, after delay: Duration, input: AsyncStream<Input>.Continuation, group: inout ThrowingDiscardingTaskGroup<any Error>
    ) {
        group.addTask {
            do {
                try await Task.sleep(for: delay)
                input.yield(value)
            } catch {
                return
            }
        }
    }

    /// Binds an RTP/RTCP port pair (even/odd when possible) and starts reading both.
    private func openUDPPorts(
        track: Int, input: AsyncStream<Input>.Continuation, group: inout ThrowingDiscardingTaskGroup<any Error>
    ) async -> RTSPTransport.ChannelPair? {
        guard let (rtp, rtcp) = await bindPair() else { return nil }
        guard let rtpPort = rtp.channel.localAddress?.port, let rtcpPort = rtcp.channel.localAddress?.port else { return nil }
        for (channel, isRTCP) in [(rtp, false), (rtcp, true)] {
            group.addTask {
                try? await channel.executeThenClose { inbound, _ in
                    for try await envelope in inbound {
                        await sink.budget?.spend(envelope.data.readableBytes)
                        input.yield(.udp(track: track, isRTCP: isRTCP, payload: envelope.data))
                    }
                }
            }
        }
        return RTSPTransport.ChannelPair(rtp: rtpPort, rtcp: rtcpPort)
    }

    private func bindPair() async -> (UDPChannel, UDPChannel)? {
        for _ in 0..<16 {
            guard let first = try? await bindUDP(port: 0), let port = first.channel.localAddress?.port else { return nil }
            if port % 2 == 0, port < 65535, let second = try? await bindUDP(port: port + 1) { return (first, second) }
            try? await first.channel.close()
        }
        guard let first = try? await bindUDP(port: 0), let second = try? await bindUDP(port: 0) else { return nil }
        return (first, second)
    }

    private func bindUDP(port: Int) async throws -> UDPChannel {
        try await DatagramBootstrap(group: client.eventLoopGroup)
            .channelOption(.socketOption(.so_rcvbuf), value: 2 * 1024 * 1024)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.maxDatagramBytes))
            .bind(host: localHost, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try UDPChannel(wrappingChannelSynchronously: channel)
                }
            }
    }
}
