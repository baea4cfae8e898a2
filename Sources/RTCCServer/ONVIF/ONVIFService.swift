import Foundation
import Logging
import RTCCCore
import RTCCOnvif
import RTCCStore
import ServiceLifecycle

/// Keeps watch on every ONVIF-linked camera (in a cluster, those whose recording this node holds, so each camera is
/// watched once): every `onvifCheckSeconds` it reads the camera's clock and stores the offset (a camera off by more
/// than `onvifClockDriftSeconds` raises a camera-clock alert) or what went wrong; and for a device with events it keeps
/// a pull-point subscription, turning motion into `motion` alerts and tampering into `detection` alerts with the
/// camera's bookmarks, as on-camera analytics do (then none of the same kind for `cooldown`).
public struct ONVIFService: Service {
    let services: AppServices
    let logger: Logger
    let refresh: Duration
    let cooldown: TimeInterval

    /// Creates the service.
    public init(services: AppServices, logger: Logger, refresh: Duration = .seconds(15), cooldown: TimeInterval = 60) {
        self.services = services
        self.logger = logger
        self.refresh = refresh
        self.cooldown = cooldown
    }

    /// Watches the linked cameras until shutdown.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                var running: [UUID: (ONVIFLink, Task<Void, Never>)] = [:]
                var seen = await services.registryChanges.signalCount
                while !Task.isCancelled {
                    let wanted: [UUID: ONVIFLink]
                    do {
                        wanted = try await targets()
                    } catch {
                        logger.error("ONVIF watch paused: the linked cameras cannot be read", metadata: ["error": "\(String(reflecting: error))"])
                        wanted = [:]
                    }
                    for (id, (link, task)) in running where wanted[id]?.linkedAt != link.linkedAt {
                        task.cancel()
                        running[id] = nil
                    }
                    for (id, link) in wanted where running[id] == nil {
                        let task = Task { await watch(link) }
                        running[id] = (link, task)
                        group.addTask { await task.value }
                    }
                    seen = await services.registryChanges.wait(after: seen, upTo: refresh)
                }
                for (_, task) in running.values { task.cancel() }
            }
        }
    }

    /// The links to watch here: all on a single server; on a cluster node, those of cameras whose first recording copy
    /// this node holds.
    func targets() async throws -> [UUID: ONVIFLink] {
        var links = try await services.store.onvif.all()
        if services.config.cluster.isNode {
            let node = services.config.cluster.nodeName
            let mine = Set(try await services.store.cluster.leases().filter { $0.copy == 0 && $0.node == node && $0.held }.map(\.cameraID))
            links = links.filter { mine.contains($0.cameraID) }
        }
        return Dictionary(uniqueKeysWithValues: links.map { ($0.cameraID, $0) })
    }

    /// Checks the clock and, for a device with events, pulls them, until cancelled (both stop with the watch).
    private func watch(_ link: ONVIFLink) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await checkClock(link) }
            if link.events { group.addTask { await pullEvents(link) } }
        }
    }

    /// Reads the camera's clock every `onvifCheckSeconds`; stores the offset or the failure, and alerts on drift.
    private func checkClock(_ link: ONVIFLink) async {
        while !Task.isCancelled {
            let now = Date()
            do {
                let device = try await services.onvifDevices.device(for: link, services: services)
                let offset = try await device.synchronizeClock()
                try await services.store.onvif.recordCheck(cameraID: link.cameraID, clockOffsetSeconds: offset, error: nil, at: now)
                if abs(offset) > Double(services.config.onvifClockDriftSeconds), let camera = try await services.store.cameras.find(id: link.cameraID) {
                    try await LeadDesk(services: services).cameraClockOff(link.cameraID, name: camera.name, offset: offset, now: now)
                }
            } catch {
                logger.warning("ONVIF check failed", metadata: ["camera": "\(link.cameraID)", "error": "\(error)"])
                do {
                    try await services.store.onvif.recordCheck(cameraID: link.cameraID, clockOffsetSeconds: nil, error: String(describing: error), at: now)
                } catch {
                    logger.error("ONVIF check result not stored", metadata: ["camera": "\(link.cameraID)", "error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .seconds(services.config.onvifCheckSeconds))
        }
    }

    /// Keeps a pull-point subscription open (renewed before it lapses, opened again after any failure, 5 s later) and
    /// raises alerts from what it delivers.
    private func pullEvents(_ link: ONVIFLink) async {
        var lastRaised: [ONVIFEventKind: Date] = [:]
        while !Task.isCancelled {
            var subscription: PullPointSubscription?
            do {
                let device = try await services.onvifDevices.device(for: link, services: services)
                let opened = try await device.createPullPoint(seconds: 120)
                subscription = opened
                var renewed = Date()
                while !Task.isCancelled {
                    let events = try await device.pullMessages(opened, seconds: 5, limit: 50)
                    for event in events where event.active == true && event.operation != "Initialized" {
                        guard let kind = event.kind else { continue }
                        let now = Date()
                        if let last = lastRaised[kind], now.timeIntervalSince(last) < cooldown { continue }
                        lastRaised[kind] = now
                        try await raise(kind, for: link, event: event, at: now)
                    }
                    if Date().timeIntervalSince(renewed) > 60 {
                        try await device.renew(opened, seconds: 120)
                        renewed = Date()
                    }
                }
            } catch is CancellationError {
                break
            } catch {
                logger.warning("ONVIF events interrupted; subscribing again in 5 s", metadata: ["camera": "\(link.cameraID)", "error": "\(error)"])
            }
            if let subscription {
                // Leaving politely (when stopped, outside this cancelled task, whose requests would be cancelled at
                // once; after a failure, before subscribing again); a device that does not answer drops the
                // subscription when it lapses.
                let services = services
                let logger = logger
                await Task.detached {
                    do {
                        try await services.onvifDevices.device(for: link, services: services).unsubscribe(subscription)
                    } catch {
                        logger.debug("ONVIF unsubscribe not answered", metadata: ["camera": "\(link.cameraID)"])
                    }
                }.value
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    private func raise(_ kind: ONVIFEventKind, for link: ONVIFLink, event: ONVIFEvent, at time: Date) async throws {
        guard let camera = try await services.store.cameras.find(id: link.cameraID) else { return }
        let source = event.source.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let detail = "ONVIF event \(event.topic) from \(link.manufacturer) \(link.model)" + (source.isEmpty ? "" : " (\(source))")
            + (event.time.map { "; camera time \($0.ISO8601Format())" } ?? "")
        let alert: Alert
        switch kind {
        case .motion:
            alert = Alert(kind: .motion, severity: .low, title: "Camera motion on \(camera.name)", detail: detail, raisedAt: time.millisecondPrecision,
                          cameraID: camera.id, location: camera.location)
        case .tampering:
            alert = Alert(kind: .detection, severity: .high, title: "Camera tampering on \(camera.name)", detail: detail + "; the camera may be covered, moved or blinded",
                          raisedAt: time.millisecondPrecision, cameraID: camera.id, location: camera.location)
        }
        let desk = LeadDesk(services: services)
        try await desk.raise(alert, bookmarks: [desk.bookmark(of: camera, around: time)], by: "onvif")
    }
}
