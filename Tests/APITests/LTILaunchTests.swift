import API
import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import QuadCore
import Testing

/// The claims of an LTI resource link launch, as a test LMS signs them.
struct LTITestClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: [String]
    var azp: String?
    var exp: Int
    var nonce: String
    var name: String?
    var messageType = "LtiResourceLinkRequest"
    var version = "1.3.0"
    var deploymentID = "deployment-1"
    var roles: [String]
    var context: [String: String] = ["id": "course-v1:Org+LTI101+2026", "title": "LTI 101"]
    var custom: [String: String]?
    var targetLinkURI: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, nonce, name
        case custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
        case targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
        case context = "https://purl.imsglobal.org/spec/lti/claim/context"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

@Suite struct LTILaunchTests {
    static let learnerRole = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    static let instructorRole = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    static let assistantRole = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"

    /// Registers the test LMS as an LTI platform of `pl-sso`.
    func register(_ fixture: SignOnFixture) async throws {
        let answer = try await fixture.server.request(
            .PUT, "/v1/platforms/\(fixture.platform)/lti-registrations", token: try await fixture.server.adminToken(),
            json: ["issuer": fixture.provider.issuer, "client_id": "quad-tool", "deployment_ids": ["deployment-1"],
                   "auth_login_url": fixture.provider.issuer + "/authorize", "jwks_url": fixture.provider.jwksURL])
        #expect(answer.status == 200, "\(answer.text)")
    }

    /// Starts a login and returns the state and nonce from the redirect to the LMS.
    func login(_ fixture: SignOnFixture, client: HTTPClient) async throws -> (state: String, nonce: String) {
        let issuer = fixture.provider.issuer.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let target = (fixture.server.base + "/lti/launch").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var request = HTTPClientRequest(url: fixture.server.base
            + "/lti/login?iss=\(issuer)&login_hint=u42&target_link_uri=\(target)&client_id=quad-tool")
        request.method = .GET
        let response = try await client.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 302)
        let location = try #require(response.headers.first(name: "location"))
        #expect(location.hasPrefix(fixture.provider.issuer + "/authorize?"))
        let items = URLComponents(string: location)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        #expect(value("response_mode") == "form_post")
        #expect(value("client_id") == "quad-tool")
        #expect(value("login_hint") == "u42")
        return (try #require(value("state")), try #require(value("nonce")))
    }

    func launch(_ fixture: SignOnFixture, idToken: String, state: String) async throws -> Answer {
        try await launch(fixture.server, idToken: idToken, state: state)
    }

    func launch(_ server: IdentityTestServer, idToken: String, state: String) async throws -> Answer {
        let form = "id_token=\(idToken)&state=\(state)"
        return try await server.request(.POST, "/lti/launch", body: Array(form.utf8))
    }

    /// An id_token the test LMS signs for a login's nonce.
    func idToken(_ fixture: SignOnFixture, key: TestKey, nonce: String, sub: String = "u42",
                 change: (inout LTITestClaims) -> Void = { _ in }) async throws -> String {
        var claims = LTITestClaims(iss: fixture.provider.issuer, sub: sub, aud: ["quad-tool"],
                                   exp: Int(Date().timeIntervalSince1970) + 300, nonce: nonce, name: "Lee Learner",
                                   roles: [Self.learnerRole])
        change(&claims)
        return try await key.keys.sign(claims, kid: JWKIdentifier(string: key.kid))
    }

