import Crypto
import Foundation

/// A WS-Security UsernameToken with a password digest (ONVIF Core, section 5.12; OASIS WSS UsernameToken Profile 1.0):
/// `Base64(SHA-1(nonce + created + password))`, where `created` is the camera's time, not ours, so a camera whose clock
/// is off still accepts it.
public struct UsernameToken: Sendable, Equatable {
    /// The account name.
    public var username: String
    /// 16 random bytes, sent Base64-encoded.
    public var nonce: [UInt8]
    /// The creation time written into the token (`xsd:dateTime`, UTC, milliseconds).
    public var created: String
    /// `Base64(SHA-1(nonce + created + password))`.
    public var digest: String

    /// A token for `username`/`password` created at `cameraTime` (our clock plus the camera's offset), with `nonce`
    /// (random unless given, for tests).
    public init(username: String, password: String, cameraTime: Date, nonce: [UInt8]? = nil) {
        self.username = username
        self.nonce = nonce ?? (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        created = cameraTime.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        var hash = Insecure.SHA1()
        hash.update(data: self.nonce)
        hash.update(data: Array(created.utf8))
        hash.update(data: Array(password.utf8))
        digest = Data(hash.finalize()).base64EncodedString()
    }

    /// The `wsse:Security` header element.
    var header: String {
        """
        <wsse:Security s:mustUnderstand="1" \
        xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" \
        xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">\
        <wsse:UsernameToken><wsse:Username>\(XMLText.escaped(username))</wsse:Username>\
        <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">\(digest)</wsse:Password>\
        <wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">\(Data(nonce).base64EncodedString())</wsse:Nonce>\
        <wsu:Created>\(created)</wsu:Created></wsse:UsernameToken></wsse:Security>
        """
    }
}

/// A SOAP 1.2 request to an ONVIF service: one operation element in the body, with its namespace, and an optional
/// WS-Security header.
public struct SOAPRequest: Sendable, Equatable {
    /// The operation's namespace, e.g. `http://www.onvif.org/ver10/device/wsdl`.
    public var namespace: String
    /// The operation, e.g. `GetDeviceInformation`.
    public var operation: String
    /// Child elements of the operation, already XML (each value escaped by the builder that made it).
    public var parameters: String
    /// The credentials, when the device requires them.
    public var token: UsernameToken?
    /// The WS-Addressing destination (`wsa:To`, with `wsa:Action`), for calls to a subscription, whose address may
    /// carry the subscription's identity only in this header; nil for plain service calls.
    public var addressedTo: String?
    /// The SOAP action; `namespace/operation` unless the WSDL names another (WS-BaseNotification's do).
    public var action: String

    /// A request for `operation` in `namespace` with `parameters` (inner XML, built with ``XMLText``).
    public init(namespace: String, operation: String, parameters: String = "", token: UsernameToken? = nil, action: String? = nil, addressedTo: String? = nil) {
        self.namespace = namespace
        self.operation = operation
        self.parameters = parameters
        self.token = token
        self.action = action ?? "\(namespace)/\(operation)"
        self.addressedTo = addressedTo
    }

    /// The WS-Addressing headers, when the request is addressed to a subscription.
    var addressing: String {
        guard let addressedTo else { return "" }
        return "<wsa:Action s:mustUnderstand=\"1\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">\(XMLText.escaped(action))</wsa:Action>"
            + "<wsa:To s:mustUnderstand=\"1\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">\(XMLText.escaped(addressedTo))</wsa:To>"
    }

    /// The envelope as UTF-8 XML.
    public var envelope: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>\
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema">\
        <s:Header>\(addressing)\(token?.header ?? "")</s:Header>\
        <s:Body><o:\(operation) xmlns:o="\(XMLText.escaped(namespace))">\(parameters)</o:\(operation)></s:Body></s:Envelope>
        """
    }
}

/// Escaping of text and attribute values put into XML.
public enum XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities; control characters other than tab, newline and
    /// carriage return (not allowed in XML 1.0) dropped.
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }

    /// `<prefix:name>value</prefix:name>` with the value escaped.
    public static func element(_ name: String, _ value: String) -> String { "<\(name)>\(escaped(value))</\(name)>" }
}
