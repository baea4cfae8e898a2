import Foundation

/// Limits public sign-ups per source address within a sliding window, against spam.
actor SignUpThrottle {
    private let limit: Int
    private let window: TimeInterval
    private var accepted: [String: [Date]] = [:]

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Counts a sign-up from `source`; returns the seconds to wait when over the limit, nil when allowed.
    func admit(_ source: String, now: Date = Date()) -> Int? {
        let start = now.addingTimeInterval(-window)
        var recent = (accepted[source] ?? []).filter { $0 > start }
        if accepted.count > 10_000 { accepted = accepted.filter { $0.value.contains { $0 > start } } }
        guard recent.count < limit else {
            accepted[source] = recent
            return max(1, Int(recent[0].timeIntervalSince(start).rounded(.up)))
        }
        recent.append(now)
        accepted[source] = recent
        return nil
    }
}
