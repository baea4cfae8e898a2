/// The delay before each reconnection attempt: exponential from `initial`, doubling up to
/// `maximum`, back to `initial` once a session has stayed healthy for `healthyAfter`.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// A session that streamed this long resets the delay.
    public var healthyAfter: Duration
    private var next: Duration

    /// Creates a policy; defaults are 0.5 s doubling to 10 s, reset after a healthy minute.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10), healthyAfter: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.healthyAfter = healthyAfter
        self.next = initial
    }

    /// The delay before the next attempt, given how long the last session streamed.
    public mutating func delay(afterStreaming streamed: Duration) -> Duration {
        if streamed >= healthyAfter { next = initial }
        let delay = next
        next = min(next * 2, maximum)
        return delay
    }
}
