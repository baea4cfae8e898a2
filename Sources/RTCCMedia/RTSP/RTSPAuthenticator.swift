import Crypto
import Foundation

/// A user name and password for RTSP authentication; `description` never shows the password.
public struct RTSPCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The user name.
    public var username: String
    /// The password.
    public var password: String

    /// Creates credentials.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// A redacted description.
    public var description: String { "RTSPCredentials(username: <redacted>, password: <redacted>)" }
    /// A redacted description.
    public var debugDescription: String { description }
}

/// Why an `Authorization` header could not be produced.
public enum RTSPAuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `WWW-Authenticate` header held a Basic or Digest challenge.
    case noSupportedChallenge
    /// The Digest challenge asks for an algorithm other than MD5.
    case unsupportedAlgorithm(String)
    /// The Digest challenge offers qop values but not `auth`.
    case unsupportedQualityOfProtection
    /// Only Basic is offered and the connection is plain RTSP, where Basic would send the password in clear.
    case basicOverPlainRTSP

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .noSupportedChallenge: "the camera offers neither Basic nor Digest authentication"
        case .unsupportedAlgorithm(let algorithm): "the camera asks for Digest with \(algorithm); only MD5 is supported"
        case .unsupportedQualityOfProtection: "the camera's Digest challenge does not offer qop=auth"
        case .basicOverPlainRTSP:
            "camera asks for Basic auth over plain RTSP, which would send the password in clear; enable Digest on the camera, "
                + "or set allowPlainBasicAuth on the camera if its network is trusted"
        }
    }
}

/// Produces `Authorization` headers answering a server's Basic or Digest challenge (RFC 7617, RFC 2617/7616 with MD5).
public struct RTSPAuthenticator: Sendable {
    /// The challenge being answered (Digest preferred over Basic).
    public let challenge: RTSPAuthenticationChallenge
    private let credentials: RTSPCredentials
    private let makeClientNonce: @Sendable () -> String
    private var nonceCount: UInt32 = 0

    /// Picks the strongest supported challenge among the `WWW-Authenticate` values of a 401 response.
    ///
    /// - Parameters:
    ///   - allowsBasic: whether a Basic challenge may be answered. Pass false on a plain (unencrypted) connection unless
    ///     the camera is trusted with a password in clear; Digest is answered either way.
    ///   - makeClientNonce: creates the Digest `cnonce`; random by default, fixed in tests.
    /// - Throws: ``RTSPAuthenticationError/basicOverPlainRTSP`` when only Basic is offered and `allowsBasic` is false.
    public init(
        challenges: [String], credentials: RTSPCredentials, allowsBasic: Bool = true,
        makeClientNonce: @escaping @Sendable () -> String = RTSPAuthenticator.randomClientNonce
    ) throws(RTSPAuthenticationError) {
        let parsed = challenges.compactMap { try? RTSPAuthenticationChallenge(parsing: $0) }
        guard let chosen = parsed.first(where: { $0.scheme == .digest }) ?? parsed.first else { throw .noSupportedChallenge }
        if chosen.scheme == .basic, !allowsBasic { throw .basicOverPlainRTSP }
        if chosen.scheme == .digest {
            if let algorithm = chosen.algorithm, algorithm.uppercased() != "MD5" { throw .unsupportedAlgorithm(algorithm) }
            if !chosen.qopOptions.isEmpty, !chosen.qopOptions.contains("auth") { throw .unsupportedQualityOfProtection }
        }
        self.challenge = chosen
        self.credentials = credentials
        self.makeClientNonce = makeClientNonce
    }

    /// A random 16-hex-digit client nonce.
    @Sendable public static func randomClientNonce() -> String {
        String(format: "%016llx", UInt64.random(in: .min ... .max))
    }

    /// The `Authorization` header value for a request with `method` and `uri`.
    public mutating func authorization(method: RTSPMethod, uri: String) -> String {
        switch challenge.scheme {
        case .basic:
            let token = Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
            return "Basic \(token)"
        case .digest:
            return digestAuthorization(method: method, uri: uri)
        }
    }

    private mutating func digestAuthorization(method: RTSPMethod, uri: String) -> String {
        let realm = challenge.realm ?? ""
        let nonce = challenge.nonce ?? ""
        let ha1 = Self.md5Hex("\(credentials.username):\(realm):\(credentials.password)")
        let ha2 = Self.md5Hex("\(method.rawValue):\(uri)")
        var fields = [
            "username=\"\(Self.quoted(credentials.username))\"", "realm=\"\(Self.quoted(realm))\"",
            "nonce=\"\(Self.quoted(nonce))\"", "uri=\"\(Self.quoted(uri))\"",
        ]
        if challenge.qopOptions.contains("auth") {
            nonceCount &+= 1
            let nc = String(format: "%08x", nonceCount)
            let cnonce = makeClientNonce()
            let response = Self.md5Hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
            fields += ["response=\"\(response)\"", "qop=auth", "nc=\(nc)", "cnonce=\"\(Self.quoted(cnonce))\""]
        } else {
            fields.append("response=\"\(Self.md5Hex("\(ha1):\(nonce):\(ha2)"))\"")
        }
        if let algorithm = challenge.algorithm { fields.append("algorithm=\(algorithm)") }
        if let opaque = challenge.opaque { fields.append("opaque=\"\(Self.quoted(opaque))\"") }
        return "Digest " + fields.joined(separator: ", ")
    }

    static func md5Hex(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
