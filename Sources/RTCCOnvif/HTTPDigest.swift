import Crypto
import Foundation

/// HTTP Digest access authentication (RFC 7616, MD5 and SHA-256, `qop=auth`), which some ONVIF devices ask for
/// instead of, or on top of, WS-Security.
public struct HTTPDigestChallenge: Sendable, Equatable {
    /// The protection space.
    public var realm: String
    /// The server's nonce.
    public var nonce: String
    /// Echoed back unchanged.
    public var opaque: String?
    /// `MD5` (default) or `SHA-256`.
    public var algorithm: String
    /// Whether the server offers `qop=auth`.
    public var offersAuthQuality: Bool

    /// Reads a `WWW-Authenticate: Digest …` header value; nil when it is not a digest challenge this client can answer.
    public init?(header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("digest ") else { return nil }
        let parameters = Self.parameters(String(trimmed.dropFirst("digest ".count)))
        guard let realm = parameters["realm"], let nonce = parameters["nonce"] else { return nil }
        let algorithm = (parameters["algorithm"] ?? "MD5").uppercased()
        guard algorithm == "MD5" || algorithm == "SHA-256" else { return nil }
        self.realm = realm
        self.nonce = nonce
        opaque = parameters["opaque"]
        self.algorithm = algorithm
        offersAuthQuality = (parameters["qop"] ?? "").split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "auth" }
    }

    /// `key=value` and `key="quoted, value"` pairs, keys lower-cased.
    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var index = text.startIndex
        func skip(_ characters: Set<Character>) { while index < text.endIndex, characters.contains(text[index]) { index = text.index(after: index) } }
        while index < text.endIndex {
            skip([" ", ",", "\t"])
            let keyStart = index
            while index < text.endIndex, text[index] != "=", text[index] != "," { index = text.index(after: index) }
            let key = text[keyStart..<index].trimmingCharacters(in: .whitespaces).lowercased()
            guard index < text.endIndex, text[index] == "=" else { continue }
            index = text.index(after: index)
            var value = ""
            if index < text.endIndex, text[index] == "\"" {
                index = text.index(after: index)
                while index < text.endIndex, text[index] != "\"" {
                    if text[index] == "\\", text.index(after: index) < text.endIndex { index = text.index(after: index) }
                    value.append(text[index])
                    index = text.index(after: index)
                }
                if index < text.endIndex { index = text.index(after: index) }
            } else {
                let start = index
                while index < text.endIndex, text[index] != "," { index = text.index(after: index) }
                value = text[start..<index].trimmingCharacters(in: .whitespaces)
            }
            if !key.isEmpty { result[key] = value }
        }
        return result
    }

    /// The `Authorization` header value for `method` on `uri` (the request target, path and query).
    public func authorization(username: String, password: String, method: String, uri: String, count: Int = 1, clientNonce: String? = nil) -> String {
        let cnonce = clientNonce ?? (0..<8).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
        let nc = String(format: "%08x", count)
        let ha1 = hash("\(username):\(realm):\(password)")
        let ha2 = hash("\(method):\(uri)")
        let response = offersAuthQuality ? hash("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)") : hash("\(ha1):\(nonce):\(ha2)")
        var header = "Digest username=\"\(Self.quoted(username))\", realm=\"\(Self.quoted(realm))\", nonce=\"\(Self.quoted(nonce))\", uri=\"\(Self.quoted(uri))\", "
        header += "algorithm=\(algorithm), response=\"\(response)\""
        if offersAuthQuality { header += ", qop=auth, nc=\(nc), cnonce=\"\(cnonce)\"" }
        if let opaque { header += ", opaque=\"\(Self.quoted(opaque))\"" }
        return header
    }

    private func hash(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let digest: [UInt8] = algorithm == "SHA-256" ? Array(SHA256.hash(data: bytes)) : Array(Insecure.MD5.hash(data: bytes))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    private static func quoted(_ text: String) -> String { text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
}