    /// Proves nothing of a login or a session lives in one node's memory: a login begun before
    /// the node restarts launches after it, exactly once; a session issued before the restart is
    /// still accepted; and the tool's published key is the same.
    @Test func loginsAndSessionsOutliveTheNodeThatBeganThem() async throws {
        let key = try await TestKey.rsa("lms-1")
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
        // The node's first life, in a function so that nothing of it is referenced afterwards.
        func firstLife() async throws -> (session: String, state: String, token: String, toolKeys: String,
                                          directory: String, provider: TestIdentityProvider) {
            let fixture = try await SignOnFixture.start()
            fixture.provider.publish([key])
            try await register(fixture)
            let signedIn = try await login(fixture, client: client)
            let launched = try await launch(fixture, idToken: try await idToken(fixture, key: key, nonce: signedIn.nonce),
                                            state: signedIn.state)
            let session = try #require(launched.json["token"] as? String, "\(launched.text)")
            let pending = try await login(fixture, client: client)
            let token = try await idToken(fixture, key: key, nonce: pending.nonce, sub: "u43")
            let toolKeys = try await fixture.server.request(.GET, "/lti/jwks").text
            await fixture.server.stop(keepingData: true)
            return (session, pending.state, token, toolKeys, fixture.server.directory, fixture.provider)
        }
        let first = try await firstLife()

        // The stopped node's database closes when its last reference goes; until then it is locked.
        var restarted: IdentityTestServer?
        for _ in 0..<100 where restarted == nil {
            restarted = try? await IdentityTestServer.start(directory: first.directory)
            if restarted == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let server = try #require(restarted)
        let after = try await launch(server, idToken: first.token, state: first.state)
        #expect(after.status == 200, "\(after.text)")
        #expect(try await launch(server, idToken: first.token, state: first.state).errorCode == "lti_state_invalid")
        #expect(try await server.request(.GET, "/v1/workspaces", token: first.session).status == 200)
        #expect(try await server.request(.GET, "/lti/jwks").text == first.toolKeys)
        // A state whose signature does not verify is refused like an unknown one.
        let forged = first.state.dropLast(4) + "AAAA"
        #expect(try await launch(server, idToken: first.token, state: String(forged)).errorCode == "lti_state_invalid")
        try await client.shutdown()
        first.provider.stop()
        await server.stop()
    }

    /// Proves a launch lands in the deep-linked channel named by the link's custom `channel`
    /// parameter or its target URI, and in the workspace when the link names no visible channel.
    @Test func aDeepLinkLandsInItsChannel() async throws {
        let fixture = try await SignOnFixture.start()
        let key = try await TestKey.es256("lms-2")
        fixture.provider.publish([key])
        try await register(fixture)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
        func land(_ change: @escaping (inout LTITestClaims) -> Void) async throws -> Answer {
            let login = try await login(fixture, client: client)
            let token = try await idToken(fixture, key: key, nonce: login.nonce, change: change)
            let answer = try await launch(fixture, idToken: token, state: login.state)
            #expect(answer.status == 200, "\(answer.text)")
            return answer
        }
        let plain = try await land { _ in }
        #expect(plain.json["channel_id"] == nil)
        let session = try #require(plain.json["token"] as? String)
        let workspace = try #require(plain.json["workspace_id"] as? String)
        let channels = try await fixture.server.request(.GET, "/v1/workspaces/\(workspace)/channels", token: session)
        let list = try #require(channels.json["channels"] as? [[String: Any]], "\(channels.text)")
        func channelID(_ slug: String) -> String? {
            list.compactMap { $0["channel"] as? [String: Any] ?? $0 }.first { $0["slug"] as? String == slug }?["id"] as? String
        }
        let questions = try #require(channelID("q-a"), "\(channels.text)")
        let chatter = try #require(channelID("chatter"))

        #expect(try await land { $0.custom = ["channel": "q-a"] }.json["channel_id"] as? String == questions)
        let byTarget = try await land { $0.targetLinkURI = fixture.server.base + "/lti/launch?channel=chatter" }
        #expect(byTarget.json["channel_id"] as? String == chatter)
        #expect(try await land { $0.custom = ["channel": "no-such-channel"] }.json["channel_id"] == nil)
        #expect(try await land { $0.custom = ["channel": "Not A Slug!"] }.json["channel_id"] == nil)
        try await client.shutdown()
        await fixture.stop()
    }

    /// Proves a launch from first click to a signed-in learner reading the course's channels, with
    /// the single-use state and nonce, roles mapped, and every bad launch refused.
    @Test func launchSignsInAndLandsInTheCourse() async throws {
        let fixture = try await SignOnFixture.start()
        let key = try await TestKey.rsa("lms-1")
        fixture.provider.publish([key])
        try await register(fixture)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

        func idToken(nonce: String, roles: [String] = [Self.learnerRole], sub: String = "u42",
                     change: (inout LTITestClaims) -> Void = { _ in }) async throws -> String {
            var claims = LTITestClaims(iss: fixture.provider.issuer, sub: sub, aud: ["quad-tool"],
                                       exp: Int(Date().timeIntervalSince1970) + 300, nonce: nonce, name: "Lee Learner",
                                       roles: roles)
            change(&claims)
            return try await key.keys.sign(claims, kid: JWKIdentifier(string: key.kid))
        }

        let first = try await login(fixture, client: client)
        let token = try await idToken(nonce: first.nonce)
        let launched = try await launch(fixture, idToken: token, state: first.state)
        #expect(launched.status == 200, "\(launched.text)")
        #expect(launched.json["role"] as? String == "learner")
        let session = try #require(launched.json["token"] as? String)
        let workspace = try #require(launched.json["workspace_id"] as? String)
        #expect(workspace == WorkspaceID.derived(platform: PlatformID(rawValue: fixture.platform)!,
                                                 externalID: "course-v1:Org+LTI101+2026").rawValue)
        let channels = try await fixture.server.request(.GET, "/v1/workspaces/\(workspace)/channels", token: session)
        #expect(channels.status == 200, "\(channels.text)")
        #expect(channels.text.contains("announcements"))

