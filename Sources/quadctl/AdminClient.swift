import ArgumentParser
import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import QuadCore

/// The options every admin command shares: which node to ask, how to sign in, how to print.
struct AdminOptions: ParsableArguments {
    @Option(help: "Base URL of any node's API.")
    var endpoint = "http://127.0.0.1:8080"

    @Option(help: "Bearer token of a platform administrator (default: $QUAD_TOKEN).")
    var token: String?

    @Option(name: .customLong("dev-data-dir"),
            help: "Mint a development admin token from this data directory's dev-signin.key instead of --token.")
    var devDataDirectory: String?

    @Option(name: .shortAndLong, help: "table or json (json is the stable interface for scripts).")
    var output: OutputFormat = .table

    func validate() throws {
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--endpoint must be an http(s) URL such as http://127.0.0.1:8080")
        }
    }

    /// The token to send: --token, else a dev token from --dev-data-dir, else $QUAD_TOKEN.
    func bearerToken() async throws -> String {
        if let token { return token }
        if let devDataDirectory {
            return try await DevelopmentSignin.token(dataDirectory: devDataDirectory, user: "quadctl", name: nil,
                                                     admin: true, lifetimeSeconds: 300)
        }
        if let token = ProcessInfo.processInfo.environment["QUAD_TOKEN"], !token.isEmpty { return token }
        throw ValidationError("no token: pass --token, --dev-data-dir or set QUAD_TOKEN")
    }
}

/// How a command prints its answer.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// A failure to ask the node, printed as one line; `quadctl` then exits 1.
struct AdminError: Error, CustomStringConvertible {
    let description: String
}

/// GETs admin JSON from one node.
enum AdminClient {
    /// Answers larger than this are refused (a 64-partition, 9-node report is about 100 KiB).
    static let answerBytesMax = 16 << 20
    /// How long one request may take: the node itself waits 2 s for each member.
    static let timeout: TimeAmount = .seconds(10)

    /// The raw JSON answer to `GET endpoint/path`, or to a POST of `body` when given; throws
    /// `AdminError` with the node's error message.
    static func call(_ path: String, options: AdminOptions, posting body: Data? = nil) async throws -> Data {
        let base = options.endpoint.hasSuffix("/") ? String(options.endpoint.dropLast()) : options.endpoint
        var request = HTTPClientRequest(url: base + path)
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        request.headers.add(name: "Authorization", value: "Bearer \(try await options.bearerToken())")
        request.headers.add(name: "Accept", value: "application/json")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw AdminError(description: "cannot reach \(options.endpoint): \(error)")
        }
        let body = try await response.body.collect(upTo: answerBytesMax)
        let data = Data(body.readableBytesView)
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode(ErrorAnswer.self, from: data)).map {
                "\($0.error.code): \($0.error.message)"
            } ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw AdminError(description: "\(options.endpoint) answered \(response.status.code): \(message)")
        }
        return data
    }

    /// The answer to `call(_:options:posting:)` decoded as `T` (snake_case keys).
    static func call<T: Decodable>(_ type: T.Type, _ path: String, options: AdminOptions,
                                   posting body: Data? = nil) async throws -> T {
        let data = try await call(path, options: options, posting: body)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw AdminError(description: "\(options.endpoint) sent an answer quadctl does not understand: \(error)")
        }
    }

    private struct ErrorAnswer: Decodable {
        struct Body: Decodable {
            let code: String
            let message: String
        }
        let error: Body
    }
}

/// JSON for scripts: snake_case keys, sorted, pretty.
enum ScriptJSON {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
