import Crypto
import Foundation
import JWTKit
import Community
import QuadCore

/// An LTI login in flight, carried by the browser as `state`: a token naming the registration
/// and the login's nonce, signed with a key every node derives from `session.key`. Any node
/// verifies it; the nonce is spent through the platform's partition at launch, so each login
/// launches once in the whole cluster, whichever nodes the login and the launch reach.
struct LTILoginState: JWTPayload {
    var iss: IssuerClaim
    var exp: ExpirationClaim
    var nonce: String
    var platform: String
    /// The LMS's issuer and the client ID it gave Quad: which registration the login is for.
    var lms: String
    var clientID: String

    static let issuer = "quad-lti-login"

    enum CodingKeys: String, CodingKey {
        case iss, exp, nonce, platform, lms
        case clientID = "client_id"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "not an LTI login state")
        }
    }
}

/// Issues and checks LTI login states (HS256).
struct LTILoginStates: Sendable {
    let keys: JWTKeyCollection
    /// Ten minutes from login to launch: the LMS's auth endpoint answers in seconds.
    static let lifetimeSeconds: TimeInterval = 600

    init(key: SymmetricKey) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: key), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// A new login for `registration`: its state and its nonce (128 random bits).
    func begin(_ registration: LTIRegistration, now: Date = Date()) async throws -> (state: String, nonce: String) {
        var generator = SystemRandomNumberGenerator()
        let nonce = IdentifierRules.base32(high: generator.next(), low: generator.next())
        let claims = LTILoginState(iss: IssuerClaim(value: LTILoginState.issuer),
                                   exp: ExpirationClaim(value: now.addingTimeInterval(Self.lifetimeSeconds)),
                                   nonce: nonce, platform: registration.platform.rawValue, lms: registration.issuer,
                                   clientID: registration.clientID)
        return (try await keys.sign(claims), nonce)
    }

    /// The login a launch's `state` names; 401 `lti_state_invalid` when forged or expired.
    func verify(_ state: String) async throws -> LTILoginState {
        do {
            return try await keys.verify(state, as: LTILoginState.self)
        } catch {
            throw APIError.unauthenticated(reason: "lti_state_invalid", "The login state is unknown, used or expired.")
        }
    }
}

/// The claims of an LTI 1.3 resource link launch that Quad reads.
struct LTIClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim?
    var aud: AudienceClaim
    var azp: String?
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var nonce: String?
    var name: String?
    var email: String?
    var messageType: String?
    var version: String?
    var deploymentID: String?
    var roles: [String]?
    var context: Context?
    /// The platform's custom parameters for this link; Quad reads `channel`.
    var custom: [String: String]?
    var targetLinkURI: String?

    struct Context: Codable {
        var id: String
        var title: String?
    }

    static let claimPrefix = "https://purl.imsglobal.org/spec/lti/claim/"

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, nbf, nonce, name, email
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
        case context = "https://purl.imsglobal.org/spec/lti/claim/context"
        case custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
        case targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// What a verified launch asks for.
    struct Launch: Equatable {
        var subject: String
        var name: String?
        var contextID: String
        var contextTitle: String?
        var role: WorkspaceRole
        /// The channel the link points at: the custom parameter `channel`, else a `channel`
        /// query item of the target link URI (`https://quad.example.edu/lti/launch?channel=q-a`).
        var channelSlug: String?
    }

    /// Checks everything but the signature (done before) against the registration and the login.
    func check(_ registration: LTIRegistration, nonce expected: String, now: Date) throws(TokenRejection) -> Launch {
        func reject(_ code: String, _ message: String) -> TokenRejection { TokenRejection(code, message) }
        guard iss.value == registration.issuer else { throw .unknownIssuer }
        guard aud.value.contains(registration.clientID) else { throw .wrongAudience }
        if aud.value.count > 1 || azp != nil {
            guard azp == registration.clientID else { throw reject("lti_azp_mismatch", "azp is not Quad's client ID.") }
        }
        guard exp.value.timeIntervalSince(now) > -SignInClaims.clockSkewSecondsMax else { throw .expired }
        if let nbf, nbf.value.timeIntervalSince(now) > SignInClaims.clockSkewSecondsMax { throw .notYetValid }
        guard nonce == expected else { throw reject("lti_nonce_invalid", "The nonce is not the one this login issued.") }
        guard let deploymentID, registration.deploymentIDs.contains(deploymentID) else {
            throw reject("lti_deployment_unknown", "The deployment_id is not registered.")
        }
        guard messageType == "LtiResourceLinkRequest" else {
            throw reject("lti_message_type_unsupported", "Only LtiResourceLinkRequest launches are supported.")
        }
        guard version == "1.3.0" else { throw reject("lti_version_unsupported", "Only LTI 1.3.0 is supported.") }
        guard let subject = sub?.value, !subject.isEmpty, subject.utf8.count <= IdentityLimits.issuerBytesMax else {
            throw .noSubject
        }
        guard let context, !context.id.isEmpty, context.id.utf8.count <= Limits.externalIDBytesMax else {
            throw reject("lti_context_missing", "The launch names no course context.")
        }
        return Launch(subject: subject, name: name, contextID: context.id, contextTitle: context.title,
                      role: Self.role(roles ?? []), channelSlug: channelSlug)
    }

    /// The deep-linked channel's slug, if the link names a well-formed one.
    var channelSlug: String? {
        let fromTarget = targetLinkURI.flatMap { URLComponents(string: $0)?.queryItems }?
            .first { $0.name == "channel" }?.value
        guard let slug = custom?["channel"] ?? fromTarget, (try? Validation.slug(slug)) != nil else { return nil }
        return slug
    }

    /// LTI roles to Quad roles, highest wins: Instructor or Administrator -> instructor,
    /// TeachingAssistant or Mentor -> moderator, anything else -> learner. Roles are URIs whose
    /// last `#` fragment names the role (`.../membership/Instructor#TeachingAssistant` is a TA).
    static func role(_ roles: [String]) -> WorkspaceRole {
        let names = Set(roles.map { $0.split(separator: "#").last.map(String.init) ?? $0 })
        if !names.isDisjoint(with: ["Instructor", "Administrator"]) { return .instructor }
        if !names.isDisjoint(with: ["TeachingAssistant", "Mentor"]) { return .moderator }
        return .learner
    }
}

/// Form and query parameters (`application/x-www-form-urlencoded`).
enum FormParameters {
    /// Parameters kept from one form: LTI sends about ten.
    static let parametersMax = 64

    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&").prefix(parametersMax) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            values[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return values
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
