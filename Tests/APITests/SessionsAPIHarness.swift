import API
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import MeetingProviders
import Node
import QuadCore
import Synchronization
import Testing

/// A clock the test sets: the API reads "now" from it for command timestamps and the join window.
final class ManualWallClock: WallClock {
    private let milliseconds: Mutex<Int64>
    init(_ milliseconds: Int64) { self.milliseconds = Mutex(milliseconds) }
    func nowMilliseconds() -> Int64 { milliseconds.withLock { $0 } }
    func set(_ value: Int64) { milliseconds.withLock { $0 = value } }
}

/// A signed-in caller of the test server.
struct SessionCaller: Sendable {
    let userID: String
    let token: String
}

/// A node in a temporary directory behind the real HTTP server (a live socket on loopback), with
/// development sign-in and a manual clock.
struct SessionsAPIServer {
    let client: any TestClientProtocol
    let clock: ManualWallClock
    let key: [UInt8]
    /// The node's data directory (tests look at what is stored at rest).
    let directory: String
    let node: CommunityNode

    /// Runs `body` against a fresh node and server, then stops both and removes the directory.
    static func run(at start: Int64, providers: MeetingProviderFactory = .live,
                    _ body: @Sendable (SessionsAPIServer) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quad-sessions-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "sessions-api-test")
        let node = try CommunityNode.open(NodeConfiguration(dataDirectory: directory, partitionCount: 4), logger: logger)
        let nodeTask = Task { try await node.run() }
        let clock = ManualWallClock(start)
        let key = try NodeKeyFile.developmentSignin.loadOrCreate(dataDirectory: directory)
        let app = try await QuadAPI.makeApplication(
            node: node, configuration: APIConfiguration(port: 0, developmentSignin: true), logger: logger, clock: clock,
            meetingProviders: providers)
        do {
            try await app.test(.live) { client in
                try await client.awaitConnection()
                try await body(SessionsAPIServer(client: client, clock: clock, key: key, directory: directory,
                                                 node: node))
            }
        } catch {
            node.stop()
            _ = try? await nodeTask.value
            throw error
        }
        node.stop()
        _ = try? await nodeTask.value
    }

    func caller(_ user: String, admin: Bool = false) async throws -> SessionCaller {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        let claims = QuadClaims(user: user, name: user.capitalized, admin: admin,
                                expires: Date(timeIntervalSinceNow: 3600))
        return SessionCaller(userID: user, token: try await keys.sign(claims))
    }

    /// Sends a request and returns the status and the body as JSON (or nil) and as text.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, as caller: SessionCaller?, json: [String: Any]? = nil)
        async throws -> (status: Int, json: [String: Any]?, text: String) {
        var headers = HTTPFields()
        if let caller { headers[.authorization] = "Bearer \(caller.token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        let text = String(buffer: response.body)
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return (Int(response.status.code), object, text)
    }
}

extension Dictionary where Key == String, Value == Any {
    subscript(object key: String) -> [String: Any]? { self[key] as? [String: Any] }
    subscript(string key: String) -> String? { self[key] as? String }
}
