import Foundation
import HTTPTypes

/// The security headers every response carries, errors included.
///
/// API answers (JSON, problem documents, media) get a policy that lets a browser do nothing with them but read them;
/// the web app's pages get ``page(mapTileOrigin:)``, which allows exactly what the app loads.
public enum SecurityHeaders {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!

    /// For API responses: nothing may be loaded, framed, sniffed, cached or referred.
    public static let api: HTTPFields = [
        contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
        contentTypeOptions: "nosniff",
        frameOptions: "DENY",
        referrerPolicy: "no-referrer",
        .cacheControl: "no-store",
    ]

    /// For the web app's pages and files: its own scripts, styles and images, Leaflet from `/vendor`, map tiles from
    /// `mapTileOrigin` (see ``imageSource(forTileTemplate:)``) when tiles are configured, `blob:` video for the MSE players
    /// and WebSockets back to this server. Not framed, no referrer, no sniffing.
    public static func page(mapTileOrigin: String?) -> HTTPFields {
        let images = (["'self'", "data:", "blob:"] + (mapTileOrigin.map { [$0] } ?? [])).joined(separator: " ")
        return [
            contentSecurityPolicy: """
                default-src 'self'; script-src 'self'; img-src \(images); media-src 'self' blob:; connect-src 'self' ws: wss:; \
                style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'
                """,
            contentTypeOptions: "nosniff",
            frameOptions: "DENY",
            referrerPolicy: "no-referrer",
        ]
    }

    /// The image source that allows a tile URL template: its origin (`https://host[:port]`), `https://*.host` for a
    /// `{s}.` subdomain placeholder, or any `https:` host when the template's host has other placeholders.
    public static func imageSource(forTileTemplate template: String?) -> String? {
        guard let template, let schemeEnd = template.range(of: "://") else { return nil }
        let scheme = template[..<schemeEnd.upperBound]
        var authority = String(template[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if authority.hasPrefix("{s}.") { authority = "*." + authority.dropFirst(4) }
        let plain = authority.allSatisfy { $0.isLetter || $0.isNumber || ".-:*[]".contains($0) }
        guard !authority.isEmpty, plain else { return scheme.dropLast(2) + "" }
        return scheme + authority
    }

    /// Sets each of `headers` that `fields` does not already have.
    static func fill(_ fields: inout HTTPFields, from headers: HTTPFields) {
        for field in headers where fields[field.name] == nil {
            fields.append(field)
        }
    }
}
