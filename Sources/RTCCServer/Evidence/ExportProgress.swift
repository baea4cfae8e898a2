import Foundation
import Synchronization

/// How far each running export job is (0…1), as the packager reports it from its worker thread.
public final class ExportProgress: Sendable {
    private let values = Mutex<[UUID: Double]>([:])

    /// Creates an empty board.
    public init() {}

    /// The fraction done of a running job, or nil when it is not running here.
    public func fraction(of job: UUID) -> Double? { values.withLock { $0[job] } }

    /// Records progress; it never goes backwards.
    func report(_ job: UUID, _ fraction: Double) {
        let clamped = min(max(fraction, 0), 1)
        values.withLock { $0[job] = max($0[job] ?? 0, clamped) }
    }

    /// Forgets a finished job.
    func finish(_ job: UUID) { _ = values.withLock { $0.removeValue(forKey: job) } }
}
