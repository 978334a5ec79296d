import API
import Crypto
import Foundation
import JWTKit
import QuadCore
import Testing

/// A Quad server, a test identity provider, and a platform that trusts it.
struct SignOnFixture {
    let server: IdentityTestServer
    let provider: TestIdentityProvider
    let platform = "pl-sso"

    static func start(options: SingleSignOnOptions = SingleSignOnOptions(), subjectClaim: String = "sub")
        async throws -> SignOnFixture {
        let server = try await IdentityTestServer.start(options: options)
        let provider = try await TestIdentityProvider.start()
        let fixture = SignOnFixture(server: server, provider: provider)
        try await server.createPlatform(fixture.platform)
        let answer = try await server.request(
            .PUT, "/v1/platforms/\(fixture.platform)/issuers", token: try await server.adminToken(),
            json: ["issuer": provider.issuer, "audience": "quad", "jwks_url": provider.jwksURL,
                   "subject_claim": subjectClaim])
        #expect(answer.status == 200, "\(answer.text)")
        return fixture
    }

    func stop() async {
        provider.stop()
        await server.stop()
    }

    /// GET /v1/workspaces with `token`: 200 when signed in.
    func signIn(_ token: String) async throws -> Answer {
        try await server.request(.GET, "/v1/workspaces", token: token)
    }
}

@Suite struct SingleSignOnTests {
    /// Proves tokens signed with RS256, ES256 and EdDSA keys from the issuer's JWKS sign in.
    @Test func acceptsEachAllowedAlgorithm() async throws {
        let fixture = try await SignOnFixture.start()
        let keys = [try await TestKey.rsa("rsa-1"), try await TestKey.es256("ec-1"), try await TestKey.eddsa("ed-1")]
        fixture.provider.publish(keys)
        for key in keys {
            let answer = try await fixture.signIn(try await fixture.provider.token(key))
            #expect(answer.status == 200, "\(key.algorithm): \(answer.text)")
        }
        await fixture.stop()
    }

    /// Proves every forged or misdirected token is refused with 401 and a code that says why.
    @Test func rejectsEveryBadToken() async throws {
        let fixture = try await SignOnFixture.start()
        let provider = fixture.provider
        let rsa = try await TestKey.rsa("rsa-1")
        let ec = try await TestKey.es256("ec-1")
        let stranger = try await TestKey.es256("ec-1")  // same kid, key not in the JWKS
        provider.publish([rsa, ec])
        let now = Int(Date().timeIntervalSince1970)
        let claims: [String: Any] = ["iss": provider.issuer, "sub": "mallory", "aud": "quad", "exp": now + 600]

        let none = try handmadeToken(header: ["alg": "none", "kid": "rsa-1"], claims: claims) { _ in [] }
        let confused = try handmadeToken(header: ["alg": "HS256", "kid": "rsa-1", "typ": "JWT"], claims: claims) {
            Array(HMAC<SHA256>.authenticationCode(for: Data($0.utf8), using: SymmetricKey(data: Data(rsa.publicPEM.utf8))))
        }
        let valid = try await provider.token(ec)
        let pieces = valid.split(separator: ".")
        var forgedClaims = claims
        forgedClaims["sub"] = "admin"
        let tampered = pieces[0] + "." + (try JSONSerialization.data(withJSONObject: forgedClaims).base64URL) + "."
            + pieces[2]
        let cases: [(String, String, String)] = [
            ("alg none", none, "token_algorithm_not_allowed"),
            ("HS256 keyed with the public key", confused, "token_algorithm_not_allowed"),
            ("unknown kid", try await provider.token(try await TestKey.eddsa("ed-unknown")), "token_key_unknown"),
            ("key not in the set", try await provider.token(stranger), "token_signature_invalid"),
            ("tampered payload", String(tampered), "token_signature_invalid"),
            ("expired", try await provider.token(rsa, expires: Date().addingTimeInterval(-120)), "token_expired"),
            ("not yet valid", try await provider.token(rsa, notBefore: Date().addingTimeInterval(300)),
             "token_not_yet_valid"),
            ("wrong audience", try await provider.token(rsa, audience: "someone-else"), "token_audience_mismatch"),
            ("wrong issuer", try await provider.token(rsa, issuer: "https://evil.example"), "token_issuer_unknown"),
            ("jku header", try await provider.token(rsa, header: ["jku": .string("https://evil.example/jwks")]),
             "token_header_not_allowed"),
            ("jwk header", try await provider.token(rsa, header: ["jwk": .string("{}")]), "token_header_not_allowed"),
            ("x5u header", try await provider.token(rsa, header: ["x5u": .string("https://evil.example/cert")]),
             "token_header_not_allowed"),
            ("RS256 header on an EC key", try handmadeToken(header: ["alg": "RS256", "kid": "ec-1"], claims: claims) {
                _ in [1, 2, 3]
            }, "token_key_mismatch"),
            ("garbage", "not.a.token", "token_malformed"),
        ]
        for (name, token, code) in cases {
            let answer = try await fixture.signIn(token)
            #expect(answer.status == 401, "\(name): \(answer.text)")
            #expect(answer.errorCode == code, "\(name): \(answer.text)")
        }
        await fixture.stop()
    }

