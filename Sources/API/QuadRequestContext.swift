public import Hummingbird
public import HummingbirdWebSocket
public import QuadCore
import Foundation

/// Per-request state: the core Hummingbird storage plus the authenticated caller.
public struct QuadRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<QuadRequestContext>
    /// Set by `AuthenticationMiddleware`; nil on public routes.
    public var actor: Actor?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        actor = nil
    }

    /// Bodies are decoded with snake_case keys, with our own size bound applied first.
    public var requestDecoder: QuadJSONDecoder { QuadJSONDecoder() }
    public var responseEncoder: QuadJSONEncoder { QuadJSONEncoder() }
    /// Bodies above this are refused with 413 before decoding (Hummingbird enforces it while reading).
    public var maxUploadSize: Int { Limits.requestBodyBytesMax }

    /// The authenticated caller; routes behind `AuthenticationMiddleware` always have one.
    func requireActor() throws -> Actor {
        guard let actor else { throw APIError.unauthenticated("Sign in first.") }
        return actor
    }
}

/// JSON in: snake_case keys, strict types.
public struct QuadJSONDecoder: RequestDecoder {
    public init() {}
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws
        -> T {
        let buffer = try await request.body.collect(upTo: Limits.requestBodyBytesMax)
        return try QuadJSON.decode(type, from: Data(buffer.readableBytesView))
    }
}

/// JSON out: snake_case keys, sorted for stable output.
public struct QuadJSONEncoder: ResponseEncoder {
    public init() {}
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws
        -> Response {
        let data = try QuadJSON.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A response whose coding keys, and those of everything inside it, are already the JSON's
/// snake_case names: it is encoded without `.convertToSnakeCase`, which rebuilds every key of
/// every object (13% of a node's CPU under history reads, measured with quad-bench and perf).
/// `SnakeCaseKeyedTests` checks each such type encodes exactly as the converting encoder would.
protocol SnakeCaseKeyed: Encodable {}

/// The API's one JSON dialect.
enum QuadJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The same output for `SnakeCaseKeyed` values, without converting keys.
    static let snakeCaseKeyedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> Data {
        try (value is any SnakeCaseKeyed ? snakeCaseKeyedEncoder : encoder).encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: data)
        } catch let error as Swift.DecodingError {
            throw APIError.badJSON(error)
        }
    }
}
