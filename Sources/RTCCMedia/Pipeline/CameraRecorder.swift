import Foundation
import Logging
import NIOCore
import NIOPosix

/// Records one camera stream: connects with ``RTSPClient``, turns the video track into fMP4
/// segments through a ``SegmentWriter``, reconnects with exponential backoff, reports its
/// ``CameraHealth`` and fans the frames out to live viewers through ``frames``.
///
/// ``run()`` works until its task is cancelled; it seals the open segment before returning. A
/// dropped session seals the open segment too, so an outage lies between segments.
public actor CameraRecorder {
    /// Settings of a recorder.
    public struct Configuration: Sendable {
        /// The stream URL (`rtsp://[user:password@]host[:port]/path`).
        public var url: String
        /// Where and how segments are written.
        public var segments: SegmentWriter.Configuration
        /// How RTP is carried.
        public var transport: RTSPTransportPreference
        /// After this long without a frame the recorder announces ``CameraRecorderEvent/offline(lastFrameAt:)``.
        public var offlineAfter: Duration
        /// The delays between reconnection attempts.
        public var backoff: ReconnectBackoff
        /// Packet loss this recent marks the stream degraded.
        public var degradedFor: Duration

        /// Creates settings; the offline threshold defaults to 10 s.
        public init(
            url: String, segments: SegmentWriter.Configuration, transport: RTSPTransportPreference = .tcp,
            offlineAfter: Duration = .seconds(10), backoff: ReconnectBackoff = ReconnectBackoff(), degradedFor: Duration = .seconds(10)
        ) {
            self.url = url
            self.segments = segments
            self.transport = transport
            self.offlineAfter = offlineAfter
            self.backoff = backoff
            self.degradedFor = degradedFor
        }
    }

    /// The settings.
    public let configuration: Configuration
    /// Health changes, offline/online and sealed segments; keeps the newest 256 unread events.
    public nonisolated let events: AsyncStream<CameraRecorderEvent>
    /// Live viewers subscribe here.
    public nonisolated let frames: FrameBroadcaster
    /// The current health.
    public private(set) var health = CameraHealth(state: .connecting)
    /// The segment writer.
    public nonisolated let writer: SegmentWriter

    private let eventContinuation: AsyncStream<CameraRecorderEvent>.Continuation
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var rates = RateMeter()
    private var lastFrameInstant: ContinuousClock.Instant?
    private var sessionFirstFrame: ContinuousClock.Instant?
    private var lastLossInstant: ContinuousClock.Instant?
    private var lastHealthPublished = ContinuousClock.now
    private var isOffline = false
    /// The last reason the video could not be depacketized, kept to explain a camera that sends nothing usable.
    private var lastIngestProblem: String?
    private var watchStart = ContinuousClock.now

    /// Creates a recorder reporting segments to `index`.
    public init(
        configuration: Configuration, index: any RecordingIndex,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rtcc.media.camera-recorder")
    ) {
        var logger = logger
        logger[metadataKey: "camera"] = "\(configuration.segments.cameraID)"
        let (events, continuation) = AsyncStream.makeStream(of: CameraRecorderEvent.self, bufferingPolicy: .bufferingNewest(256))
        self.configuration = configuration
        self.events = events
        self.eventContinuation = continuation
        self.frames = FrameBroadcaster()
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.writer = SegmentWriter(
            configuration: configuration.segments, index: AnnouncingIndex(inner: index, events: continuation), logger: logger)
    }

    /// Records until the task is cancelled, then seals the open segment and ends ``events``.
    public func run() async {
        watchStart = .now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.superviseSessions() }
            group.addTask { await self.watchFrames() }
            await group.next()
            group.cancelAll()
        }
        await sealOpenSegment()
        await frames.finish()
        eventContinuation.finish()
    }

    private func superviseSessions() async {
        var backoff = configuration.backoff
        var sessions = 0
        while !Task.isCancelled {
            if sessions > 0 { health.reconnects += 1 }
            sessions += 1
            setState(.connecting, reason: nil)
            sessionFirstFrame = nil
            let reason = await runSession()
            await sealOpenSegment()
            guard !Task.isCancelled else { return }
            let streamed = sessionFirstFrame.map { ContinuousClock.now - $0 } ?? .zero
            let delay = backoff.delay(afterStreaming: streamed)
            logger.warning("session ended; reconnecting", metadata: ["reason": "\(reason)", "delay": "\(delay)"])
            setState(.down, reason: reason)
            try? await Task.sleep(for: delay)
        }
    }

    /// Runs one RTSP session and returns why it ended.
    private func runSession() async -> String {
        let client: RTSPClient
        do {
            client = try RTSPClient(
                url: configuration.url, configuration: .init(transport: configuration.transport), eventLoopGroup: eventLoopGroup,
                logger: logger)
        } catch {
            return "invalid URL: \(error)"
        }
        let (stream, continuation) = AsyncStream.makeStream(of: RTSPMediaEvent.self, bufferingPolicy: .bufferingNewest(4096))
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run(events: continuation) }
            let reason = await consume(stream)
            group.cancelAll()
            return reason
        }
    }

    private func consume(_ stream: AsyncStream<RTSPMediaEvent>) async -> String {
        var ingest: VideoIngest?
        for await event in stream {
            switch event {
            case .sessionStarted(let description, let tracks):
                do {
                    ingest = try VideoIngest(description: description, tracks: tracks)
                    eventContinuation.yield(.sessionStarted(at: Date()))
                } catch {
                    return "cannot record: \(error)"
                }
            case .rtp(let track, let bytes, let arrival):
                guard var current = ingest else { continue }
                let output = current.handleRTP(track: track, bytes: bytes, arrival: arrival, now: .now)
                ingest = current
                if let problem = output.problem { lastIngestProblem = problem }
                await deliver(output.frames, lost: output.newlyLostPackets)
            case .rtcp(let track, let bytes, _):
                ingest?.handleRTCP(track: track, bytes: bytes)
            case .fellBackToTCP:
                await deliver(ingest?.finish() ?? [], lost: 0)
                ingest = nil
            case .ended(let reason):
                await deliver(ingest?.finish() ?? [], lost: 0)
                return Self.describe(reason)
            }
        }
        await deliver(ingest?.finish() ?? [], lost: 0)
        return "stopped"
    }

    private func deliver(_ frames: [TimedVideoFrame], lost: Int) async {
        let now = ContinuousClock.now
        if lost > 0 {
            health.packetsLost += lost
            lastLossInstant = now
            await writer.noteLoss(at: Date(), packets: lost)
        }
        for frame in frames {
            do {
                try await writer.append(frame)
                health.framesRecorded += 1
            } catch {
                logger.error("recording failed", metadata: ["error": "\(error)"])
                health.reason = "write failed: \(error)"
            }
            await self.frames.publish(frame)
            rates.record(bytes: frame.accessUnit.sampleData.count, at: now)
            lastFrameInstant = now
            health.lastFrameAt = Date()
            if sessionFirstFrame == nil { sessionFirstFrame = now }
            if isOffline {
                isOffline = false
                eventContinuation.yield(.online(at: Date()))
                logger.info("camera online")
            }
        }
        if !frames.isEmpty {
            lastIngestProblem = nil
            refreshStreamingState(now: now)
        }
    }

    private func refreshStreamingState(now: ContinuousClock.Instant) {
        let lossy = lastLossInstant.map { now - $0 < configuration.degradedFor } ?? false
        let state: CameraHealth.State = lossy ? .degraded : .streaming
        let changed = state != health.state
        if state != health.state {
            health.state = state
            health.reason = lossy ? "packet loss" : nil
        }
        (health.framesPerSecond, health.bitrate) = rates.rates(now: now)
        if changed || now - lastHealthPublished >= .seconds(1) {
            lastHealthPublished = now
            eventContinuation.yield(.health(health))
        }
    }

    private func setState(_ state: CameraHealth.State, reason: String?) {
        health.state = state
        health.reason = reason
        (health.framesPerSecond, health.bitrate) = rates.rates(now: .now)
        lastHealthPublished = .now
        eventContinuation.yield(.health(health))
    }

    private func watchFrames() async {
        while !Task.isCancelled {
            checkOffline(now: .now)
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func checkOffline(now: ContinuousClock.Instant) {
        guard !isOffline, now - (lastFrameInstant ?? watchStart) >= configuration.offlineAfter else { return }
        isOffline = true
        logger.warning("camera offline", metadata: ["after": "\(configuration.offlineAfter)"])
        eventContinuation.yield(.offline(lastFrameAt: health.lastFrameAt))
        rates.reset()
        if let problem = lastIngestProblem, health.state != .down {
            setState(.degraded, reason: "no decodable video: \(problem)")
        } else if health.state == .streaming || health.state == .degraded || health.state == .connecting {
            setState(.down, reason: "no frames for \(configuration.offlineAfter)")
        }
    }

    private func sealOpenSegment() async {
        do {
            try await writer.close()
        } catch {
            logger.error("sealing the segment failed", metadata: ["error": "\(error)"])
        }
    }

    private static func describe(_ reason: RTSPSessionEndReason) -> String {
        switch reason {
        case .stopped: "stopped"
        case .failed(let failure): "\(failure)"
        }
    }
}

/// Forwards index reports and announces sealed segments as recorder events.
struct AnnouncingIndex: RecordingIndex {
    let inner: any RecordingIndex
    let events: AsyncStream<CameraRecorderEvent>.Continuation

    func opened(_ segment: RecordedSegment) async throws { try await inner.opened(segment) }
    func progressed(_ segment: RecordedSegment) async throws { try await inner.progressed(segment) }
    func sealed(_ segment: RecordedSegment) async throws {
        defer { events.yield(.segmentSealed(segment)) }
        try await inner.sealed(segment)
    }
}
