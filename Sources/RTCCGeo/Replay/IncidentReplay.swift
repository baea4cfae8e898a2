import Foundation

/// Replays past incidents against the cameras: which saw each one, which fell in a gap, and which a proposed plan
/// (extra cameras) would have covered.
public struct IncidentReplay: Sendable {
    /// What the replay found for one incident.
    public struct Outcome: Sendable, Hashable {
        /// The incident.
        public var incident: Incident
        /// Existing cameras that covered it and were active at its time, nearest first.
        public var seenBy: [Sighting]
        /// Proposed cameras that would have covered it (active at its time), nearest first.
        public var proposedSeenBy: [Sighting]

        /// The verdict: seen now, covered only under the plan, or in a gap either way.
        public var verdict: Verdict {
            if !seenBy.isEmpty { return .seen }
            return proposedSeenBy.isEmpty ? .gap : .coveredByPlan
        }
    }

    /// The three answers for one incident.
    public enum Verdict: String, Sendable, Hashable, CaseIterable {
        /// At least one existing camera covered it.
        case seen
        /// No existing camera did, but a proposed one would have.
        case coveredByPlan = "covered-by-plan"
        /// Nothing covers it.
        case gap
    }

    /// Counts of each verdict over a replay.
    public struct Summary: Sendable, Hashable {
        /// Incidents an existing camera saw.
        public var seen: Int
        /// Incidents only the plan would have covered.
        public var coveredByPlan: Int
        /// Incidents in a gap.
        public var gap: Int

        /// Creates a summary from its counts.
        public init(seen: Int, coveredByPlan: Int, gap: Int) {
            self.seen = seen
            self.coveredByPlan = coveredByPlan
            self.gap = gap
        }
    }

    /// The existing cameras.
    public let existing: CameraIndex
    /// The proposed extra cameras, placed in the same plane.
    public let proposed: CameraIndex

    /// Prepares a replay against `existing` cameras and, optionally, `proposed` extra ones (in the same plane and with the
    /// same buildings as `existing`).
    public init(existing: CameraIndex, proposed: [CameraView] = []) {
        self.existing = existing
        self.proposed = CameraIndex(views: proposed, projection: existing.projection, buildings: existing.buildings)
    }

    /// The outcome for each incident, in the order given.
    public func replay(_ incidents: [Incident]) -> [Outcome] {
        incidents.map { incident in
            let point = existing.projection.project(incident.location)
            return Outcome(
                incident: incident, seenBy: existing.sightings(of: point, at: incident.time),
                proposedSeenBy: proposed.sightings(of: point, at: incident.time))
        }
    }

    /// Counts the verdicts of `outcomes`.
    public static func summarise(_ outcomes: [Outcome]) -> Summary {
        var summary = Summary(seen: 0, coveredByPlan: 0, gap: 0)
        for outcome in outcomes {
            switch outcome.verdict {
            case .seen: summary.seen += 1
            case .coveredByPlan: summary.coveredByPlan += 1
            case .gap: summary.gap += 1
            }
        }
        return summary
    }
}
