import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization

/// One request a fake provider received.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var query: String
    var authorization: String?
    var json: [String: JSONValue]
}

/// JSON values the fakes record (Sendable, comparable); booleans arrive as numbers 0 and 1.
enum JSONValue: Sendable, Equatable {
    case string(String), number(Double), object([String: JSONValue]), array([JSONValue]), null

    init(_ any: Any) {
        switch any {
        case let value as String: self = .string(value)
        case let value as NSNumber: self = .number(value.doubleValue)
        case let value as [String: Any]: self = .object(value.mapValues(JSONValue.init))
        case let value as [Any]: self = .array(value.map(JSONValue.init))
        default: self = .null
        }
    }

    subscript(key: String) -> JSONValue? { if case .object(let object) = self { object[key] } else { nil } }
}

/// Requests seen by a fake, for assertions after the calls.
final class RequestLog: Sendable {
    private let requests = Mutex<[RecordedRequest]>([])
    func append(_ request: RecordedRequest) { requests.withLock { $0.append(request) } }
    var all: [RecordedRequest] { requests.withLock { $0 } }
}

func record(_ request: Request, context: BasicRequestContext, into log: RequestLog) async throws -> RecordedRequest {
    let buffer = try await request.body.collect(upTo: 1 << 20)
    let object = (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    let recorded = RecordedRequest(method: request.method.rawValue, path: request.uri.path,
                                   query: request.uri.query ?? "", authorization: request.headers[.authorization],
                                   json: object.mapValues(JSONValue.init))
    log.append(recorded)
    return recorded
}

func jsonResponse(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
}

/// A fake Zoom: `/oauth/token` checks the account-credentials grant and Basic auth; the meetings
/// API checks the bearer token and the fields Zoom requires, and answers as Zoom documents.
enum FakeZoom {
    static let token = "zoom-token-1"

    static func router(log: RequestLog) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("oauth/token") { request, context in
            let seen = try await record(request, context: context, into: log)
            let basic = "Basic " + Data("cid:csecret".utf8).base64EncodedString()
            guard seen.authorization == basic else {
                return jsonResponse(.unauthorized, ["reason": "Invalid client_id or client_secret", "error": "invalid_client"])
            }
            let query = request.uri.queryParameters
            guard query.get("grant_type") == "account_credentials", query.get("account_id") == "acc-1" else {
                return jsonResponse(.badRequest, ["reason": "Unsupported grant type", "error": "unsupported_grant_type"])
            }
            return jsonResponse(.ok, ["access_token": token, "token_type": "bearer", "expires_in": 3599, "scope": "meeting:write"])
        }
        router.post("v2/users/me/meetings") { request, context in
            let seen = try await record(request, context: context, into: log)
            if let refusal = check(seen) { return refusal }
            guard case .string(let topic)? = seen.json["topic"], !topic.isEmpty, seen.json["start_time"] != nil,
                  seen.json["timezone"] != nil, seen.json["duration"] != nil else {
                return jsonResponse(.badRequest, ["code": 300, "message": "Validation Failed."])
            }
            return jsonResponse(.created, ["id": 85012345678, "join_url": "https://fake.zoom/j/85012345678?pwd=x",
                                           "start_url": "https://fake.zoom/s/85012345678?zak=host", "password": "abc123"])
        }
        for method in [HTTPRequest.Method.patch, .delete] {
            router.on("v2/meetings/:id", method: method) { request, context in
                let seen = try await record(request, context: context, into: log)
                if let refusal = check(seen) { return refusal }
                guard context.parameters.get("id") == "85012345678" else {
                    return jsonResponse(.notFound, ["code": 3001, "message": "Meeting does not exist: \(context.parameters.get("id") ?? "")."])
                }
                return Response(status: .noContent)
            }
        }
        return router
    }

    static func check(_ seen: RecordedRequest) -> Response? {
        seen.authorization == "Bearer " + token ? nil
            : jsonResponse(.unauthorized, ["code": 124, "message": "Invalid access token."])
    }
}

/// A fake Webex meetings API: bearer token, the fields Webex requires, Webex's error bodies.
enum FakeWebex {
    static let token = "webex-token-1"

    static func router(log: RequestLog) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("v1/meetings") { request, context in
            let seen = try await record(request, context: context, into: log)
            guard seen.authorization == "Bearer " + token else {
                return jsonResponse(.unauthorized, ["message": "The request requires a valid access token set in the Authorization request header.",
                                                    "trackingId": "t-1"])
            }
            guard case .string(let title)? = seen.json["title"], !title.isEmpty, seen.json["start"] != nil,
                  seen.json["end"] != nil else {
                return jsonResponse(.badRequest, ["message": "title, start and end are required.",
                                                  "errors": [["description": "title is missing"]], "trackingId": "t-2"])
            }
            return jsonResponse(.ok, ["id": "870f51ff287b41be84648412901e0402", "meetingNumber": "2650000000",
                                      "webLink": "https://fake.webex.com/fake/j.php?MTID=m1", "password": "BgJep@43"])
        }
        router.delete("v1/meetings/:id") { request, context in
            _ = try await record(request, context: context, into: log)
            return Response(status: .noContent)
        }
        return router
    }
}