        // The state is single use: replaying the same launch is refused.
        #expect(try await launch(fixture, idToken: token, state: first.state).errorCode == "lti_state_invalid")
        // A captured id_token cannot ride on a new login: its nonce is not the new one.
        let second = try await login(fixture, client: client)
        #expect(try await launch(fixture, idToken: token, state: second.state).errorCode == "lti_nonce_invalid")

        let refusals: [(String, (inout LTITestClaims) -> Void, String)] = [
            ("unregistered deployment", { $0.deploymentID = "deployment-9" }, "lti_deployment_unknown"),
            ("deep linking", { $0.messageType = "LtiDeepLinkingRequest" }, "lti_message_type_unsupported"),
            ("LTI 1.1", { $0.version = "1.1.0" }, "lti_version_unsupported"),
            ("another tool", { $0.aud = ["other-tool"] }, "token_audience_mismatch"),
            ("azp elsewhere", { $0.aud = ["quad-tool", "x"]; $0.azp = "x" }, "lti_azp_mismatch"),
            ("expired", { $0.exp = Int(Date().timeIntervalSince1970) - 600 }, "token_expired"),
        ]
        for (name, change, code) in refusals {
            let login = try await login(fixture, client: client)
            let answer = try await launch(fixture, idToken: try await idToken(nonce: login.nonce, change: change),
                                          state: login.state)
            #expect(answer.status == 401, "\(name): \(answer.text)")
            #expect(answer.errorCode == code, "\(name): \(answer.text)")
        }

        // Roles: an instructor and a teaching assistant launch into the same course.
        for (roles, expected, sub) in [([Self.instructorRole], "instructor", "t1"), ([Self.assistantRole], "moderator", "t2")] {
            let login = try await login(fixture, client: client)
            let answer = try await launch(fixture, idToken: try await idToken(nonce: login.nonce, roles: roles, sub: sub),
                                          state: login.state)
            #expect(answer.json["role"] as? String == expected, "\(answer.text)")
        }
        let jwks = try await fixture.server.request(.GET, "/lti/jwks")
        #expect(jwks.text.contains("\"kty\":\"EC\""))
        try await client.shutdown()
        await fixture.stop()
    }
}
