import Foundation

/// What an ``RTSPServer`` requires of clients before it answers (other than OPTIONS).
public struct RTSPServerAuthentication: Sendable {
    /// The scheme the server challenges with.
    public enum Scheme: Sendable, Equatable {
        /// HTTP Basic.
        case basic
        /// HTTP Digest, MD5, with or without `qop=auth`.
        case digest(qop: Bool)
    }

    /// The accepted credentials.
    public var credentials: RTSPCredentials
    /// The scheme.
    public var scheme: Scheme
    /// The realm shown to clients.
    public var realm: String

    /// Creates an authentication requirement.
    public init(credentials: RTSPCredentials, scheme: Scheme = .digest(qop: true), realm: String = "OpenRTCC") {
        self.credentials = credentials
        self.scheme = scheme
        self.realm = realm
    }

    /// The `WWW-Authenticate` value for a 401 response, using `nonce` for Digest.
    public func challenge(nonce: String) -> String {
        switch scheme {
        case .basic: return "Basic realm=\"\(realm)\""
        case .digest(let qop):
            return "Digest realm=\"\(realm)\", nonce=\"\(nonce)\"" + (qop ? ", qop=\"auth\"" : "") + ", algorithm=MD5"
        }
    }

    /// Whether the `Authorization` header value proves the credentials for `method`, given the `nonce` issued.
    public func verify(authorization: String?, method: RTSPMethod, nonce: String) -> Bool {
        guard let authorization else { return false }
        let trimmed = authorization.trimmingASCIIWhitespace()
        let schemeEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let name = trimmed[..<schemeEnd].lowercased()
        switch scheme {
        case .basic:
            guard name == "basic", let data = Data(base64Encoded: trimmed[schemeEnd...].trimmingASCIIWhitespace()) else { return false }
            return Self.constantTimeEqual(Array(data), Array("\(credentials.username):\(credentials.password)".utf8))
        case .digest:
            guard name == "digest", let fields = try? RTSPAuthenticationChallenge.parseParameters(trimmed[schemeEnd...]) else {
                return false
            }
            return verifyDigest(fields, method: method, nonce: nonce)
        }
    }

    private func verifyDigest(_ fields: [String: String], method: RTSPMethod, nonce: String) -> Bool {
        guard fields["username"] == credentials.username, fields["realm"] == realm, fields["nonce"] == nonce,
            let uri = fields["uri"], let response = fields["response"]
        else { return false }
        let ha1 = RTSPAuthenticator.md5Hex("\(credentials.username):\(realm):\(credentials.password)")
        let ha2 = RTSPAuthenticator.md5Hex("\(method.rawValue):\(uri)")
        let expected: String
        if let qop = fields["qop"] {
            guard qop == "auth", let nc = fields["nc"], let cnonce = fields["cnonce"] else { return false }
            expected = RTSPAuthenticator.md5Hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
        } else {
            guard scheme == .digest(qop: false) else { return false }
            expected = RTSPAuthenticator.md5Hex("\(ha1):\(nonce):\(ha2)")
        }
        return Self.constantTimeEqual(Array(expected.utf8), Array(response.lowercased().utf8))
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
