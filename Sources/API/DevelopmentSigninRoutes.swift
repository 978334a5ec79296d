import Foundation
import Hummingbird
import JWTKit
import QuadCore

/// `GET` and `POST /v1/dev-signin`: the web client's user picker on a node started with
/// `--dev-signin` mints the same tokens as `quadctl dev-token`. The routes exist on every node,
/// so the documentation matches what is served; without the flag they answer 404.
struct DevelopmentSigninRoutes: Sendable {
    /// The node's development key; nil when development sign-in is off.
    let keys: JWTKeyCollection?

    /// Twelve hours: a working day in the browser without signing in again.
    static let tokenLifetimeSeconds = 12 * 3600

    func add(to router: Router<QuadRequestContext>) {
        router.get("v1/dev-signin") { _, _ in
            _ = try requireKeys()
            return DevelopmentSigninStatus(enabled: true).ok
        }
        router.post("v1/dev-signin") { request, context in
            let keys = try requireKeys()
            let body = try await request.decode(as: DevelopmentSigninRequest.self, context: context)
            if let name = body.name, name.isEmpty || name.count > Limits.nameCharactersMax {
                throw APIError.invalid("invalid_name", "name is 1 to \(Limits.nameCharactersMax) characters.")
            }
            let expires = Date(timeIntervalSinceNow: TimeInterval(Self.tokenLifetimeSeconds))
            let claims = QuadClaims(user: body.userId.rawValue, name: body.name, admin: body.admin ?? false,
                                    expires: expires)
            return Created(body: DevelopmentSigninResponse(token: try await keys.sign(claims), userId: body.userId,
                                                           expiresInSeconds: Self.tokenLifetimeSeconds))
        }
    }

    private func requireKeys() throws -> JWTKeyCollection {
        guard let keys else {
            throw APIError(.notFound, "dev_signin_disabled", "This node was not started with --dev-signin.")
        }
        return keys
    }
}

struct DevelopmentSigninRequest: Decodable {
    var userId: UserID
    var name: String?
    var admin: Bool?
}

struct DevelopmentSigninResponse: Encodable {
    var token: String
    var userId: UserID
    var expiresInSeconds: Int
}

struct DevelopmentSigninStatus: Encodable {
    var enabled: Bool
}
