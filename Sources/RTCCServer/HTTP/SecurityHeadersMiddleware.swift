import HTTPTypes
import Hummingbird

/// Puts ``SecurityHeaders/api`` on every response that does not set its own (the web app's pages do), errors included:
/// it renders an error into its response here, so problem documents and 404s carry the headers too. Adds
/// `Strict-Transport-Security` when the server speaks HTTPS.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Whether the server speaks HTTPS.
    let tls: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        SecurityHeaders.fill(&response.headers, from: SecurityHeaders.api)
        if tls, response.headers[SecurityHeaders.strictTransportSecurity] == nil {
            response.headers[SecurityHeaders.strictTransportSecurity] = "max-age=31536000"
        }
        return response
    }
}
