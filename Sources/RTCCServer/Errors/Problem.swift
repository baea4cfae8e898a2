import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import RTCCCore
import RTCCStore

/// An error the client sees, rendered as RFC 9457 `application/problem+json`.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Short summary of the kind of problem.
    public var title: String
    /// What went wrong in this case, and what to do.
    public var detail: String
    /// Per-field problems, for validation failures.
    public var errors: [FieldError]
    /// Extra response headers (Retry-After...).
    public var headers: HTTPFields

    /// Creates a problem.
    public init(_ status: HTTPResponse.Status, _ detail: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// 401: no valid session or token.
    public static func unauthenticated(_ detail: String = "sign in or send an API token") -> Problem { Problem(.unauthorized, detail) }
    /// 403: signed in, but the role does not allow this.
    public static func forbidden(_ permission: Permission) -> Problem {
        Problem(.forbidden, "your role does not allow this (needs \(permission.rawValue))")
    }
    /// 404 for a named thing.
    public static func notFound(_ what: String) -> Problem { Problem(.notFound, "\(what) was not found") }
    /// 422 with field errors.
    public static func invalid(_ error: ValidationError) -> Problem {
        Problem(.unprocessableContent, "the request has \(error.errors.count) invalid field(s)", errors: error.errors)
    }
    /// 400 with one field error.
    public static func badRequest(field: String, _ reason: String) -> Problem {
        Problem(.badRequest, "\(field) \(reason)", errors: [FieldError(field: field, reason: reason)])
    }

    private struct Body: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldError]?
    }

    /// Renders the problem document.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(title: title, status: status.code, detail: detail, errors: errors.isEmpty ? nil : errors)
        let data = try JSONCoding.encoder.encode(body)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        SecurityHeaders.fill(&fields, from: SecurityHeaders.api)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error into a problem document: known errors keep their status, anything else is an opaque 500
/// whose detail goes only to the log.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as ValidationError {
            throw Problem.invalid(error)
        } catch let error as StoreError {
            switch error {
            case .duplicate(let field, _): throw Problem(.conflict, error.description, errors: [FieldError(field: field, reason: error.description)])
            case .notFound: throw Problem(.notFound, error.description)
            case .missingReference(let field, _): throw Problem(.unprocessableContent, error.description, errors: [FieldError(field: field, reason: error.description)])
            case .badLocation: throw Problem(.internalServerError, "the database is misconfigured; the error was logged")
            }
        } catch let error as PartnerInUse {
            throw Problem(.conflict, error.description)
        } catch let error as HTTPError {
            throw Problem(error.status, error.body ?? Self.defaultDetail(error.status), headers: error.headers)
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, "the request body is larger than this endpoint accepts")
        } catch let error as any HTTPResponseError {
            throw Problem(error.status, Self.defaultDetail(error.status))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            throw Problem(.internalServerError, "the server could not complete the request; the error was logged")
        }
    }

    static func defaultDetail(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: return "there is no such resource"
        case .methodNotAllowed: return "this resource does not support that method"
        default: return status.reasonPhrase
        }
    }
}
