import Foundation
import Logging
import RTCCCore
import RTCCMedia
import RTCCStore
import ServiceLifecycle

/// Runs a ``CameraWatcher`` for every camera with analytics enabled and a stream URL (its sub stream when it has one),
/// decoding with ffmpeg; re-reads the settings every `refresh`, and at once when the registry changes, and restarts a
/// watcher whose settings changed, or whose ffmpeg stopped (after a pause). Only cameras whose owners share them live
/// (and have not paused or withdrawn sharing) are watched: a revocation stops the camera's decoding at once.
public struct AnalyticsService: Service {
    let services: AppServices
    let logger: Logger
    let refresh: Duration

    /// Creates the service.
    public init(services: AppServices, logger: Logger, refresh: Duration = .seconds(15)) {
        self.services = services
        self.logger = logger
        self.refresh = refresh
    }

    /// A camera to watch.
    public struct Target: Sendable, Equatable {
        /// The camera.
        public var camera: Camera
        /// Its stream (sub stream when it has one), credentials included.
        public var url: String
        /// Its analytics settings.
        public var settings: AnalyticsSettings
        /// Its privacy mask (a changed mask restarts the watcher, which blacks the mask out of every frame).
        public var mask: PrivacyMask
    }

    /// Watches cameras until shutdown.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                var running: [UUID: (Target, Task<Void, Never>)] = [:]
                var seen = await services.registryChanges.signalCount
                while !Task.isCancelled {
                    // Unreadable settings stop every watcher (fail closed) until they can be read again, and say so.
                    let wanted: [UUID: Target]
                    do {
                        wanted = try await targets()
                    } catch {
                        logger.error("analytics stopped: the camera settings cannot be read", metadata: ["error": "\(String(reflecting: error))"])
                        wanted = [:]
                    }
                    for (id, (target, task)) in running where wanted[id] != target {
                        task.cancel()
                        running[id] = nil
                    }
                    for (id, target) in wanted where running[id] == nil {
                        let task = Task { await watch(target) }
                        running[id] = (target, task)
                        group.addTask { await task.value }
                    }
                    seen = await services.registryChanges.wait(after: seen, upTo: refresh)
                }
                for (_, task) in running.values { task.cancel() }
            }
        }
    }

    /// The cameras to watch now, with their stream URL (credentials included) and settings.
    public func targets() async throws -> [UUID: Target] {
        var targets: [UUID: Target] = [:]
        let blocked = try await services.store.community.blockedCameras()
        for stored in try await services.store.analytics.all() where !blocked.contains(stored.cameraID) {
            let settings: AnalyticsSettings
            do {
                settings = try AnalyticsSettings.parse(Data(stored.settings.utf8))
            } catch {
                // Not watched with settings it cannot read (rules, zones, schedule): said in the log, never guessed.
                logger.error("analytics skipped: stored settings cannot be read", metadata: ["camera": "\(stored.cameraID)", "error": "\(error)"])
                continue
            }
            guard settings.enabled, let camera = try await services.store.cameras.find(id: stored.cameraID), camera.sharing == .live else { continue }
            // A temporary camera is watched only during its window, as it is recorded.
            if let window = camera.activeWindow, !(window.from...window.until).contains(Date()) { continue }
            var secrets: CameraSecrets?
            if let sealed = try await services.store.cameras.sealedSecrets(id: camera.id) {
                do {
                    secrets = try services.cipher.open(CameraSecrets.self, from: sealed)
                } catch {
                    // Not watched without its credentials (never tried bare); the recorder's health says the same.
                    logger.error("analytics skipped: stored credentials cannot be opened", metadata: ["camera": "\(camera.id)", "error": "\(error)"])
                    continue
                }
            }
            let url: String
            if let sub = camera.subStreamURL {
                url = StreamURL.withCredentials(sub, secrets?.sub)
            } else if let main = camera.mainStreamURL {
                url = StreamURL.withCredentials(main, secrets?.main)
            } else {
                continue
            }
            targets[camera.id] = Target(camera: camera, url: url, settings: settings, mask: try await services.store.community.mask(cameraID: camera.id))
        }
        return targets
    }

    private func watch(_ target: Target) async {
        let watcher = CameraWatcher(services: services, camera: target.camera, settings: target.settings, logger: logger)
        while !Task.isCancelled {
            let frames = FFmpegGrayFrames.frames(of: target.url, width: target.settings.width, height: target.settings.height, fps: target.settings.fps)
            do {
                try await watcher.run(frames)
            } catch {
                logger.warning("analytics stopped", metadata: ["camera": "\(target.camera.id)", "error": "\(String(describing: error))"])
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
