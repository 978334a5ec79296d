import Foundation
import Hummingbird
import Testing

/// Every `/v1` route needs a valid, unexpired development token; `/health` and the document do not.
@Suite struct AuthenticationTests {
    @Test func requestsWithoutAValidTokenAre401() async throws {
        // Proves a missing, non-bearer, garbled, foreign-key, expired, wrong-issuer or bad-subject token is 401 unauthenticated.
        try await TestServer.run { server in
            let course = try await Course.make(on: server)
            let foreignKey = [UInt8](repeating: 7, count: 32)
            let tokens: [String] = [
                "Basic bGVhOnNlY3JldA==",
                "Bearer",
                "Bearer not.a.jwt",
                "Bearer " + (try await server.token(Users.learner, key: foreignKey)),
                "Bearer " + (try await server.token(Users.learner, expires: Date(timeIntervalSinceNow: -60))),
                "Bearer " + (try await server.token("bad user!")),
            ]
            for path in ["/v1/workspaces", course.base, course.messages(course.chatter)] {
                expectError(try await server.get(path, as: nil), .unauthorized, "unauthenticated")
                for token in tokens {
                    expectError(try await server.send(.get, path, as: nil, headers: [.authorization: token]),
                                .unauthorized, "unauthenticated")
                }
            }
            expectError(try await server.post(course.messages(course.chatter), as: nil, #"{"text":"anonymous"}"#),
                        .unauthorized, "unauthenticated")
            let good = try await server.token(Users.learner)
            try ok(try await server.send(.get, course.base, as: nil, headers: [.authorization: "bearer \(good)"]))
            try ok(try await server.get("\(course.base)?access_token=\(good)", as: nil))
        }
    }

    @Test func publicRoutesNeedNoToken() async throws {
        // Proves /health and /v1/openapi.yaml answer without a token.
        try await TestServer.run { server in
            let health = try ok(try await server.get("/health", as: nil))
            #expect(health == .object(["status": .string("ok"), "node": .number(1)]))
            let document = try await server.get("/v1/openapi.yaml", as: nil)
            #expect(document.status == .ok)
            #expect(document.headers[.contentType] == "application/yaml; charset=utf-8")
            #expect(document.text.hasPrefix("openapi: 3.1.0\n"))
        }
    }

    @Test func aNodeWithoutDevelopmentSigninAcceptsNoToken() async throws {
        // Proves that with development sign-in off (the default) even a correctly signed token is 401.
        try await TestServer.run(developmentSignin: false) { server in
            expectError(try await server.get("/v1/workspaces", as: Users.admin), .unauthorized, "unauthenticated")
            try ok(try await server.get("/health", as: nil))
        }
    }
}
