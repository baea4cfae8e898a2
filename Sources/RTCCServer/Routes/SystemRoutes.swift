import Foundation
import Hummingbird
import Prometheus
import RTCCCore
import RTCCStore

/// Health, metrics and the OpenAPI document.
struct SystemRoutes {
    let services: AppServices

    struct Health: Encodable {
        var status: String
        var database: String
        var cameras: Int
        var version: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.health, health)
        router.add(.openAPI, openAPI)
        router.add(.metrics, metrics)
    }

    @Sendable func health(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let cameras = try await services.store.cameras.count()
        services.signIns.cameras.set(Double(cameras))
        return try Reply.json(Health(status: "ok", database: services.store.isPostgres ? "postgresql" : "sqlite", cameras: cameras, version: RTCCVersion.current))
    }

    @Sendable func openAPI(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        Reply.text(try OpenAPIDocument.text(), contentType: "application/yaml")
    }

    @Sendable func metrics(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let cameras = try await services.store.cameras.count()
        services.signIns.cameras.set(Double(cameras))
        return Reply.text(services.metrics.emitToString(), contentType: "text/plain; version=0.0.4")
    }
}

/// The OpenAPI 3 document shipped with the server.
public enum OpenAPIDocument {
    /// The YAML text.
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml", subdirectory: "Resources") ?? Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        else { throw Problem(.internalServerError, "the OpenAPI document is missing from this build") }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// The product version.
public enum RTCCVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
