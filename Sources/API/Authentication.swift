public import JWTKit
import Hummingbird
import Foundation
import QuadCore

/// The claims of a Quad sign-in token. Development tokens are HS256 with the node's
/// dev sign-in key; the SSO issue adds JWKS-verified tokens on the same seam.
public struct QuadClaims: JWTPayload, Equatable {
    /// The user ID (`sub`), validated as a `UserID`.
    public var sub: SubjectClaim
    /// Display name.
    public var name: String?
    /// Platform administrator.
    public var admin: Bool?
    public var exp: ExpirationClaim
    public var iss: IssuerClaim

    /// The issuer of development tokens.
    public static let developmentIssuer = "quad-dev"

    public init(user: String, name: String?, admin: Bool, expires: Date, issuer: String = developmentIssuer) {
        sub = SubjectClaim(value: user)
        self.name = name
        self.admin = admin
        exp = ExpirationClaim(value: expires)
        iss = IssuerClaim(value: issuer)
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.developmentIssuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }
}

/// Verifies bearer tokens and turns them into an `Actor`: development tokens (HS256 with the
/// node's key, when dev sign-in is on) and the platforms' own tokens (`SingleSignOn`).
public struct TokenVerifier: Sendable {
    /// The development key; nil when dev sign-in is off.
    let keys: JWTKeyCollection?
    /// Tokens from the issuers configured on the platforms; nil only in tests of dev sign-in.
    let singleSignOn: SingleSignOn?
    /// Sessions issued by LTI launches on this node.
    var sessions: SessionTokens?

    /// A verifier for development tokens signed with `key` (and SSO tokens, when given).
    public static func development(key: [UInt8], singleSignOn: SingleSignOn? = nil) async -> TokenVerifier {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        return TokenVerifier(keys: keys, singleSignOn: singleSignOn)
    }

    /// A verifier that accepts only the platforms' own tokens.
    public static func singleSignOn(_ singleSignOn: SingleSignOn) -> TokenVerifier {
        TokenVerifier(keys: nil, singleSignOn: singleSignOn)
    }

    /// The caller a token names; throws 401 for anything else.
    func actor(forToken token: String) async throws -> Actor {
        let issuer = TokenInspection.unverifiedClaims(token)?["iss"] as? String
        if let sessions, issuer == SessionClaims.issuer { return try await sessions.actor(forToken: token) }
        guard let keys, issuer == QuadClaims.developmentIssuer else {
            guard let singleSignOn else { throw APIError.unauthenticated("The token is invalid or expired.") }
            return try await singleSignOn.actor(forToken: token)
        }
        let claims: QuadClaims
        do {
            claims = try await keys.verify(token, as: QuadClaims.self)
        } catch {
            throw APIError.unauthenticated("The token is invalid or expired.")
        }
        guard let user = UserID(rawValue: claims.sub.value) else {
            throw APIError.unauthenticated("The token's subject is not a valid user ID.")
        }
        let name = claims.name.flatMap { $0.isEmpty ? nil : String($0.prefix(Limits.nameCharactersMax)) }
        return Actor(userID: user, displayName: name ?? user.rawValue, isAdmin: claims.admin ?? false)
    }
}

/// Requires `Authorization: Bearer <token>` (or `?access_token=` for WebSocket clients,
/// which browsers cannot give headers) on every route it guards.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = QuadRequestContext
    let verifier: TokenVerifier?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        guard let verifier else {
            throw APIError.unauthenticated("No sign-in method is configured on this node (start it with --dev-signin).")
        }
        let token: String
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer ") else {
                throw APIError.unauthenticated("Use 'Authorization: Bearer <token>'.")
            }
            token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        } else if let query = request.uri.queryParameters.get("access_token") {
            token = query
        } else {
            throw APIError.unauthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
        }
        var context = context
        context.actor = try await verifier.actor(forToken: token)
        return try await next(request, context)
    }
}
