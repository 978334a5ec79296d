import Foundation
import Hummingbird
import JWTKit
import Logging
import Synchronization

/// An LMS on loopback for cluster sign-in tests: one P-256 key made in the test, its key set at
/// `/jwks`, an OIDC authorization endpoint at `/authorize` that answers with the parameters Quad
/// sent (where a real LMS would sign the learner in and post back), and token signing.
final class TestLMS: Sendable {
    private let server: LoopbackServer
    private let keys: JWTKeyCollection
    static let keyID = "lms-key-1"

    var port: Int { server.port }
    var issuer: String { "http://127.0.0.1:\(port)" }
    var jwksURL: String { issuer + "/jwks" }

    static func start() async throws -> TestLMS {
        let key = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: keyID))
        guard let parameters = key.parameters else { throw ProcessTestError("the P-256 key has no parameters") }
        let jwks = #"{"keys":[{"kty":"EC","kid":"\#(keyID)","crv":"P-256","alg":"ES256","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        let router = Router()
        router.get("jwks") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        router.get("authorize") { request, _ -> [String: String] in
            var echoed: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { echoed[String(name)] = String(value) }
            return echoed
        }
        return TestLMS(server: try await LoopbackServer.start(router, name: "test-lms"), keys: keys)
    }

    private init(server: LoopbackServer, keys: JWTKeyCollection) {
        self.server = server
        self.keys = keys
    }

    func stop() { server.stop() }

    /// A sign-in token for `subject`, as the LMS's OAuth2 provider issues it to a Quad client.
    func signInToken(subject: String, audience: String) async throws -> String {
        try await sign(["iss": .text(issuer), "sub": .text(subject), "aud": .list([audience]), "exp": .number(Self.inFiveMinutes)])
    }

    /// The id_token of an LTI resource link launch answering a login's `nonce`.
    func launchToken(subject: String, clientID: String, nonce: String, course: String, channel: String?) async throws
        -> String {
        let lti = "https://purl.imsglobal.org/spec/lti/claim/"
        var claims: [String: LMSClaims.Value] = [
            "iss": .text(issuer), "sub": .text(subject), "aud": .list([clientID]), "exp": .number(Self.inFiveMinutes),
            "nonce": .text(nonce), lti + "message_type": .text("LtiResourceLinkRequest"), lti + "version": .text("1.3.0"),
            lti + "deployment_id": .text(Self.deploymentID),
            lti + "roles": .list(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]),
            lti + "context": .object(["id": course, "title": "Course \(course)"]),
        ]
        if let channel { claims[lti + "custom"] = .object(["channel": channel]) }
        return try await sign(claims)
    }

    private func sign(_ claims: [String: LMSClaims.Value]) async throws -> String {
        try await keys.sign(LMSClaims(values: claims), kid: JWKIdentifier(string: Self.keyID))
    }

    private static var inFiveMinutes: Int { Int(Date().timeIntervalSince1970) + 300 }

    /// The deployment of Quad in the test LMS.
    static let deploymentID = "deployment-1"
}

/// The claims of a token the test LMS signs, by their names on the wire.
struct LMSClaims: JWTPayload {
    /// One claim's value: the JSON shapes sign-in and LTI tokens use.
    enum Value: Codable, Sendable {
        case text(String), number(Int), list([String]), object([String: String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if let list = try? container.decode([String].self) {
                self = .list(list)
            } else {
                self = .object(try container.decode([String: String].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            case .list(let list): try container.encode(list)
            case .object(let object): try container.encode(object)
            }
        }
    }

    var values: [String: Value]

    init(values: [String: Value]) { self.values = values }

    init(from decoder: any Decoder) throws { values = try decoder.singleValueContainer().decode([String: Value].self) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A Hummingbird router served on a free loopback port until `stop()`.
final class LoopbackServer: Sendable {
    let port: Int
    private let runner: Task<Void, any Error>

    private init(port: Int, runner: Task<Void, any Error>) {
        self.port = port
        self.runner = runner
    }

    static func start(_ router: Router<BasicRequestContext>, name: String) async throws -> LoopbackServer {
        let bound = Mutex<Int?>(nil)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in bound.withLock { $0 = channel.localAddress?.port } },
                              logger: Logger(label: name))
        let runner = Task { try await app.runService() }
        var port: Int?
        try await poll(deadline: .seconds(10), "\(name) to listen") {
            port = bound.withLock { $0 }
            return port != nil
        }
        return LoopbackServer(port: port ?? 0, runner: runner)
    }

    func stop() { runner.cancel() }
}
