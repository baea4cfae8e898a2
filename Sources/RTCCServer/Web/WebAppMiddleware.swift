import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the operator web app: plain HTML, CSS and JavaScript modules shipped in the server's resources
/// (no build step), and Leaflet from the system's `libjs-leaflet` under `/vendor/leaflet/`.
///
/// `GET /` and every app path without a file extension (`/wall`, `/playback`…) answer `index.html`, so deep
/// links work; `/signup` and `/transparency` are public pages of their own; `/ui/…` are the app's files. Everything under `/api/` and `/metrics` passes through.
struct WebAppMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The folder holding `index.html`.
    let root: URL?
    /// Leaflet's folder on this machine.
    let leaflet = RuntimeDependencies.leafletFolder

    /// The security headers of the app's pages and files (their policy allows the configured map tiles).
    let securityHeaders: HTTPFields

    /// Serves the app; `mapTileURL` is the configured tile template, whose host the pages may load images from.
    init(mapTileURL: String? = nil) {
        root = Bundle.module.url(forResource: "web", withExtension: nil, subdirectory: "Resources")
            ?? Bundle.module.resourceURL?.appendingPathComponent("Resources/web")
        securityHeaders = SecurityHeaders.page(mapTileOrigin: SecurityHeaders.imageSource(forTileTemplate: mapTileURL))
    }

    /// Pages for people without an account: the community sign-up (also its e-mail links) and the transparency report.
    static var publicPages: [String: String] { ["/signup": "signup.html", "/transparency": "transparency.html"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, !path.hasPrefix("/api/"), path != "/metrics", let root else {
            return try await next(request, context)
        }
        let file: URL
        if path.hasPrefix("/vendor/leaflet/") {
            guard let relative = Self.safeRelative(String(path.dropFirst("/vendor/leaflet/".count))) else { throw Problem.notFound("file") }
            file = leaflet.appendingPathComponent(relative)
        } else if path.hasPrefix("/ui/") {
            guard let relative = Self.safeRelative(String(path.dropFirst("/ui/".count))) else { throw Problem.notFound("file") }
            file = root.appendingPathComponent(relative)
        } else if let page = Self.publicPages[path] {
            file = root.appendingPathComponent(page)
        } else if path == "/" || !(path.split(separator: "/").last ?? "").contains(".") {
            file = root.appendingPathComponent("index.html")
        } else {
            return try await next(request, context)
        }
        guard let data = FileManager.default.contents(atPath: file.path) else { throw Problem.notFound("file \(path.prefix(80))") }
        var headers = securityHeaders
        headers[.contentType] = Self.contentType(file.pathExtension)
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A relative path without `..`, hidden files or empty parts.
    static func safeRelative(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") }) else { return nil }
        return parts.joined(separator: "/")
    }

    static func contentType(_ ext: String) -> String {
        switch ext {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        case "wav": "audio/wav"
        default: "application/octet-stream"
        }
    }
}
