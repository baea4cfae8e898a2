import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RTCCStore

/// The node-to-node API of a cluster: a node hands the segment files it recorded to the other nodes. Only callers with
/// the cluster secret (header `X-RTCC-Cluster-Secret`) are answered; any other request gets 401 and is audited. Not part
/// of the public API: keep `/api/v1/internal/` off the load balancer that users reach (docs/DEPLOYMENT.md).
struct ClusterRoutes {
    let services: AppServices

    /// The header that carries the cluster secret.
    static let secretHeader = "X-RTCC-Cluster-Secret"

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/v1/internal/segments/:id") { request, context in try await segment(request, context) }
    }

    /// `GET /api/v1/internal/segments/{id}`: the bytes of a segment this node recorded (its complete fragments so far
    /// while it is being written).
    @Sendable func segment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await authorize(request, context)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Problem.badRequest(field: "id", "must be a segment id") }
        guard let segment = try await services.store.segments.find(id: id), segment.node == services.config.cluster.nodeName else {
            throw Problem(.notFound, "segment \(id.uuidString.lowercased()) was not recorded on this node")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: segment.path))
        } catch {
            context.logger.error("segment file unreadable for another node", metadata: ["segment": "\(id)", "error": "\(error)"])
            throw Problem(.notFound, "the file of segment \(id.uuidString.lowercased()) cannot be read on this node")
        }
        return Response(
            status: .ok, headers: [.contentType: "video/mp4", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Checks the cluster secret in constant time; refuses (401, audited) when this node has none or it differs.
    private func authorize(_ request: Request, _ context: AppRequestContext) async throws {
        let given = request.headers[HTTPField.Name(Self.secretHeader)!].map { Data($0.utf8) }
        if let secret = services.config.cluster.secret, let given {
            let expected = Data(secret.utf8)
            // Equal lengths compared byte by byte without an early exit; the length itself is not secret.
            if given.count == expected.count, zip(given, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 { return }
        }
        try await services.record(
            "cluster.unauthorized", target: "GET \(request.uri.path)", detail: given == nil ? "no cluster secret" : "wrong cluster secret",
            by: nil, context: context, actorName: "anonymous")
        throw Problem.unauthenticated("node-to-node requests need the cluster secret")
    }
}
