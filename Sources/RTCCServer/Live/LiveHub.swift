import Foundation
import HTTPTypes
import Logging
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

    /// A camera's stream as recorded, or re-encoded to H.264 for browsers that cannot decode its codec.
    public struct Key: Sendable, Hashable {
        /// The camera.
        public var cameraID: UUID
        /// Whether this is the H.264 re-encoding of an H.265 camera.
        public var transcoded: Bool
    }

    private let recorders: RecorderRegistry
    private let logger: Logger
    private var entries: [Key: Entry] = [:]
    private let requests: AsyncStream<Key>
    private let requestContinuation: AsyncStream<Key>.Continuation

    /// Creates a hub over the running recorders.
    public init(recorders: RecorderRegistry, logger: Logger = Logger(label: "rtcc.live")) {
        self.recorders = recorders
        self.logger = logger
        (requests, requestContinuation) = AsyncStream.makeStream(of: Key.self)
    }

    /// The live channel of a camera, started when needed; nil when the camera is not being recorded.
    /// With `transcoded`, the camera's H.265 re-encoded to H.264 (one encoder for all such viewers).
    public func channel(for cameraID: UUID, transcoded: Bool = false) async -> LiveChannel? {
        let key = Key(cameraID: cameraID, transcoded: transcoded)
        if var entry = entries[key] {
            entry.lastUsed = .now
            entries[key] = entry
            return entry.channel
        }
        guard await recorders.recorder(of: cameraID) != nil else { return nil }
        if let entry = entries[key] { return entry.channel }
        let channel = LiveChannel()
        entries[key] = Entry(channel: channel, lastUsed: .now)
        requestContinuation.yield(key)
        return channel
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
    }

    /// Feeds a camera's channel from whichever recorder records it, until the channel idles out.
    private func pump(_ key: Key) async {
        let cameraID = key.cameraID
        while !Task.isCancelled, let channel = await activeChannel(key) {
            guard let recorder = await recorders.recorder(of: cameraID) else {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            let frames = await recorder.frames.subscribe(bufferingNewest: 600)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [logger] in
                    if key.transcoded {
                        await LiveTranscoder.run(frames, into: channel, logger: logger)
                    } else {
                        for await frame in frames { await channel.push(frame) }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        guard await self.activeChannel(key) != nil, await self.recorders.recorder(of: cameraID) === recorder else { return }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        logger.debug("live channel stopped", metadata: ["camera": "\(cameraID)"])
    }

    /// The channel while it is in use (or was used within ``idleTimeout``); forgets it otherwise.
    private func activeChannel(_ key: Key) async -> LiveChannel? {
        guard let entry = entries[key] else { return nil }
        if await entry.channel.viewerCount > 0 {
            entries[key]?.lastUsed = .now
            return entry.channel
        }
        guard ContinuousClock.now - entry.lastUsed < (key.transcoded ? .seconds(10) : Self.idleTimeout) else {
            entries[key] = nil
            await entry.channel.close()
            return nil
        }
        return entry.channel
    }
}
