import Foundation

/// A username and password for a camera stream, and any credentials carried in the URL's query string
/// (`?user=…&password=…` on many Dahua and Hikvision cameras). Never logged, never returned by the API.
public struct StreamCredentials: Codable, Sendable, Hashable {
    /// User name (empty when the URL had no `user@`).
    public var username: String
    /// Password.
    public var password: String
    /// Credential parameters taken out of the query string, in their order, percent-encoded as they were written;
    /// nil when there were none.
    public var query: [StreamQueryCredential]?

    /// Creates credentials.
    public init(username: String, password: String, query: [StreamQueryCredential]? = nil) {
        self.username = username
        self.password = password
        self.query = query?.isEmpty == true ? nil : query
    }

    /// Whether the URL carried `user[:password]@`.
    var hasUserInfo: Bool { !username.isEmpty || !password.isEmpty }
}

/// One credential parameter of a stream URL's query string (`password=secret`), percent-encoded as written.
public struct StreamQueryCredential: Codable, Sendable, Hashable {
    /// The parameter name.
    public var name: String
    /// The parameter value.
    public var value: String

    /// Creates a parameter.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An `rtsp://` URL split into the address and any embedded credentials (user information and credential
/// parameters of the query string).
public struct StreamURL: Sendable, Hashable {
    /// The URL with user information and credential query parameters removed.
    public var address: String
    /// Credentials that were embedded in the URL, if any.
    public var credentials: StreamCredentials?

    /// Query parameter names (compared without case) whose values are credentials: sealed, never stored in the URL,
    /// never returned, exported or logged.
    public static let credentialParameters: Set<String> = [
        "user", "username", "usr", "login", "password", "pwd", "passwd", "pass", "auth", "token", "access_token", "apikey", "api_key", "secret",
    ]

    /// Parses and checks a camera stream URL.
    /// - Throws: ``ValidationError`` naming `field` when the URL is not an RTSP URL with a host, asks for RTSPS (not
    ///   supported yet), or names a host that is never connected to (link-local, cloud metadata).
    public init(parsing text: String, field: String) throws(ValidationError) {
        guard text.count <= 2048, let components = URLComponents(string: text) else {
            throw ValidationError(field: field, reason: "is not a valid URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "rtsp" || scheme == "rtsps" else {
            throw ValidationError(field: field, reason: "must be an rtsp:// URL")
        }
        guard scheme == "rtsp" else {
            throw ValidationError(field: field, reason: "rtsps is not supported yet; use rtsp with Digest authentication")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ValidationError(field: field, reason: "must name a host")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ValidationError(field: field, reason: "port must be 1-65535")
        }
        if let reason = NetworkPolicy.alwaysRefusedReason(host: host) {
            throw ValidationError(field: field, reason: "host refused: \(reason)")
        }
        var stripped = components
        stripped.user = nil
        stripped.password = nil
        var secretParameters: [StreamQueryCredential] = []
        if let query = components.percentEncodedQuery {
            var kept: [String] = []
            for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                if Self.isCredentialParameter(name) {
                    let value = pair.dropFirst(name.count + 1)
                    secretParameters.append(StreamQueryCredential(name: name, value: String(value)))
                } else {
                    kept.append(String(pair))
                }
            }
            stripped.percentEncodedQuery = kept.isEmpty ? nil : kept.joined(separator: "&")
        }
        let user = components.user.map { $0.removingPercentEncoding ?? $0 }
        let password = components.password.map { $0.removingPercentEncoding ?? $0 }
        if user != nil || !secretParameters.isEmpty {
            credentials = StreamCredentials(username: user ?? "", password: password ?? "", query: secretParameters)
        } else {
            credentials = nil
        }
        address = stripped.string ?? "\(scheme)://\(host)"
    }

    /// Whether a query parameter named `name` holds a credential.
    public static func isCredentialParameter(_ name: String) -> Bool {
        credentialParameters.contains((name.removingPercentEncoding ?? name).lowercased())
    }

    /// The address with `credentials` put back (user information percent-encoded, query credentials appended as
    /// written), for connecting to the camera. The result holds secrets: never log or return it.
    public static func withCredentials(_ address: String, _ credentials: StreamCredentials?) -> String {
        guard let credentials, var components = URLComponents(string: address) else { return address }
        if credentials.hasUserInfo {
            components.percentEncodedUser = credentials.username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed)
            components.percentEncodedPassword = credentials.password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed)
        }
        if let parameters = credentials.query, !parameters.isEmpty {
            let added = parameters.map { "\($0.name)=\($0.value)" }
            components.percentEncodedQuery = ((components.percentEncodedQuery.map { [$0] } ?? []) + added).joined(separator: "&")
        }
        return components.string ?? address
    }

    /// `text` with any user information and credential query values replaced by `***`, for logs and exports.
    /// Text that is not a URL is returned as `***`.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "***" }
        if components.user != nil || components.password != nil {
            components.percentEncodedUser = "***"
            components.percentEncodedPassword = nil
        }
        if let query = components.percentEncodedQuery {
            components.percentEncodedQuery = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                return isCredentialParameter(name) ? "\(name)=***" : String(pair)
            }.joined(separator: "&")
        }
        return components.string ?? "***"
    }
}
