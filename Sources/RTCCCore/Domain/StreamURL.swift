import Foundation

/// A username and password for a camera stream. Never logged, never returned by the API.
public struct StreamCredentials: Codable, Sendable, Hashable {
    /// User name.
    public var username: String
    /// Password.
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// An `rtsp://` or `rtsps://` URL split into the address and any embedded credentials.
public struct StreamURL: Sendable, Hashable {
    /// The URL with user information removed.
    public var address: String
    /// Credentials that were embedded in the URL, if any.
    public var credentials: StreamCredentials?

    /// Parses and checks a camera stream URL.
    /// - Throws: ``ValidationError`` naming `field` when the URL is not an RTSP URL with a host.
    public init(parsing text: String, field: String) throws(ValidationError) {
        guard text.count <= 2048, let components = URLComponents(string: text) else {
            throw ValidationError(field: field, reason: "is not a valid URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "rtsp" || scheme == "rtsps" else {
            throw ValidationError(field: field, reason: "must be an rtsp:// or rtsps:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ValidationError(field: field, reason: "must name a host")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ValidationError(field: field, reason: "port must be 1-65535")
        }
        if let user = components.user {
            credentials = StreamCredentials(
                username: user.removingPercentEncoding ?? user,
                password: (components.password ?? "").removingPercentEncoding ?? (components.password ?? ""))
        } else {
            credentials = nil
        }
        var stripped = components
        stripped.user = nil
        stripped.password = nil
        address = stripped.string ?? "\(scheme)://\(host)"
    }

    /// The address with `credentials` put back, percent-encoded, for connecting to the camera.
    public static func withCredentials(_ address: String, _ credentials: StreamCredentials?) -> String {
        guard let credentials, var components = URLComponents(string: address) else { return address }
        components.percentEncodedUser = credentials.username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed)
        components.percentEncodedPassword = credentials.password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed)
        return components.string ?? address
    }
}
