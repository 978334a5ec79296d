import API
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import Node
import Prometheus
import QuadCore
import Testing

/// One node on a fresh temporary data directory, serving the real application on a
/// loopback port chosen by the kernel, with development sign-in on.
struct TestServer: Sendable {
    /// The HTTP client of `app.test(.live)`: a real TCP connection to the server.
    let client: any TestClientProtocol
    let node: CommunityNode
    /// The port the server listens on, for the WebSocket client.
    let port: Int
    let signinKey: [UInt8]

    /// Starts a node and its HTTP server, runs `body` against them, then stops both.
    static func run(developmentSignin: Bool = true, _ body: @Sendable (TestServer) async throws -> Void)
        async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quad-api-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "quad-api-tests")
        logger.logLevel = .critical
        // Each server counts into its own registry, which it serves at /metrics as `quad` does.
        let registry = PrometheusCollectorRegistry()
        var configuration = NodeConfiguration(dataDirectory: directory)
        configuration.metricsFactory = PrometheusMetricsFactory(registry: registry)
        let node = try CommunityNode.open(configuration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            do {
                try await serve(node: node, directory: directory, developmentSignin: developmentSignin,
                                registry: registry, logger: logger, body)
            } catch {
                node.stop()
                throw error
            }
            node.stop()
            try await group.waitForAll()
        }
    }

    private static func serve(node: CommunityNode, directory: String, developmentSignin: Bool,
                              registry: PrometheusCollectorRegistry, logger: Logger,
                              _ body: @Sendable (TestServer) async throws -> Void) async throws {
        let app = try await QuadAPI.makeApplication(
            node: node, configuration: APIConfiguration(host: "127.0.0.1", port: 0,
                                                    developmentSignin: developmentSignin,
                                                    metricsExposition: { registry.emitToString() }),
            logger: logger)
        // With sign-in on, the application created the key on start-up, where `quadctl dev-token` finds it.
        let key = try NodeKeyFile.developmentSignin.loadOrCreate(dataDirectory: directory)
        try await app.test(.live) { client in
            try await client.awaitConnection()
            let port = try #require(client.port)
            try await body(TestServer(client: client, node: node, port: port, signinKey: key))
        }
    }

    /// A token as `quadctl dev-token --user USER [--name NAME] [--admin]` mints it.
    func token(_ user: String, name: String? = nil, admin: Bool = false,
               expires: Date = Date(timeIntervalSinceNow: 3600), key: [UInt8]? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: key ?? signinKey), digestAlgorithm: .sha256)
        return try await keys.sign(QuadClaims(user: user, name: name, admin: admin, expires: expires))
    }

    /// Sends one request as `user` (nil: no Authorization header) with a raw body.
    func send(_ method: HTTPRequest.Method, _ path: String, as user: String?, body: String? = nil,
              headers: HTTPFields = [:]) async throws -> Reply {
        var fields = headers
        if let user, fields[.authorization] == nil {
            fields[.authorization] = "Bearer " + (try await token(user, admin: user == Users.admin))
        }
        if body != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let response = try await client.execute(uri: path, method: method, headers: fields,
                                                body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers,
                     text: String(buffer: response.body))
    }

    func get(_ path: String, as user: String?) async throws -> Reply {
        try await send(.get, path, as: user)
    }

    func post(_ path: String, as user: String?, _ body: String) async throws -> Reply {
        try await send(.post, path, as: user, body: body)
    }
}

/// An HTTP answer: status, headers, and the body parsed as JSON on demand.
struct Reply: Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: JSON { (try? JSONDecoder().decode(JSON.self, from: Data(text.utf8))) ?? .null }
    /// `error.code` of an error answer.
    var errorCode: String? { json["error"]["code"].string }
    var description: String { "\(status.code) \(text.prefix(400))" }
}

/// The user IDs of the test course; only `admin` signs in as a platform administrator.
enum Users {
    static let admin = "admin"
    static let instructor = "ines"
    static let moderator = "mo"
    static let learner = "lea"
    static let otherLearner = "leo"
    /// Signed in, but a member of nothing.
    static let outsider = "otto"
}

extension TestClientProtocol {
    /// Sends one request and drops the answer, so the live client's connection exists before the test.
    ///
    /// HummingbirdTesting's live client connects in the background; if a test ends before that
    /// connect completes, its shutdown misses the connection, which then stays open and holds the
    /// server's graceful shutdown forever. Any completed request proves the connection is there.
    func awaitConnection() async throws {
        _ = try await execute(uri: "/health", method: .get, headers: [:], body: nil)
    }
}
