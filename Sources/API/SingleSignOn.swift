public import Logging
public import Node
import Community
import Foundation
import JWTKit
import QuadCore

/// Every issuer configured on this node, by `iss`, read from the platforms' partitions.
/// Re-read when an administrator changes one through this node, and for an unknown `iss` at
/// most once per `issuerReloadIntervalMinimum` (which bounds how long a change made through
/// another node takes to be seen here).
actor IssuerDirectory {
    private let node: CommunityNode
    private let options: SingleSignOnOptions
    private var byIssuer: [String: [IssuerConfiguration]] = [:]
    private var loadedAt: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    /// Issuers read per partition: `issuersPerPlatformMax` for a few dozen platforms each.
    static let issuersPerPartitionMax = 1024

    init(node: CommunityNode, options: SingleSignOnOptions) {
        self.node = node
        self.options = options
    }

    /// The configurations that trust `issuer` (one per platform that does).
    func configurations(issuer: String) throws -> [IssuerConfiguration] {
        if loadedAt == nil { try reload() }
        if let found = byIssuer[issuer] { return found }
        if let loadedAt, clock.now - loadedAt >= options.issuerReloadIntervalMinimum {
            try reload()
        }
        return byIssuer[issuer] ?? []
    }

    /// Forgets what was read, so the next token re-reads the settings.
    func invalidate() { loadedAt = nil }

    private func reload() throws {
        var all: [String: [IssuerConfiguration]] = [:]
        for raw in 0..<node.placement.partitionCount {
            let reader = PartitionRowReader(database: node.database, partition: PartitionID(raw))
            for configuration in try IdentityQueries(reader: reader).allIssuers(limit: Self.issuersPerPartitionMax) {
                all[configuration.issuer, default: []].append(configuration)
            }
        }
        byIssuer = all
        loadedAt = clock.now
    }
}

/// Sign-in with tokens from the platforms' own identity providers (Open edX's OAuth2 provider
/// with `token_type=jwt`, or any OIDC provider): checks the token's header, picks the issuer's
/// key, verifies the signature with jwt-kit, checks `aud`, `exp` and `nbf`, and names the user
/// `UserID.derived(issuer:subject:)`.
public final class SingleSignOn: Sendable {
    let directory: IssuerDirectory
    let keySets: JWKSCache

    public init(node: CommunityNode, options: SingleSignOnOptions = SingleSignOnOptions(), logger: Logger) {
        directory = IssuerDirectory(node: node, options: options)
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
