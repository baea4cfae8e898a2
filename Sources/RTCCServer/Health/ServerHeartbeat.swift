import Foundation
import Logging
import RTCCCore
import ServiceLifecycle

/// What the heartbeat file holds: when this run started, its last beat, and when it stopped cleanly.
struct HeartbeatRecord: Codable, Sendable, Equatable {
    var startedAt: Date
    var beatAt: Date
    /// Set by a graceful shutdown; nil while running, and after a crash or a kill.
    var stoppedAt: Date?
    var pid: Int32
}

/// Records the server's down-time: at start-up it reads the heartbeat file the last run left and raises a
/// `server_down` alert for the time nothing ran (from a clean stop, or from the last beat of a run that was killed,
/// crashed or lost power, to now); then it rewrites the file every `interval` and marks it stopped at shutdown.
public struct ServerHeartbeat: Service {
    /// What the last run left, and the down-time it means.
    public struct Downtime: Sendable, Equatable {
        /// When the last run stopped (cleanly) or last beat (it did not stop cleanly).
        public var from: Date
        /// When this run started.
        public var until: Date
        /// Whether the last run shut down gracefully.
        public var clean: Bool
    }

    let services: AppServices
    let file: URL
    let interval: Duration
    let logger: Logger

    /// A heartbeat in `file` (by default `<dataDirectory>/heartbeat.json`), rewritten every `interval`.
    public init(services: AppServices, file: URL? = nil, interval: Duration = .seconds(10), logger: Logger) {
        self.services = services
        self.file = file ?? URL(fileURLWithPath: services.config.dataDirectory).appendingPathComponent("heartbeat.json")
        self.interval = interval
        self.logger = logger
    }

    /// Records the last run's down-time, then beats until shutdown and marks the file stopped.
    public func run() async throws {
        let started = Date()
        var unrecorded: Downtime?
        do {
            unrecorded = try previousDowntime(now: started)
        } catch {
            logger.error("the last run's down-time is not known", metadata: ["error": "\(error)"])
        }
        writeLogged(HeartbeatRecord(startedAt: started, beatAt: started, pid: getpid()))
        await cancelWhenGracefulShutdown { [unrecorded] in await beat(startedAt: started, unrecorded: unrecorded) }
        let stopped = Date()
        writeLogged(HeartbeatRecord(startedAt: started, beatAt: stopped, stoppedAt: stopped, pid: getpid()))
    }

    /// Stores `unrecorded` (retried at each beat until it is) and rewrites the file every `interval` until cancelled.
    private func beat(startedAt: Date, unrecorded: Downtime?) async {
        var unrecorded = unrecorded
        while !Task.isCancelled {
            if let downtime = unrecorded {
                // Kept until stored: a database that is not reachable yet does not lose the event.
                do {
                    try await raiseAlert(for: downtime)
                    unrecorded = nil
                } catch {
                    logger.error("server down-time could not be stored yet; retried at the next beat", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            writeLogged(HeartbeatRecord(startedAt: startedAt, beatAt: Date(), pid: getpid()))
        }
    }

    /// The down-time the last run's heartbeat file shows before `now`; nil when there is no file (first start).
    public func previousDowntime(now: Date = Date()) throws -> Downtime? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let last: HeartbeatRecord
        do {
            last = try JSONDecoder.iso.decode(HeartbeatRecord.self, from: Data(contentsOf: file))
        } catch {
            throw HeartbeatUnreadable(path: file.path, underlying: error)
        }
        let from = last.stoppedAt ?? last.beatAt
        return Downtime(from: min(from, now), until: now, clean: last.stoppedAt != nil)
    }

    /// Raises the `server_down` alert for `downtime`: high when the last run did not shut down cleanly.
    @discardableResult
    public func raiseAlert(for downtime: Downtime) async throws -> Alert {
        let seconds = downtime.until.timeIntervalSince(downtime.from)
        let length = LeadDesk.duration(seconds)
        let title = downtime.clean ? "Server was stopped for \(length)" : "Server stopped without shutting down: down about \(length)"
        var detail = "the server did not run from \(downtime.from.ISO8601Format()) to \(downtime.until.ISO8601Format()); no camera was recorded in that time"
        if !downtime.clean {
            detail += ". The last run was killed, crashed or lost power; down-time is counted from its last heartbeat, so it may have run up to 10 s longer"
        }
        let alert = Alert(kind: .serverDown, severity: downtime.clean ? .medium : .high, title: title, detail: detail, raisedAt: downtime.until.millisecondPrecision)
        logger.notice(
            "server down-time recorded",
            metadata: ["from": "\(downtime.from.ISO8601Format())", "seconds": "\(Int(seconds))", "clean": "\(downtime.clean)"])
        return try await LeadDesk(services: services).raise(alert, bookmarks: [], by: "system")
    }

    private func write(_ record: HeartbeatRecord) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder.iso.encode(record).write(to: file, options: .atomic)
    }

    private func writeLogged(_ record: HeartbeatRecord) {
        do {
            try write(record)
        } catch {
            logger.error("heartbeat file cannot be written; down-time after this will not be known", metadata: ["error": "\(error)"])
        }
    }
}

/// The heartbeat file exists but cannot be read or decoded.
public struct HeartbeatUnreadable: Error, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What failed.
    public var underlying: any Error

    public var description: String { "the heartbeat file \(path) cannot be read (\(underlying)); delete it to start without recording the last down-time" }
}

private extension JSONEncoder {
    static var iso: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

private extension JSONDecoder {
    static var iso: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
