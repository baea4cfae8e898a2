import Foundation

/// An `rtsp://` URL split into parts, with any `user:password@` taken out as ``RTSPCredentials``.
///
/// ``requestURI`` never contains the user information; `description` (for logs) contains neither it nor the values of
/// credential query parameters (`password=…`, `user=…`, `token=…`), which it shows as `***`.
public struct RTSPURL: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address (IPv6 without brackets).
    public var host: String
    /// The TCP port; 554 when the URL gives none.
    public var port: Int
    /// The path and query, starting with `/` (or empty).
    public var pathAndQuery: String
    /// Percent-decoded credentials from the URL, if any.
    public var credentials: RTSPCredentials?

    /// Why a URL could not be used.
    public enum ParseError: Error, Sendable, Equatable {
        /// Not a syntactically valid URL.
        case malformed
        /// The scheme is not `rtsp`.
        case unsupportedScheme
        /// No host is given.
        case missingHost
    }

    /// Parses `rtsp://[user[:password]@]host[:port][/path][?query]`.
    public init(parsing text: String) throws(ParseError) {
        guard text.utf8.count <= 4096, let components = URLComponents(string: text) else { throw .malformed }
        guard components.scheme?.lowercased() == "rtsp" else { throw .unsupportedScheme }
        guard let host = components.host, !host.isEmpty else { throw .missingHost }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 554
        guard (1...65535).contains(port) else { throw .malformed }
        var path = components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.pathAndQuery = path
        if let user = components.user {
            credentials = RTSPCredentials(username: user, password: components.password ?? "")
        }
    }

    /// Creates a URL from parts.
    public init(host: String, port: Int = 554, pathAndQuery: String, credentials: RTSPCredentials? = nil) {
        self.host = host
        self.port = port
        self.pathAndQuery = pathAndQuery
        self.credentials = credentials
    }

    /// The URL without credentials, as used in request lines.
    public var requestURI: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "rtsp://\(hostPart):\(port)\(pathAndQuery)"
    }

    /// The URL without credentials, for logs: credential query values are shown as `***`.
    public var description: String {
        guard let question = requestURI.firstIndex(of: "?") else { return requestURI }
        let query = requestURI[requestURI.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return Self.credentialParameters.contains((name.removingPercentEncoding ?? name).lowercased()) ? "\(name)=***" : String(pair)
        }
        return requestURI[...question] + query.joined(separator: "&")
    }

    /// Query parameter names (compared without case) whose values are credentials and never logged.
    public static let credentialParameters: Set<String> = [
        "user", "username", "usr", "login", "password", "pwd", "passwd", "pass", "auth", "token", "access_token", "apikey", "api_key", "secret",
    ]
}
