import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange with a device: the status, the `WWW-Authenticate` challenges and the body.
public struct SOAPExchange: Sendable {
    /// The HTTP status.
    public var status: Int
    /// Every `WWW-Authenticate` header value.
    public var challenges: [String]
    /// The body (at most ``HTTPSOAPTransport/maximumAnswerBytes``).
    public var body: Data

    /// Creates an exchange.
    public init(status: Int, challenges: [String] = [], body: Data) {
        self.status = status
        self.challenges = challenges
        self.body = body
    }
}

/// How SOAP envelopes reach a device: HTTP POST in production, a stand-in in tests.
public protocol SOAPTransport: Sendable {
    /// Posts `body` to `url` and returns the answer; fails with ``ONVIFError/unreachable(_:)`` or
    /// ``ONVIFError/timedOut(seconds:)``.
    func post(url: String, body: Data, contentType: String, authorization: String?, timeout: Duration) async throws(ONVIFError) -> SOAPExchange
}

/// SOAP over HTTP with AsyncHTTPClient: no redirects followed (a device pointing elsewhere is an error, not a hop past
/// the outbound network policy), answers capped at 2 MiB.
public struct HTTPSOAPTransport: SOAPTransport {
    /// The largest answer read; a bigger one is refused as malformed.
    public static let maximumAnswerBytes = 2 << 20

    /// One client for the process (it lives as long as the process, so it is never shut down).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Creates the transport.
    public init() {}

    public func post(url: String, body: Data, contentType: String, authorization: String?, timeout: Duration) async throws(ONVIFError) -> SOAPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        do {
            let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(seconds * 1000)))
            let bytes = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return SOAPExchange(status: Int(response.status.code), challenges: response.headers["WWW-Authenticate"], body: Data(bytes.readableBytesView))
        } catch let error as HTTPClientError {
            if [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error) { throw .timedOut(seconds: seconds) }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) { throw .badAddress("\(url) is not an http(s) URL") }
            throw .unreachable(String(describing: error))
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw .malformed("an answer over \(Self.maximumAnswerBytes) bytes")
        } catch {
            throw .unreachable(String(describing: error))
        }
    }
}
