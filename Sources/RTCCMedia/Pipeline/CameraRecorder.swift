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
        /// Whether the camera may be answered with Basic credentials over plain RTSP (false: Digest only).
        public var allowsPlainBasicAuth = false
        /// Whether frames are written to segments; false ingests for live viewers only (a cluster node showing a camera
        /// that another node records): nothing is written or reported to the index.
        public var records = true
        /// The bytes of media read from the camera but not yet recorded that may wait: beyond them the recorder stops
        /// reading and TCP holds the camera back (1 MiB, four seconds of 2 Mbit/s), so a busy server loses nothing to a
        /// full queue while it catches up.
        public var mediaBudgetBytes = 1 << 20
        /// The shortest time between two reads of the camera's connection (``RTSPClient/Configuration/mediaReadInterval``);
        /// zero, the default, reads as data comes. Pacing (e.g. 100 ms) cuts the recorder's own CPU by a quarter at 200
        /// cameras, but the sender then works harder (on loopback the receiving side's TCP work runs in the sender's
        /// context) and, in measurements against the simulator, more frames were lost at 300 cameras: left off.
        public var mediaReadInterval: Duration = .zero

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

    /// The recorder runs on its writer's executor: every frame goes to the writer, and on a shared executor that call
    /// carries on in place instead of hopping to another actor and back (two task switches per frame otherwise).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { writer.unownedExecutor }

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
    /// Whether writing failed and has not recorded a frame since.
    private var writeFailing = false
    /// While writing fails, frames are not offered to the writer before this instant (back-off).
    private var writeRetryAt: ContinuousClock.Instant?
    /// The back-off before the next write attempt after a failure: 1 s, doubling to 30 s.
    private var writeBackoff: Duration = .seconds(1)
    /// Frames not recorded since writing failed.
    private var framesLostToWriting = 0
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
        frames.finish()
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
            var clientConfiguration = RTSPClient.Configuration(
                transport: configuration.transport, allowsPlainBasicAuth: configuration.allowsPlainBasicAuth)
            clientConfiguration.mediaReadInterval = configuration.mediaReadInterval
            client = try RTSPClient(
                url: configuration.url, configuration: clientConfiguration,
                eventLoopGroup: eventLoopGroup,
                logger: logger)
        } catch {
            return "invalid URL: \(error)"
        }
        // Batches of the packets of one socket read. Not dropped when this actor falls behind: the budget (bytes
        // handed on but not yet handled) stops the client reading, and TCP slows the camera, until it catches up.
        let budget = RTSPMediaBudget(capacity: configuration.mediaBudgetBytes)
        let (stream, continuation) = AsyncStream.makeStream(of: [RTSPMediaEvent].self, bufferingPolicy: .unbounded)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run(batches: continuation, budget: budget) }
            let reason = await consume(stream, budget: budget)
            group.cancelAll()
            return reason
        }
    }

    private func consume(_ stream: AsyncStream<[RTSPMediaEvent]>, budget: RTSPMediaBudget) async -> String {
        var ingest: VideoIngest?
        for await batch in stream {
            defer { budget.release(RTSPMediaBudget.bytes(of: batch)) }
            for event in batch {
                switch event {
                case .sessionStarted(let description, let tracks):
                    do {
                        ingest = try VideoIngest(description: description, tracks: tracks)
                        eventContinuation.yield(.sessionStarted(at: Date()))
                    } catch {
                        return "cannot record: \(error)"
                    }
                case .rtp(let track, let bytes, let arrival):
                    guard ingest != nil else { continue }
                    // Mutated in place (`ingest!`): a copy would copy the half-assembled picture at every packet.
                    let reanchorsBefore = ingest!.clockReanchors
                    let output = ingest!.handleRTP(track: track, bytes: bytes, arrival: arrival, now: .now)
                    if let current = ingest, current.clockReanchors > reanchorsBefore {
                        health.clockReanchors += current.clockReanchors - reanchorsBefore
                        logger.warning(
                            "camera timing strayed from the server's clock; pictures are timed by arrival from here",
                            metadata: ["tolerance": "\(current.clockTolerance) s", "clockOffset": "\(current.cameraClockOffset.map { "\($0) s" } ?? "unknown")"])
                    }
                    if let problem = output.problem { lastIngestProblem = problem }
                    // Most packets complete no picture: no call (an async call allocates its frame) for those.
                    if !output.frames.isEmpty || output.newlyLostPackets > 0 { await deliver(output.frames, lost: output.newlyLostPackets) }
                case .rtcp(let track, let bytes, let arrival):
                    ingest?.handleRTCP(track: track, bytes: bytes, arrival: arrival)
                    if let offset = ingest?.cameraClockOffset { health.clockOffset = offset }
                case .fellBackToTCP:
                    await deliver(ingest?.finish() ?? [], lost: 0, flushed: true)
                    ingest = nil
                case .ended(let reason):
                    await deliver(ingest?.finish() ?? [], lost: 0, flushed: true)
                    return Self.describe(reason)
                }
            }
        }
        await deliver(ingest?.finish() ?? [], lost: 0, flushed: true)
        return "stopped"
    }

    /// Records and publishes `frames`. `flushed` frames are the pictures still held for reordering when a session ended:
    /// they arrived before the session gave up, so they are recorded but do not mean the camera is sending again (that
    /// would end an outage early and open a second one).
    private func deliver(_ frames: [TimedVideoFrame], lost: Int, flushed: Bool = false) async {
        let now = ContinuousClock.now
        if lost > 0 {
            health.packetsLost += lost
            lastLossInstant = now
            await writer.noteLoss(at: Date(), packets: lost)
        }
        for frame in frames {
            await record(frame, now: now)
            self.frames.publish(frame)
            guard !flushed else { continue }
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
        if !frames.isEmpty, !flushed {
            lastIngestProblem = nil
            refreshStreamingState(now: now)
        }
    }

    /// Offers `frame` to the writer unless writing failed recently: failures back off (1 s doubling to 30 s) instead of
    /// trying, and logging, at every frame; the first success after a failure resumes and says how much was lost.
    private func record(_ frame: TimedVideoFrame, now: ContinuousClock.Instant) async {
        guard configuration.records else { return }
        if let retry = writeRetryAt, now < retry {
            framesLostToWriting += 1
            return
        }
        do {
            // After a failure the writer waits for a keyframe to open a new segment: until then nothing is recorded.
            guard try await writer.append(frame) else {
                if writeFailing { framesLostToWriting += 1 }
                return
            }
            health.framesRecorded += 1
            if writeFailing {
                writeFailing = false
                writeRetryAt = nil
                writeBackoff = .seconds(1)
                logger.notice("recording resumed", metadata: ["framesLost": "\(framesLostToWriting)"])
                eventContinuation.yield(.recordingResumed(at: Date(), framesLost: framesLostToWriting))
                framesLostToWriting = 0
                setState(.streaming, reason: nil)
            }
        } catch {
            framesLostToWriting += 1
            let first = !writeFailing
            writeFailing = true
            writeRetryAt = now + writeBackoff
            writeBackoff = min(writeBackoff * 2, .seconds(30))
            let reason = "cannot write recordings: \(error)"
            if first {
                logger.error("recording failed", metadata: ["error": "\(error)"])
                eventContinuation.yield(.recordingFailed(reason: reason))
            }
            setState(.recordingFailed, reason: reason)
        }
    }

    private func refreshStreamingState(now: ContinuousClock.Instant) {
        // A write failure outranks the link's state until a write succeeds again.
        guard !writeFailing else {
            (health.framesPerSecond, health.bitrate) = rates.rates(now: now)
            return
        }
        let lossy = lastLossInstant.map { now - $0 < configuration.degradedFor } ?? false
        let state: CameraHealth.State = lossy ? .degraded : .streaming
        let changed = state != health.state
        if state != health.state {
            health.state = state
            health.reason = lossy ? "packet loss" : nil
        }
        // The rates are worked out when health is published (on a change, and at most once a second), not per frame.
        if changed || now - lastHealthPublished >= .seconds(1) {
            (health.framesPerSecond, health.bitrate) = rates.rates(now: now)
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
        // A tenth of the offline threshold, at most a second: hundreds of recorders each waking ten times a second
        // would cost more than the check is worth.
        let interval = max(min(configuration.offlineAfter / 10, .seconds(1)), .milliseconds(10))
        while !Task.isCancelled {
            checkOffline(now: .now)
            try? await Task.sleep(for: interval)
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
