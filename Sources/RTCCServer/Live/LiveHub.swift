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

    private let recorders: RecorderRegistry
    private let logger: Logger
    private var entries: [UUID: Entry] = [:]
    private let requests: AsyncStream<UUID>
    private let requestContinuation: AsyncStream<UUID>.Continuation

    /// Creates a hub over the running recorders.
    public init(recorders: RecorderRegistry, logger: Logger = Logger(label: "rtcc.live")) {
        self.recorders = recorders
        self.logger = logger
        (requests, requestContinuation) = AsyncStream.makeStream(of: UUID.self)
    }

    /// The live channel of a camera, started when needed; nil when the camera is not being recorded.
    public func channel(for cameraID: UUID) async -> LiveChannel? {
        if var entry = entries[cameraID] {
            entry.lastUsed = .now
            entries[cameraID] = entry
            return entry.channel
        }
        guard await recorders.recorder(of: cameraID) != nil else { return nil }
        if let entry = entries[cameraID] { return entry.channel }
        let channel = LiveChannel()
        entries[cameraID] = Entry(channel: channel, lastUsed: .now)
        requestContinuation.yield(cameraID)
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
            for await cameraID in requests {
                group.addTask { await self.pump(cameraID) }
            }
            group.cancelAll()
        }
        for entry in entries.values { await entry.channel.close() }
    }

    /// Feeds a camera's channel from whichever recorder records it, until the channel idles out.
    private func pump(_ cameraID: UUID) async {
        while !Task.isCancelled, let channel = await activeChannel(cameraID) {
            guard let recorder = await recorders.recorder(of: cameraID) else {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            let frames = await recorder.frames.subscribe(bufferingNewest: 600)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in frames { await channel.push(frame) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        guard await self.activeChannel(cameraID) != nil, await self.recorders.recorder(of: cameraID) === recorder else { return }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        logger.debug("live channel stopped", metadata: ["camera": "\(cameraID)"])
    }

    /// The channel while it is in use (or was used within ``idleTimeout``); forgets it otherwise.
    private func activeChannel(_ cameraID: UUID) async -> LiveChannel? {
        guard let entry = entries[cameraID] else { return nil }
        if await entry.channel.viewerCount > 0 {
            entries[cameraID]?.lastUsed = .now
            return entry.channel
        }
        guard ContinuousClock.now - entry.lastUsed < Self.idleTimeout else {
            entries[cameraID] = nil
            await entry.channel.close()
            return nil
        }
        return entry.channel
    }
}
