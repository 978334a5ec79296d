import Community
import Crypto
import Foundation
import Hummingbird
import Node
import QuadCore

/// Platform administration of sign-in and integrations (issuers, service keys, the webhook
/// secret), and the endpoints an LMS calls server to server.
struct IntegrationRoutes: Sendable {
    let node: CommunityNode
    /// Told when issuers change, so the next token sees the change.
    let singleSignOn: SingleSignOn?

    /// Admin routes, behind the token middleware.
    func addAdministrationRoutes(to group: RouterGroup<QuadRequestContext>) {
        group.put("platforms/:platform/issuers") { request, context in try await putIssuer(request, context).ok }
        group.get("platforms/:platform/issuers") { _, context in
            let platform = try requireAdmin(context)
            let issuers = try identity(platform).issuers(platform: platform)
            return IssuersResponse(issuers: issuers.map(IssuerResponse.init)).ok
        }
        group.delete("platforms/:platform/issuers") { request, context in
            let platform = try requireAdmin(context)
            guard let issuer = request.uri.queryParameters.get("issuer") else {
                throw APIError.invalid("missing_issuer", "Name the issuer to remove with ?issuer=.")
            }
            _ = try await submit(.removeIssuer(platform: platform, issuer: issuer), context)
            await singleSignOn?.directory.invalidate()
            return NoContent()
        }
        group.post("platforms/:platform/service-keys") { request, context in
            try await createServiceKey(request, context)
        }
        group.get("platforms/:platform/service-keys") { _, context in
            let platform = try requireAdmin(context)
            let keys = try identity(platform).serviceKeys(platform: platform)
            return ServiceKeysResponse(serviceKeys: keys.map {
                ServiceKeyResponse(keyId: $0.key, name: $0.name, createdAt: $0.createdAt)
            }).ok
        }
        group.delete("platforms/:platform/service-keys/:key") { _, context in
            let platform = try requireAdmin(context)
            guard let raw = context.parameters.get("key"), let key = ServiceKeyID(rawValue: raw) else {
                throw APIError.invalid("invalid_service_key_id", "The service key ID in the path is not valid.")
            }
            _ = try await submit(.revokeServiceKey(platform: platform, key: key), context)
            return NoContent()
        }
        group.put("platforms/:platform/webhook-secret") { _, context in
            let platform = try requireAdmin(context)
            let secret = Self.randomBytes(count: 32)
            _ = try await submit(.putWebhookSecret(platform: platform, secret: secret), context)
            return WebhookSecretResponse(secret: Data(secret).hexString).ok
        }
    }

    private func putIssuer(_ request: Request, _ context: QuadRequestContext) async throws -> IssuerResponse {
        let platform = try requireAdmin(context)
        let body = try await request.decode(as: PutIssuerRequest.self, context: context)
        guard let claim = SubjectClaimName(name: body.subjectClaim ?? "sub") else {
            throw APIError.invalid("invalid_subject_claim", "subject_claim is 'sub' or 'preferred_username'.")
        }
        let configuration = IssuerConfiguration(platform: platform, issuer: body.issuer, audience: body.audience,
                                                jwksURL: body.jwksUrl, staticJWKS: body.jwks, subjectClaim: claim)
        try IdentityValidation.issuer(configuration)
        if let jwks = body.jwks {
            guard let set = try? KeySet(document: jwks, fetchedAt: .now), !set.keys.isEmpty else {
                throw APIError.invalid("invalid_jwks", "jwks holds no RSA, EC or OKP public key with a kid.")
            }
        }
        _ = try await submit(.putIssuer(configuration), context)
        await singleSignOn?.directory.invalidate()
        return IssuerResponse(configuration)
    }

    private func createServiceKey(_ request: Request, _ context: QuadRequestContext) async throws
        -> Created<ServiceKeyCreatedResponse> {
        let platform = try requireAdmin(context)
        let body = try await request.decode(as: CreateServiceKeyRequest.self, context: context)
        var generator = SystemRandomNumberGenerator()
        let key = ServiceKeyID.random(using: &generator)
        let secret = Data(Self.randomBytes(count: 32)).hexString
        let hash = Array(SHA256.hash(data: Data(secret.utf8)))
        _ = try await submit(.putServiceKey(platform: platform, key: key, name: body.name, secretSHA256: hash), context)
        return Created(body: ServiceKeyCreatedResponse(keyId: key, name: body.name, token: "\(key.rawValue).\(secret)"))
    }

    // MARK: Plumbing

    func submit(_ command: IdentityCommand, _ context: QuadRequestContext) async throws -> IdentityOutcome {
        try await submit(command, actor: try context.requireActor())
    }

    func submit(_ command: IdentityCommand, actor: Actor) async throws -> IdentityOutcome {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let outcome = try await node.submit(.identity(command), actor: actor, timestampMilliseconds: now).get()
        guard case .identity(let result) = outcome else { preconditionFailure("identity commands answer identity") }
        return result
    }

    /// The platform in the path; the caller must be an administrator.
    func requireAdmin(_ context: QuadRequestContext) throws -> PlatformID {
        guard try context.requireActor().isAdmin else {
            throw APIError(.forbidden, "forbidden", "Only administrators manage a platform's integrations.")
        }
        return try platformID(context)
    }

    func platformID(_ context: QuadRequestContext) throws -> PlatformID {
        guard let raw = context.parameters.get("platform"), let platform = PlatformID(rawValue: raw) else {
            throw APIError.invalid("invalid_platform_id", "The platform ID in the path is not a valid identifier.")
        }
        return platform
    }

    /// Identity reads from the platform's partition.
    func identity(_ platform: PlatformID) -> IdentityQueries<PartitionRowReader> {
        identity(forKey: platform.rawValue)
    }

    /// Identity reads from the partition that holds `key`.
    func identity(forKey key: String) -> IdentityQueries<PartitionRowReader> {
        IdentityQueries(reader: PartitionRowReader(database: node.database, partition: node.placement.partition(ofKey: key)))
    }

    static func randomBytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
