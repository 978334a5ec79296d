import Crypto
import _CryptoExtras
import Foundation
import Hummingbird
import JWTKit
import Logging
import Synchronization
import Testing

/// A test LMS identity provider on loopback: real RSA, P-256 and Ed25519 keys made in the test,
/// a JWKS endpoint that counts its fetches and can rotate keys, and token signing.
final class TestIdentityProvider: Sendable {
    let issuer: String
    let port: Int
    let runner: Task<Void, any Error>
    private let state: JWKSState

    var jwksURL: String { "http://127.0.0.1:\(port)/jwks" }
    /// How many times the JWKS was fetched.
    var fetchCount: Int { state.document.withLock { $0.fetches } }

    static func start() async throws -> TestIdentityProvider {
        let state = JWKSState()
        let router = Router()
        router.get("jwks") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: state.fetch())))
        }
        let ports = PortBox()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in ports.set(channel.localAddress?.port ?? 0) },
                              logger: Logger(label: "test-idp"))
        let runner = Task { try await app.runService() }
        let port = try await ports.wait()
        return TestIdentityProvider(port: port, runner: runner, state: state)
    }

    private init(port: Int, runner: Task<Void, any Error>, state: JWKSState) {
        self.issuer = "http://127.0.0.1:\(port)"
        self.port = port
        self.runner = runner
        self.state = state
    }

    func stop() {
        runner.cancel()
    }

    /// Publishes exactly these keys in the JWKS.
    func publish(_ keys: [TestKey]) {
        let jwks = "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
        state.document.withLock { $0.jwks = jwks }
    }

    /// A signed token with the usual claims, overridable.
    func token(_ key: TestKey, audience: String = "quad", subject: String = "learner-1",
               expires: Date = Date().addingTimeInterval(600), notBefore: Date? = nil, issuer: String? = nil,
               extraClaims: [String: String] = [:], header: JWTHeader = JWTHeader()) async throws -> String {
        let claims = TestClaims(iss: issuer ?? self.issuer, sub: subject, aud: [audience],
                                exp: Int(expires.timeIntervalSince1970),
                                nbf: notBefore.map { Int($0.timeIntervalSince1970) },
                                name: extraClaims["name"], email: extraClaims["email"],
                                preferredUsername: extraClaims["preferred_username"])
        return try await key.keys.sign(claims, kid: JWKIdentifier(string: key.kid), header: header)
    }
}

/// The JWKS document the provider serves, and how often it was fetched.
final class JWKSState: Sendable {
    struct Document {
        var jwks = #"{"keys":[]}"#
        var fetches = 0
    }

    let document = Mutex(Document())

    func fetch() -> String {
        document.withLock { document in
            document.fetches += 1
            return document.jwks
        }
    }
}

/// Claims a test provider signs.
struct TestClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: [String]
    var exp: Int
    var nbf: Int?
    var name: String?
    var email: String?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, nbf, name, email
        case preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// One signing key made in the test, with its public JWK.
struct TestKey: Sendable {
    let kid: String
    let algorithm: String
    let keys: JWTKeyCollection
    let publicJWK: String
    /// The public key in PEM, for the algorithm-confusion attack.
    let publicPEM: String

    static func rsa(_ kid: String) async throws -> TestKey {
        let backing = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let key = try Insecure.RSA.PrivateKey(backing: backing)
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
        let jwk = #"{"kty":"RSA","kid":"\#(kid)","alg":"RS256","use":"sig","n":"\#(modulus.base64URL)","e":"\#(exponent.base64URL)"}"#
        return TestKey(kid: kid, algorithm: "RS256", keys: keys, publicJWK: jwk, publicPEM: key.publicKey.pemRepresentation)
    }

    static func es256(_ kid: String) async throws -> TestKey {
        let key = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let parameters = try #require(key.parameters)
        let jwk = #"{"kty":"EC","kid":"\#(kid)","crv":"P-256","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        return TestKey(kid: kid, algorithm: "ES256", keys: keys, publicJWK: jwk, publicPEM: key.publicKey.pemRepresentation)
    }

    static func eddsa(_ kid: String) async throws -> TestKey {
        let key = try EdDSA.PrivateKey(curve: .ed25519)
        let keys = JWTKeyCollection()
        await keys.add(eddsa: key, kid: JWKIdentifier(string: kid))
        let x = key.publicKey.rawRepresentation.base64URL
        let jwk = #"{"kty":"OKP","kid":"\#(kid)","crv":"Ed25519","x":"\#(x)"}"#
        return TestKey(kid: kid, algorithm: "EdDSA", keys: keys, publicJWK: jwk, publicPEM: key.publicKey.pemRepresentation)
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Array where Element == UInt8 {
    var base64URL: String { Data(self).base64URL }
}

/// A compact JWS put together by hand, for tokens no honest library would make.
func handmadeToken(header: [String: Any], claims: [String: Any], signature: (String) -> [UInt8]) throws -> String {
    let head = try JSONSerialization.data(withJSONObject: header).base64URL
    let body = try JSONSerialization.data(withJSONObject: claims).base64URL
    let input = head + "." + body
    return input + "." + signature(input).base64URL
}
