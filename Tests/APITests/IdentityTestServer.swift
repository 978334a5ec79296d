import API
import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import NIOHTTP1
import Node
import QuadCore
import ServiceLifecycle
import Testing

/// A Quad node with its API on a loopback port, in a temporary directory, with development
/// sign-in on so tests can act as an administrator. `stop()` shuts it down and removes the data.
final class IdentityTestServer: Sendable {
    let port: Int
    let directory: String
    let node: CommunityNode
    let group: ServiceGroup
    let runner: Task<Void, any Error>
    let developmentKey: [UInt8]

    /// Starts a node; on `directory` (one a stopped server kept) it is that node restarted.
    static func start(options: SingleSignOnOptions = SingleSignOnOptions(), directory: String? = nil)
        async throws -> IdentityTestServer {
        let directory = directory ?? NSTemporaryDirectory() + "quad-identity-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logger = Logger(label: "identity-test")
        let node = try CommunityNode.open(NodeConfiguration(dataDirectory: directory, partitionCount: 8), logger: logger)
        let ports = PortBox()
        let app = try await QuadAPI.makeApplication(
            node: node,
            configuration: APIConfiguration(host: "127.0.0.1", port: 0, developmentSignin: true, singleSignOn: options),
            logger: logger, onServerRunning: { port in ports.set(port) })
        let group = ServiceGroup(configuration: .init(services: [.init(service: node), .init(service: app)],
                                                      logger: logger))
        let runner = Task { try await group.run() }
        let port = try await ports.wait()
        let key = try #require(try NodeKeyFile.developmentSignin.load(dataDirectory: directory))
        return IdentityTestServer(port: port, directory: directory, node: node, group: group, runner: runner,
                                  developmentKey: key)
    }

    private init(port: Int, directory: String, node: CommunityNode, group: ServiceGroup,
                 runner: Task<Void, any Error>, developmentKey: [UInt8]) {
        self.port = port
        self.directory = directory
        self.node = node
        self.group = group
        self.runner = runner
        self.developmentKey = developmentKey
    }

    /// Stops the node and removes its data, unless `keepingData` (to start it again).
    func stop(keepingData: Bool = false) async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
        if !keepingData { try? FileManager.default.removeItem(atPath: directory) }
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// A development token for an administrator.
    func adminToken() async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: developmentKey), digestAlgorithm: .sha256)
        return try await keys.sign(QuadClaims(user: "ops", name: "Ops", admin: true,
                                              expires: Date().addingTimeInterval(3600)))
    }

    /// Creates a platform through the API.
    func createPlatform(_ id: String) async throws {
        let answer = try await request(.POST, "/v1/platforms", token: try await adminToken(),
                                       json: ["id": id, "name": "Test LMS"])
        #expect(answer.status == 201, "\(answer.text)")
    }

    /// Sends a request and returns the status and body.
    func request(_ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil,
                 headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        } else if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return Answer(status: Int(response.status.code), bytes: Array(bytes.readableBytesView))
    }
}

/// A response as tests read it.
struct Answer: Sendable {
    var status: Int
    var bytes: [UInt8]
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
    /// `error.reason` of an error answer when it has one (401s say which check failed), else `error.code`.
    var errorCode: String? {
        let error = json["error"] as? [String: Any]
        return (error?["reason"] as? String) ?? (error?["code"] as? String)
    }
}

/// Hands the port the server bound from its start callback to the test.
final class PortBox: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    func set(_ port: Int) { continuation.yield(port) }

    func wait() async throws -> Int {
        for await port in stream { return port }
        throw CancellationError()
    }
}

/// Polls `condition` until it holds or `seconds` pass; tests never sleep to wait.
func eventually(seconds: Double = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        await Task.yield()
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
