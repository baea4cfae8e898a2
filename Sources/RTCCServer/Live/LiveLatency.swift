import Foundation
import HTTPTypes
import Prometheus

/// Ingress→presented latency of live video as reported by the players (`requestVideoFrameCallback`), kept as
/// a Prometheus histogram and as the newest samples for `rtcc bench live`.
actor LiveLatency {
    /// The most samples kept for percentiles.
    static let capacity = 20_000

    private let histogram: DurationHistogram
    private var samples: [Double] = []

    init(registry: PrometheusCollectorRegistry) {
        histogram = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "rtcc", metricName: "live_presented_latency", unitName: "seconds",
                helpText: "Live video ingress to presentation in the browser, as the players report it"),
            buckets: [.milliseconds(50), .milliseconds(100), .milliseconds(150), .milliseconds(200), .milliseconds(300),
                      .milliseconds(500), .milliseconds(1000), .milliseconds(2000), .milliseconds(5000)])
    }

    /// Adds samples in milliseconds (negative or absurd values are ignored).
    func add(_ milliseconds: [Double]) {
        for value in milliseconds where value.isFinite && value >= 0 && value < 60_000 {
            histogram.record(.nanoseconds(Int64(value * 1_000_000)))
            samples.append(value)
        }
        if samples.count > Self.capacity { samples.removeFirst(samples.count - Self.capacity) }
    }

    /// The kept samples, milliseconds.
    func recent() -> [Double] { samples }

    /// Forgets the kept samples (the histogram keeps counting).
    func reset() { samples = [] }
}
