import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore

/// `/api/v1/telemetry/live`: players report how late live pictures were presented.
struct TelemetryRoutes {
    let services: AppServices

    struct Report: Decodable {
        /// Ingress→presented latencies, milliseconds.
        var latencies: [Double]
    }

    struct Summary: Encodable {
        var samples: Int
        var p50: Double?
        var p95: Double?
        var p99: Double?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.telemetryLive, report)
        router.add(.telemetryLiveSummary, summary)
    }

    @Sendable func report(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let input = try await request.decodeStrict(Report.self, allowed: ["latencies"], context: context)
        guard input.latencies.count <= 1000 else { throw Problem.badRequest(field: "latencies", "at most 1000 samples per report") }
        await services.liveLatency.add(input.latencies)
        return Reply.noContent
    }

    @Sendable func summary(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let samples = await services.liveLatency.recent().sorted()
        func percentile(_ p: Double) -> Double? {
            samples.isEmpty ? nil : samples[min(samples.count - 1, Int((p * Double(samples.count)).rounded(.down)))]
        }
        if request.uri.queryParameters.get("reset") == "true" { await services.liveLatency.reset() }
        return try Reply.json(Summary(samples: samples.count, p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99)))
    }
}
