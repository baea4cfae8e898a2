extension Store {
    /// Intake events (gunshots, plate reads, calls for service, tips).
    public var leadEvents: LeadEventRepository { LeadEventRepository(database: database) }
    /// Alerts in the analysts' triage queue.
    public var alerts: AlertRepository { AlertRepository(database: database) }
    /// Licence plates on hot lists.
    public var hotList: HotListRepository { HotListRepository(database: database) }
}

extension Store {
    /// Per-camera analytics settings (motion zones, schedules, object rules).
    public var analytics: AnalyticsRepository { AnalyticsRepository(database: database) }
}