    /// Proves clock skew is bounded: a token expired 30 s ago still signs in, one expired 120 s ago does not.
    @Test func clockSkewIsBounded() async throws {
        let fixture = try await SignOnFixture.start()
        let key = try await TestKey.es256("ec-1")
        fixture.provider.publish([key])
        let lenient = try await fixture.provider.token(key, expires: Date().addingTimeInterval(-30),
                                                       notBefore: Date().addingTimeInterval(30))
        #expect(try await fixture.signIn(lenient).status == 200)
        let late = try await fixture.provider.token(key, expires: Date().addingTimeInterval(-120))
        #expect(try await fixture.signIn(late).status == 401)
        await fixture.stop()
    }

    /// Proves a key rotation works without restart: a token with the new kid makes Quad fetch the JWKS again.
    @Test func keyRotationRefreshesTheKeySet() async throws {
        var options = SingleSignOnOptions()
        options.refreshIntervalMinimum = .zero
        let fixture = try await SignOnFixture.start(options: options)
        let old = try await TestKey.rsa("2026-01")
        let new = try await TestKey.rsa("2026-02")
        fixture.provider.publish([old])
        #expect(try await fixture.signIn(try await fixture.provider.token(old)).status == 200)
        #expect(fixture.provider.fetchCount == 1)
        fixture.provider.publish([new])
        #expect(try await fixture.signIn(try await fixture.provider.token(new)).status == 200)
        #expect(fixture.provider.fetchCount == 2)
        // The cached set still verifies the new key without another fetch.
        #expect(try await fixture.signIn(try await fixture.provider.token(new)).status == 200)
        #expect(fixture.provider.fetchCount == 2)
        await fixture.stop()
    }

    /// Proves refreshes on unknown kids are rate-limited: made-up kids do not make Quad hammer the JWKS.
    @Test func unknownKidRefreshesAreRateLimited() async throws {
        let fixture = try await SignOnFixture.start()  // default: at most one refresh per 10 s
        let key = try await TestKey.es256("ec-1")
        fixture.provider.publish([key])
        #expect(try await fixture.signIn(try await fixture.provider.token(key)).status == 200)
        for index in 0..<5 {
            let stranger = try await TestKey.es256("made-up-\(index)")
            let answer = try await fixture.signIn(try await fixture.provider.token(stranger))
            #expect(answer.errorCode == "token_key_unknown")
        }
        #expect(fixture.provider.fetchCount == 1)
        await fixture.stop()
    }

    /// Proves iss+sub map to the documented derived user ID, with the name claim as display name,
    /// and that preferred_username can be the subject (Open edX).
    @Test func subjectsMapToDerivedUsers() async throws {
        let fixture = try await SignOnFixture.start(subjectClaim: "preferred_username")
        let key = try await TestKey.eddsa("ed-1")
        fixture.provider.publish([key])
        let token = try await fixture.provider.token(key, subject: "opaque-123",
                                                     extraClaims: ["preferred_username": "ann", "name": "Ann Lee"])
        #expect(try await fixture.signIn(token).status == 200)
        let expected = UserID.derived(issuer: fixture.provider.issuer, subject: "ann")
        #expect(expected.rawValue.hasPrefix("us_i"))
        #expect(expected == UserID.derived(issuer: fixture.provider.issuer, subject: "ann"))
        #expect(expected != UserID.derived(issuer: "https://other.example", subject: "ann"))
        let noUsername = try await fixture.provider.token(key, subject: "opaque-123")
        #expect(try await fixture.signIn(noUsername).errorCode == "token_subject_missing")
        await fixture.stop()
    }

    /// Proves only administrators configure issuers, and that an issuer with static keys works too.
    @Test func issuersAreAdministered() async throws {
        let fixture = try await SignOnFixture.start()
        let server = fixture.server
        let key = try await TestKey.es256("ec-1")
        fixture.provider.publish([key])
        let learner = try await fixture.provider.token(key)
        let refused = try await server.request(.PUT, "/v1/platforms/\(fixture.platform)/issuers", token: learner,
                                               json: ["issuer": "https://x", "audience": "a", "jwks_url": "https://x/j"])
        #expect(refused.status == 403)
        let staticKey = try await TestKey.rsa("static-1")
        let admin = try await server.adminToken()
        let put = try await server.request(
            .PUT, "/v1/platforms/\(fixture.platform)/issuers", token: admin,
            json: ["issuer": "https://static.example", "audience": "quad", "jwks": "{\"keys\":[\(staticKey.publicJWK)]}"])
        #expect(put.status == 200, "\(put.text)")
        let staticToken = try await fixture.provider.token(staticKey, issuer: "https://static.example")
        #expect(try await fixture.signIn(staticToken).status == 200)
        let list = try await server.request(.GET, "/v1/platforms/\(fixture.platform)/issuers", token: admin)
        #expect((list.json["issuers"] as? [Any])?.count == 2)
        let removed = try await server.request(
            .DELETE, "/v1/platforms/\(fixture.platform)/issuers?issuer=https://static.example", token: admin)
        #expect(removed.status == 204)
        #expect(try await fixture.signIn(staticToken).errorCode == "token_issuer_unknown")
        let invalid = try await server.request(.PUT, "/v1/platforms/\(fixture.platform)/issuers", token: admin,
                                               json: ["issuer": "https://x", "audience": "a",
                                                      "jwks_url": "http://evil.example/jwks"])
        #expect(invalid.status == 400)
        await fixture.stop()
    }
}
