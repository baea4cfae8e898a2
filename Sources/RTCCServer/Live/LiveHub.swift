import Foundation
import HTTPTypes
import Logging
import RTCCCore
import RTCCMedia
import ServiceLifecycle

/// Serves each recorded camera's live stream to any number of viewers from the one ingest the recorder
/// already holds: viewers never open a camera connection of their own.
///
/// A camera's ``LiveChannel`` is made on first demand (a viewer, an HLS playlist, a snapshot) and fed by a
/// pump task that follows the camera's recorder, also across recorder restarts; it stops a minute after its
/// last use. Pumps run as child tasks of ``run()``.
public actor LiveHub: Service {
    /// How long a channel without viewers keeps pumping.
    public static let idleTimeout: Duration = .seconds(60)

    private struct Entry {
        var channel: LiveChannel
        var lastUsed: ContinuousClock.Instant
    }

    /// A camera's stream as recorded, or re-encoded to H.264 for browsers that cannot decode its codec, or re-encoded
    /// with the camera's privacy mask burned in.
    public struct Key: Sendable, Hashable {
        /// The camera.
        public var cameraID: UUID
        /// Whether this is the H.264 re-encoding of an H.265 camera.
        public var transcoded: Bool
        /// Whether the privacy mask is burned in (always H.264).
        public var masked = false
    }

    private let recorders: RecorderRegistry
    private let masks: @Sendable (UUID) async throws -> PrivacyMask
    /// In a cluster, starts an ingest for live viewers only of a camera this node does not record (nil when the camera
    /// may not be watched now); nil for a single server.
    private var makeViewerIngest: (@Sendable (UUID) async -> CameraRecorder?)?
    /// The running viewer-only ingests, one per camera, each run by its own task.
    private var viewerIngests: [UUID: (recorder: CameraRecorder, task: Task<Void, Never>)] = [:]
    private let logger: Logger
    private var entries: [Key: Entry] = [:]
    private let requests: AsyncStream<Key>
    private let requestContinuation: AsyncStream<Key>.Continuation

    /// Creates a hub over the running recorders; `masks` gives a camera's privacy mask for masked channels (empty when
    /// it has none). When it throws, the masked channel is closed: no viewer gets the camera's picture unmasked.
    public init(
        recorders: RecorderRegistry, masks: @escaping @Sendable (UUID) async throws -> PrivacyMask = { _ in PrivacyMask(polygons: []) },
        viewerIngest: (@Sendable (UUID) async -> CameraRecorder?)? = nil, logger: Logger = Logger(label: "rtcc.live")
    ) {
        self.recorders = recorders
        self.masks = masks
        self.makeViewerIngest = viewerIngest
        self.logger = logger
        (requests, requestContinuation) = AsyncStream.makeStream(of: Key.self)
    }

    /// The live channel of a camera, started when needed; nil when the camera is not being recorded.
    /// With `transcoded`, the camera's H.265 re-encoded to H.264 (one encoder for all such viewers); with `masked`, the
    /// camera re-encoded with its privacy mask burned in (one encoder for all viewers without `video:unmask`).
    public func channel(for cameraID: UUID, transcoded: Bool = false, masked: Bool = false) async -> LiveChannel? {
        let key = Key(cameraID: cameraID, transcoded: masked ? false : transcoded, masked: masked)
        if var entry = entries[key] {
            entry.lastUsed = .now
            entries[key] = entry
            return entry.channel
        }
        guard await recorders.recorder(of: cameraID) != nil || makeViewerIngest != nil else { return nil }
        if let entry = entries[key] { return entry.channel }
        let channel = LiveChannel()
        entries[key] = Entry(channel: channel, lastUsed: .now)
        requestContinuation.yield(key)
        return channel
    }

    /// Ends a camera's live channels at once (every viewer's stream ends): its owner paused or revoked sharing.
    /// Viewers asking again are refused by the routes until sharing resumes.
    public func close(cameraID: UUID) async {
        for key in entries.keys where key.cameraID == cameraID {
            if let entry = entries.removeValue(forKey: key) { await entry.channel.close() }
        }
        stopViewerIngest(cameraID)
    }

    /// Closes a masked channel whose mask could not be read: its viewers' streams end.
    private func withhold(_ key: Key) async {
        if let entry = entries.removeValue(forKey: key) { await entry.channel.close() }
    }

    /// Runs the pumps until shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { [requestContinuation] in
                await withGracefulShutdownHandler {
                    while !Task.isCancelled, (try? await Task.sleep(for: .seconds(3600))) != nil {}
                } onGracefulShutdown: {
                    requestContinuation.finish()
                }
            }
            for await key in requests {
                group.addTask { await self.pump(key) }
            }
            group.cancelAll()
        }
        for entry in entries.values { await entry.channel.close() }
        for ingest in viewerIngests.values { ingest.task.cancel() }
        viewerIngests = [:]
    }

    /// The ingest that feeds a camera's channels: this node's recorder, else (in a cluster) a viewer-only ingest of the
    /// camera, started on first demand and shared by every channel of the camera.
    private func source(of cameraID: UUID) async -> CameraRecorder? {
        if let recorder = await recorders.recorder(of: cameraID) {
            stopViewerIngest(cameraID)
            return recorder
        }
        if let running = viewerIngests[cameraID] { return running.recorder }
        guard let makeViewerIngest, let recorder = await makeViewerIngest(cameraID) else { return nil }
        if let running = viewerIngests[cameraID] { return running.recorder }
        viewerIngests[cameraID] = (recorder, Task { await recorder.run() })
        logger.info("live: viewer-only ingest started for a camera another node records", metadata: ["camera": "\(cameraID)"])
        return recorder
    }

    private func stopViewerIngest(_ cameraID: UUID) {
        if let running = viewerIngests.removeValue(forKey: cameraID) { running.task.cancel() }
    }

    /// Stops a camera's viewer-only ingest once none of its channels is in use.
    private func releaseViewerIngest(_ cameraID: UUID) {
        guard viewerIngests[cameraID] != nil, !entries.keys.contains(where: { $0.cameraID == cameraID }) else { return }
        stopViewerIngest(cameraID)
    }

    /// Feeds a camera's channel from whichever recorder records it, until the channel idles out.
    private func pump(_ key: Key) async {
        let cameraID = key.cameraID
        defer { Task { await self.releaseViewerIngest(cameraID) } }
        while !Task.isCancelled, let channel = await activeChannel(key) {
            guard let recorder = await source(of: cameraID) else {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            let frames = recorder.frames.subscribe(bufferingNewest: 600)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [logger, masks] in
                    if key.masked {
                        // No mask (removed meanwhile) still re-encodes: a masked viewer never gets the camera's own stream.
                        // A mask that cannot be read ends the channel: the picture is withheld, never sent unmasked.
                        let mask: PrivacyMask
                        do {
                            mask = try await masks(cameraID)
                        } catch {
                            logger.error(
                                "privacy mask unreadable; live video withheld",
                                metadata: ["camera": "\(cameraID)", "error": "\(String(reflecting: error))"])
                            await self.withhold(key)
                            return
                        }
                        await LiveTranscoder.run(frames, into: channel, mask: mask, logger: logger)
                    } else if key.transcoded {
                        await LiveTranscoder.run(frames, into: channel, logger: logger)
                    } else {
                        for await frame in frames { await channel.push(frame) }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        guard await self.activeChannel(key) != nil, await self.source(of: cameraID) === recorder else { return }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        logger.debug("live channel stopped", metadata: ["camera": "\(cameraID)"])
    }

    /// In a cluster, how to start a viewer-only ingest of a camera this node does not record (see ``init``).
    public func setViewerIngest(_ make: @escaping @Sendable (UUID) async -> CameraRecorder?) { makeViewerIngest = make }

    /// The channel while it is in use (or was used within ``idleTimeout``); forgets it otherwise.
    private func activeChannel(_ key: Key) async -> LiveChannel? {
        guard let entry = entries[key] else { return nil }
        if await entry.channel.viewerCount > 0 {
            entries[key]?.lastUsed = .now
            return entry.channel
        }
        guard ContinuousClock.now - entry.lastUsed < (key.transcoded || key.masked ? .seconds(10) : Self.idleTimeout) else {
            entries[key] = nil
            await entry.channel.close()
            return nil
        }
        return entry.channel
    }
}
