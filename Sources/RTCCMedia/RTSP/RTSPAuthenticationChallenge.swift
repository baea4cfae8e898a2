/// A parsed `WWW-Authenticate` challenge (RFC 7235 syntax), Basic or Digest.
public struct RTSPAuthenticationChallenge: Sendable, Equatable {
    /// The authentication scheme.
    public enum Scheme: String, Sendable, Equatable {
        /// HTTP Basic (RFC 7617).
        case basic = "Basic"
        /// HTTP Digest (RFC 2617 / RFC 7616).
        case digest = "Digest"
    }

    /// The scheme.
    public var scheme: Scheme
    /// The auth-params with lower-cased names and unquoted values.
    public var parameters: [String: String]

    /// Creates a challenge.
    public init(scheme: Scheme, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// The `realm` parameter.
    public var realm: String? { parameters["realm"] }
    /// The `nonce` parameter (Digest).
    public var nonce: String? { parameters["nonce"] }
    /// The `opaque` parameter (Digest).
    public var opaque: String? { parameters["opaque"] }
    /// The `algorithm` parameter (Digest); MD5 when absent.
    public var algorithm: String? { parameters["algorithm"] }
    /// The offered `qop` values (Digest).
    public var qopOptions: [String] {
        (parameters["qop"] ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace().lowercased() }.filter { !$0.isEmpty }
    }

    /// Parses a header value such as `Digest realm="x", nonce="y", qop="auth"`.
    public init(parsing value: String) throws(RTSPHeaderError) {
        let trimmed = value.trimmingASCIIWhitespace()
        let schemeEnd = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        switch trimmed[..<schemeEnd].lowercased() {
        case "basic": scheme = .basic
        case "digest": scheme = .digest
        default: throw .invalidChallenge
        }
        parameters = try Self.parseParameters(trimmed[schemeEnd...])
        if scheme == .digest, nonce == nil || realm == nil { throw .invalidChallenge }
    }

    /// The header value.
    public var headerValue: String {
        let parts = parameters.sorted { $0.key < $1.key }.map { key, value in
            key == "algorithm" || key == "stale" ? "\(key)=\(value)" : "\(key)=\"\(value)\""
        }
        return parts.isEmpty ? scheme.rawValue : "\(scheme.rawValue) " + parts.joined(separator: ", ")
    }

    /// Splits `a="x, y", b=z` into a dictionary, honouring quotes and backslash escapes.
    static func parseParameters(_ text: Substring) throws(RTSPHeaderError) -> [String: String] {
        var result: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            while index < text.endIndex, text[index] == " " || text[index] == "," || text[index] == "\t" {
                index = text.index(after: index)
            }
            guard index < text.endIndex else { break }
            guard let equals = text[index...].firstIndex(of: "=") else { throw .invalidChallenge }
            let key = text[index..<equals].trimmingASCIIWhitespace().lowercased()
            guard !key.isEmpty, !key.contains(" ") else { throw .invalidChallenge }
            index = text.index(after: equals)
            let (value, next) = try readValue(text, from: index)
            result[key] = value
            index = next
        }
        return result
    }

    private static func readValue(_ text: Substring, from start: Substring.Index) throws(RTSPHeaderError) -> (String, Substring.Index) {
        var index = start
        while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
        guard index < text.endIndex, text[index] == "\"" else {
            let end = text[index...].firstIndex(of: ",") ?? text.endIndex
            return (text[index..<end].trimmingASCIIWhitespace(), end)
        }
        var value = ""
        index = text.index(after: index)
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" { return (value, text.index(after: index)) }
            if character == "\\" {
                index = text.index(after: index)
                guard index < text.endIndex else { break }
            }
            value.append(text[index])
            index = text.index(after: index)
        }
        throw .invalidChallenge
    }
}
