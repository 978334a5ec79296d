public import Logging
public import Node
import Community
import Foundation
import JWTKit
import QuadCore

/// Sign-in with tokens from the platforms' own identity providers (Open edX's OAuth2 provider
/// with `token_type=jwt`, or any OIDC provider): checks the token's header, picks the issuer's
/// key, verifies the signature with jwt-kit, checks `aud`, `exp` and `nbf`, and names the user
/// `UserID.derived(issuer:subject:)`.
public final class SingleSignOn: Sendable {
    /// Issuers and LTI registrations of every platform, whichever node holds them.
    let directory: IdentityDirectory
    let keySets: JWKSCache

    public init(node: CommunityNode, options: SingleSignOnOptions = SingleSignOnOptions(), logger: Logger) {
        directory = IdentityDirectory(node: node, options: options)
        keySets = JWKSCache(options: options, logger: logger)
    }

    /// The person a token signs in, or the reason it is refused (as a 401 `APIError`).
    func actor(forToken token: String, now: Date = Date()) async throws -> Actor {
        do {
            return try await verify(token, now: now)
        } catch let rejection as TokenRejection {
            throw rejection.apiError
        }
    }

    private func verify(_ token: String, now: Date) async throws -> Actor {
        let inspection = try TokenInspection(token: token)
        let candidates = try await directory.configurations(issuer: inspection.issuer)
        guard let first = candidates.first else { throw TokenRejection.unknownIssuer }
        let audiences = unverifiedAudiences(token)
        let configuration = candidates.first { audiences.contains($0.audience) } ?? first
        let claims = try await verifiedClaims(token, inspection, configuration, as: SignInClaims.self)
        return try claims.check(against: configuration, now: now)
    }

    /// The token's claims once its signature verifies with the issuer's key named by its kid
    /// (fetched or refreshed as needed), and the key fits the token's algorithm.
    func verifiedClaims<Claims: JWTPayload>(_ token: String, _ inspection: TokenInspection,
                                            _ configuration: IssuerConfiguration, as type: Claims.Type)
        async throws(TokenRejection) -> Claims {
        let jwk = try await keySets.key(inspection.keyID, for: configuration)
        guard TokenInspection.key(jwk, fits: inspection.algorithm) else {
            throw TokenRejection("token_key_mismatch", "The token's algorithm does not match its key.")
        }
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwk: jwk)
            return try await keys.verify(token, as: Claims.self)
        } catch {
            throw TokenRejection.badSignature
        }
    }

    /// The `aud` values, read before verification only to choose among platforms that trust
    /// the same issuer; the chosen audience is checked again on the verified claims.
    private func unverifiedAudiences(_ token: String) -> [String] {
        let audience = TokenInspection.unverifiedClaims(token)?["aud"]
        return (audience as? [String]) ?? (audience as? String).map { [$0] } ?? []
    }
}
