import Foundation

/// What `GET /api/v1/health` answers: the server's overall state and each part it depends on.
///
/// `status` is `ok` when every component is, `degraded` when something needs attention but the server still answers
/// or records (HTTP 200, so a load balancer can choose), and `down` when it can do neither: the database does not
/// answer and no recordings folder can be written (HTTP 503). Anonymous callers get states, counts and generic
/// reasons; an administrator also gets folder paths, camera ids and the index's last error.
public struct HealthReport: Codable, Sendable, Equatable {
    /// A state, overall or of one component.
    public enum Status: String, Codable, Sendable, Comparable {
        case ok, degraded, down

        /// Worse states compare greater.
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .ok: 0
            case .degraded: 1
            case .down: 2
            }
        }
    }

    /// The database, probed with a real query and a short timeout.
    public struct Database: Codable, Sendable, Equatable {
        /// `ok`, or `down` when it failed or did not answer in time.
        public var status: Status
        /// `sqlite` or `postgresql`.
        public var kind: String
        /// How long the probe took, when it answered.
        public var latencyMilliseconds: Double?
        /// Why it is not ok (the error itself goes to the server log).
        public var reason: String?
    }

    /// One recordings folder and its volume.
    public struct Storage: Codable, Sendable, Equatable {
        /// `ok`; `degraded` below the minimum free space (the oldest footage is being deleted to keep it); `down` when
        /// the folder cannot be written or its volume read.
        public var status: Status
        /// The folder (administrators only).
        public var path: String?
        /// Bytes free to the server on its volume (statvfs), when readable.
        public var freeBytes: Int64?
        /// The free space kept on the volume (`recordingsMinimumFreeBytes`); 0 keeps none.
        public var minimumFreeBytes: Int64
        /// Whether the server may create files in the folder.
        public var writable: Bool
        /// Cameras recording to this folder now, when the server records to several volumes.
        public var cameras: Int?
        public var reason: String?
    }

    /// The queue between the recorders and the database index.
    public struct IndexQueue: Codable, Sendable, Equatable {
        /// `ok`, or `degraded` while the index refuses reports or the oldest waits longer than a few seconds.
        public var status: Status
        /// Segment reports waiting to be stored (journaled on disk meanwhile).
        public var pending: Int
        /// Seconds the oldest waiting report has waited.
        public var oldestPendingSeconds: Double?
        /// Since when the index has been refusing reports.
        public var unavailableSince: Date?
        /// The index's last refusal (administrators only).
        public var lastError: String?
        public var reason: String?
    }

    /// The camera recorders of this server.
    public struct Recorders: Codable, Sendable, Equatable {
        /// `ok`, or `degraded` while a camera's video cannot be written.
        public var status: Status
        /// Cameras with a recorder.
        public var cameras: Int
        /// Of those, how many deliver video (streaming or degraded link).
        public var streaming: Int
        /// Of those, how many are `recording_failed`.
        public var recordingFailed: Int
        /// The ids of the cameras that cannot record (administrators only).
        public var recordingFailedCameras: [UUID]?
        public var reason: String?
    }

    /// The overall state.
    public var status: Status
    /// The server's version.
    public var version: String
    /// Cameras in the registry, when the database answered.
    public var cameras: Int?
    public var database: Database
    /// One entry per recordings folder; empty when this server does not record.
    public var storage: [Storage]
    /// Absent when this server does not record.
    public var indexQueue: IndexQueue?
    public var recorders: Recorders

    /// The overall state of these components: `down` when the server neither answers (database) nor records (no
    /// folder it can write), `degraded` when any component is not ok, else `ok`.
    public static func overall(database: Database, storage: [Storage], indexQueue: IndexQueue?, recorders: Recorders) -> Status {
        let answers = database.status == .ok
        let records = storage.contains { $0.status != .down }
        if !answers, !records { return .down }
        let worst = ([database.status, indexQueue?.status ?? .ok, recorders.status] + storage.map(\.status)).max() ?? .ok
        return worst == .ok ? .ok : .degraded
    }
}
