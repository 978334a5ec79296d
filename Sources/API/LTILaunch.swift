import Foundation
import JWTKit
import QuadCore

/// Login states waiting for their launch: `state` -> nonce and registration, each usable once.
/// In memory and bounded; a node restart between login and launch makes the learner click again.
actor LTILaunchStates {
    struct Pending {
        var nonce: String
        var registration: LTIRegistration
        var expires: ContinuousClock.Instant
    }

    /// Ten minutes from login to launch: the LMS's auth endpoint answers in seconds.
    static let lifetime: Duration = .seconds(600)
    /// Logins in flight at once; more means someone is starting logins to fill memory.
    static let pendingMax = 10_000

    private var pending: [String: Pending] = [:]
    private let clock = ContinuousClock()

    /// Remembers a login and returns its state and nonce (both 128 random bits).
    func begin(_ registration: LTIRegistration) throws -> (state: String, nonce: String) {
        let now = clock.now
        if pending.count >= Self.pendingMax { pending = pending.filter { $0.value.expires > now } }
        guard pending.count < Self.pendingMax else {
            throw APIError(.serviceUnavailable, "too_many_logins", "Too many LTI logins are in flight; retry shortly.")
        }
        let state = Self.randomToken()
        let nonce = Self.randomToken()
        pending[state] = Pending(nonce: nonce, registration: registration, expires: now + Self.lifetime)
        return (state, nonce)
    }

    /// Takes the login for `state` (so it can never be used again); nil when unknown or expired.
    func take(_ state: String) -> Pending? {
        guard let found = pending.removeValue(forKey: state), found.expires > clock.now else { return nil }
        return found
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return IdentifierRules.base32(high: generator.next(), low: generator.next())
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
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// What a verified launch asks for.
    struct Launch: Equatable {
        var subject: String
        var name: String?
        var contextID: String
        var contextTitle: String?
        var role: WorkspaceRole
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
                      role: Self.role(roles ?? []))
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
