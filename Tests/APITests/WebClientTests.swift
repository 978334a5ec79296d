@testable import API
import AsyncHTTPClient
import Foundation
import Hummingbird
import QuadCore
import Testing
@testable import WebClient

/// The web client's routes: the page, its versioned assets, development sign-in, and the LTI
/// launch's hand-over to the browser.
@Suite struct WebClientTests {
    @Test func thePageIsRevalidatedAndItsVersionedAssetsAreImmutable() async throws {
        // Proves / is no-cache and names this build's asset version, assets of that version are served
        // with a year's immutable caching and their content type, and any other version or file is a JSON 404.
        try await TestServer.run { server in
            let page = try await server.get("/", as: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.cacheControl] == "no-cache")
            #expect(page.headers[.contentSecurityPolicy] == WebClient.contentSecurityPolicy)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            let version = try #require(page.text.split(separator: "/app/").dropFirst().first?.split(separator: "/").first)
            #expect(version.count == WebClient.versionHexDigits)
            #expect(!page.text.contains(WebClient.versionPlaceholder))

            let script = try await server.get("/app/\(version)/app.js", as: nil)
            #expect(script.status == .ok)
            #expect(script.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(script.headers[.contentType]?.contains("javascript") == true)
            #expect(script.text.contains("import"))
            let messages = try await server.get("/app/\(version)/messages-en.json", as: nil)
            #expect(messages.status == .ok)
            #expect(messages.json["sign_in"].string == "Sign in")

            let otherVersion = try await server.get("/app/000000000000/app.js", as: nil)
            #expect(otherVersion.status == .notFound)
            #expect(otherVersion.errorCode != nil, "\(otherVersion)")
            #expect(try await server.get("/app/\(version)/missing.js", as: nil).status == .notFound)
            #expect(try await server.get("/app/\(version)/..%2Fopenapi.yaml", as: nil).status != .ok)
        }
    }

    @Test func theVersionChangesWithAnyAsset() throws {
        // Proves the asset version is a digest of the files: the same files give the same version, one changed byte another.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quad-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "<script src=\"/app/{{version}}/a.js\"></script>".write(toFile: folder + "/index.html", atomically: true, encoding: .utf8)
        try "let a = 1".write(toFile: folder + "/a.js", atomically: true, encoding: .utf8)
        let first = try WebClient(assetsFolder: folder)
        #expect(try WebClient(assetsFolder: folder).version == first.version)
        #expect(first.indexPage == "<script src=\"/app/\(first.version)/a.js\"></script>")
        try "let a = 2".write(toFile: folder + "/a.js", atomically: true, encoding: .utf8)
        #expect(try WebClient(assetsFolder: folder).version != first.version)
        try FileManager.default.removeItem(atPath: folder + "/index.html")
        #expect(throws: WebClientError.self) { try WebClient(assetsFolder: folder) }
    }

    @Test func developmentSigninMintsTokensOnlyWhenTheNodeAllowsIt() async throws {
        // Proves /v1/dev-signin mints a working token with the given name and role on a --dev-signin node,
        // refuses bad input with 400, and is 404 dev_signin_disabled on a node without the flag.
        try await TestServer.run { server in
            #expect(try await server.get("/v1/dev-signin", as: nil).json["enabled"].bool == true)
            let minted = try await server.post("/v1/dev-signin", as: nil, #"{"user_id":"ana","name":"Ana","admin":true}"#)
            #expect(minted.status == .created, "\(minted)")
            let token = try #require(minted.json["token"].string)
            #expect(minted.json["expires_in_seconds"].int == DevelopmentSigninRoutes.tokenLifetimeSeconds)
            let platform = try await server.send(.post, "/v1/platforms", as: nil, body: #"{"id":"pl-web","name":"Web"}"#,
                                                 headers: [.authorization: "Bearer \(token)"])
            #expect(platform.status == .created, "an admin token creates a platform: \(platform)")
            for body in [#"{"user_id":"not valid!"}"#, #"{"user_id":"ana","name":""}"#, #"{"name":"Ana"}"#] {
                #expect(try await server.post("/v1/dev-signin", as: nil, body).status == .badRequest, "\(body)")
            }
        }
        try await TestServer.run(developmentSignin: false) { server in
            #expect(try await server.get("/v1/dev-signin", as: nil).errorCode == "dev_signin_disabled")
            let refused = try await server.post("/v1/dev-signin", as: nil, #"{"user_id":"ana"}"#)
            #expect(refused.status == .notFound)
            #expect(refused.errorCode == "dev_signin_disabled")
        }
    }

    @Test func theOffsetClockRunsAheadByItsOffset() {
        // Proves --dev-clock-offset's clock is the machine's time plus the offset.
        let system = SystemWallClock().nowMilliseconds()
        let ahead = OffsetWallClock(offsetSeconds: 3 * 86_400).nowMilliseconds()
        #expect(abs(ahead - system - 3 * 86_400_000) < 5_000)
    }

    @Test func aBrowserLaunchLandsInTheWebClientWithItsSession() async throws {
        // Proves an LTI launch posted by a browser (Accept: text/html) answers 303 to /#token=...&workspace=...,
        // and that the token in the fragment signs in.
        let fixture = try await SignOnFixture.start()
        let key = try await TestKey.rsa("lms-web")
        fixture.provider.publish([key])
        let lti = LTILaunchTests()
        try await lti.register(fixture)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
        let login = try await lti.login(fixture, client: client)
        let idToken = try await lti.idToken(fixture, key: key, nonce: login.nonce)
        var request = HTTPClientRequest(url: fixture.server.base + "/lti/launch")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "text/html,application/xhtml+xml,*/*;q=0.8")
        request.body = .bytes(ByteBuffer(string: "id_token=\(idToken)&state=\(login.state)"))
        let response = try await client.execute(request, timeout: .seconds(30))
        #expect(response.status == .seeOther)
        let location = try #require(response.headers.first(name: "location"))
        #expect(location.hasPrefix("/#token="))
        let items = URLComponents(string: "http://x/?" + location.dropFirst(2))?.queryItems ?? []
        let token = try #require(items.first { $0.name == "token" }?.value)
        let workspace = try #require(items.first { $0.name == "workspace" }?.value)
        let channels = try await fixture.server.request(.GET, "/v1/workspaces/\(workspace)/channels", token: token)
        #expect(channels.status == 200, "\(channels.text)")
        try await client.shutdown()
        await fixture.stop()
    }
}
