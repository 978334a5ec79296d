public import Hummingbird
import MeetingProviders
import Community
import Foundation
import Node
import Storage

/// An error as the API shows it: an HTTP status and `{"error":{"code","message"}}`.
/// Every failure becomes one of these in `APIError.from(_:)`, the one place that maps
/// module errors to HTTP statuses.
public struct APIError: Error, Sendable, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Seconds, for 503 answers.
    public var retryAfterSeconds: Int?
    /// A finer, stable reason under `code` (rendered as `error.reason` when set).
    public var reason: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func unauthenticated(_ message: String) -> APIError { .init(.unauthorized, "unauthenticated", message) }
    /// A 401 whose `reason` says which check failed (`token_expired`, `service_key_invalid`, ...).
    static func unauthenticated(reason: String, _ message: String) -> APIError {
        var error = APIError.unauthenticated(message)
        error.reason = reason
        return error
    }
    static func invalid(_ code: String, _ message: String) -> APIError { .init(.badRequest, code, message) }
    static let routeNotFound = APIError(.notFound, "not_found", "No such endpoint.")

    static func badJSON(_ error: Swift.DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid("missing_field", "Field '\(path(context.codingPath + [key]))' is required.")
        case .typeMismatch(_, let context) where !context.codingPath.isEmpty,
             .valueNotFound(_, let context) where !context.codingPath.isEmpty:
            return .invalid("invalid_field", "Field '\(path(context.codingPath))' has the wrong type.")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .invalid("invalid_field", "Field '\(path(context.codingPath))': \(context.debugDescription)")
        default:
            return .invalid("malformed_json", "The body is not valid JSON for this request.")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map { "[\($0)]" } ?? snakeCase(key.stringValue) }.joined(separator: ".")
    }

    private static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// Maps any error thrown while handling a request to what the client sees.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as CommunityError:
            let status: HTTPResponse.Status = switch error.kind {
            case .invalid: .badRequest
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .conflict: .conflict
            case .limitExceeded: .unprocessableContent
            }
            return APIError(status, error.code, error.message)
        case let error as MemberTableError:
            return APIError(.conflict, "member_change_refused", error.message)
        case let error as NodeError:
            switch error.code {
            case .overloaded, .unavailable, .notLeader, .notHeld:
                var answer = APIError(.serviceUnavailable, error.code.rawValue, error.message)
                answer.retryAfterSeconds = 1
                return answer
            case .storage:
                return APIError(.internalServerError, "storage_failure", error.message)
            case .misconfigured:
                return APIError(.internalServerError, "misconfigured", error.message)
            case .invalidTarget:
                return APIError(.unprocessableContent, "invalid_target", error.message)
            }
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge:
                return APIError(.contentTooLarge, "body_too_large", "The request body is larger than 1 MiB.")
            case .notFound:
                return routeNotFound
            case .methodNotAllowed:
                return APIError(.methodNotAllowed, "method_not_allowed", "This endpoint does not take that method.")
            default:
                return APIError(error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            // `collect(upTo:)` throws NIO's NIOTooManyBytesError, not an HTTPError, for large bodies.
            return APIError(.contentTooLarge, "body_too_large", "The request body is larger than 1 MiB.")
        case let error as SealedWithAnotherKey:
            return APIError(.internalServerError, "credentials_key_mismatch", error.description)
        case is RowReadFailure, is StorageError:
            return APIError(.internalServerError, "storage_failure", "The node could not read its storage.")
        default:
            return APIError(.internalServerError, "internal", "Something went wrong on our side.")
        }
    }

    public var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = ["code": code, "message": message]
        if let reason { fields["reason"] = reason }
        let body = ["error": fields]
        let data = try QuadJSON.encoder.encode(body)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Renders every error, including Hummingbird's own (404, 405, 413), as our JSON error.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = APIError.from(error)
            if answer.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return try answer.response(from: request, context: context)
        }
    }
}
