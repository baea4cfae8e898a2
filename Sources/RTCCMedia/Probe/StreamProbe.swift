import Foundation
import Logging
import NIOCore
import NIOPosix

/// Why a probe failed.
public enum ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not an RTSP URL.
    case invalidURL(RTSPURL.ParseError)
    /// The RTSP session failed before media was measured.
    case sessionFailed(RTSPClientFailure)
    /// The session ended before it started.
    case endedBeforePlay
    /// Nothing usable arrived before the deadline.
    case timedOut

    /// A readable explanation.
    public var description: String {
        switch self {
        case .invalidURL(let error): "invalid RTSP URL: \(error)"
        case .sessionFailed(let failure): "RTSP session failed: \(failure)"
        case .endedBeforePlay: "the RTSP session ended before PLAY"
        case .timedOut: "no media before the deadline"
        }
    }
}

/// Connects to an RTSP stream for a couple of seconds and reports what it carries (``ProbeReport``).
///
/// ```swift
/// let report = try await StreamProbe.probe(url: "rtsp://127.0.0.1:8554/cam001", transport: .tcp, timeout: .seconds(10))
/// logger.info("\(report)")
/// ```
public enum StreamProbe {
    /// Probes `url`: sets up every track, measures media for `measureFor` (default 2 s) after the first packet,
    /// and gives up after `timeout` overall (reporting what it has if media already arrived).
    public static func probe(
        url: String, transport: RTSPTransportPreference = .udpWithTCPFallback, timeout: Duration = .seconds(10),
        measureFor window: Duration = .seconds(2), eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rtcc.media.probe")
    ) async throws(ProbeError) -> ProbeReport {
        let configuration = RTSPClient.Configuration(
            transport: transport, connectTimeout: timeout, responseTimeout: timeout, udpTimeout: min(.seconds(3), timeout),
            mediaTimeout: timeout)
        let client: RTSPClient
        do {
            client = try RTSPClient(url: url, configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        } catch {
            throw .invalidURL(error)
        }
        let outcome: Result<ProbeReport, ProbeError>
        do {
            outcome = try await client.withEvents { events in
                await collect(events, url: client.url, window: window, deadline: ContinuousClock.now + timeout)
            }
        } catch {
            throw .timedOut
        }
        return try outcome.get()
    }

    private static func collect(
        _ events: AsyncStream<RTSPMediaEvent>, url: RTSPURL, window: Duration, deadline: ContinuousClock.Instant
    ) async -> Result<ProbeReport, ProbeError> {
        var session = ProbeSession(url: url)
        let (inputs, input) = AsyncStream.makeStream(of: ProbeSession.Input.self)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { input.yield(.event(event)) }
                input.yield(.eventsEnded)
            }
            // Ticks end the wait when no packet comes.
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    input.yield(.tick)
                }
            }
            defer {
                group.cancelAll()
                input.finish()
            }
            for await item in inputs {
                if let result = session.handle(item, window: window, deadline: deadline) { return result }
            }
            return session.finish(failure: .timedOut)
        }
    }
}
