import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import RTCCCore

/// A request refused below the router. It is answered with a short `application/problem+json` document, the security
/// headers and `Connection: close`, and the connection is then closed.
struct RequestRejection: Error, Equatable, Sendable {
    /// HTTP status.
    var status: HTTPResponse.Status
    /// What went wrong, and what to do.
    var detail: String
    /// Extra headers (`Allow` on 405, `Retry-After` on 503).
    var headers: [String: String] = [:]

    /// 414: the request line is over the limit.
    static func requestLineTooLong(limit: Int) -> RequestRejection {
        RequestRejection(status: .uriTooLong, detail: "the request line is longer than \(limit) bytes; send long input in a request body")
    }

    /// 431: the header lines are over the limit.
    static func headersTooLarge(limit: Int) -> RequestRejection {
        RequestRejection(status: .requestHeaderFieldsTooLarge, detail: "the request headers are larger than \(limit) bytes")
    }

    /// 405: a method the server does not implement.
    static func methodNotAllowed(_ method: String) -> RequestRejection {
        let allowed = HTTPLimits.allowedMethods.joined(separator: ", ")
        return RequestRejection(
            status: .methodNotAllowed, detail: "the server does not accept the method \(method); it accepts \(allowed)", headers: ["Allow": allowed])
    }

    /// 400: a request that breaks HTTP/1.1 syntax.
    static func malformed(_ reason: String) -> RequestRejection {
        RequestRejection(status: .badRequest, detail: "the request is not valid HTTP/1.1: \(reason)")
    }

    /// 408: the head did not arrive in time.
    static func headerTimeout(_ limit: TimeAmount) -> RequestRejection {
        RequestRejection(status: .requestTimeout, detail: "the request head was not complete within \(limit.nanoseconds / 1_000_000_000) seconds")
    }

    /// 503: the source address holds as many connections as it may.
    static func tooManyConnections(limit: Int) -> RequestRejection {
        RequestRejection(
            status: .serviceUnavailable, detail: "this address already holds \(limit) open connections; close some or reuse them",
            headers: ["Retry-After": "5"])
    }

    /// The HTTP parser refused the bytes.
    static func parserError(_ error: HTTPParserError) -> RequestRejection {
        switch error {
        case .headerOverflow: RequestRejection(status: .requestHeaderFieldsTooLarge, detail: "the request headers are too large")
        default: .malformed("\(error)")
        }
    }

    private struct Document: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
    }

    /// The complete response: status line, headers and body.
    func response() -> ByteBuffer {
        let body = (try? JSONCoding.encoder.encode(Document(title: status.reasonPhrase, status: status.code, detail: detail)))
            ?? Data(#"{"status":\#(status.code)}"#.utf8)
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        head += "Content-Type: application/problem+json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for field in SecurityHeaders.api { head += "\(field.name.rawName): \(field.value)\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var buffer = ByteBuffer(string: head)
        buffer.writeBytes(body)
        return buffer
    }
}
