import JWTKit
import Foundation
import QuadCore

/// Why a bearer token was refused: a stable code and one sentence, always answered with 401.
struct TokenRejection: Error, Equatable, Sendable {
    let code: String
    let message: String

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    var apiError: APIError { .unauthenticated(reason: code, message) }

    static let malformed = TokenRejection("token_malformed", "The token is not a compact JWS with JSON header and payload.")
    static let unknownIssuer = TokenRejection("token_issuer_unknown", "No platform trusts the token's issuer.")
    static let badSignature = TokenRejection("token_signature_invalid", "The token's signature does not verify.")
    static let unknownKey = TokenRejection("token_key_unknown",
                                           "The token's kid is not in the issuer's key set, even after a refresh.")
    static let wrongAudience = TokenRejection("token_audience_mismatch", "The token is not meant for this service.")
    static let expired = TokenRejection("token_expired", "The token has expired.")
    static let notYetValid = TokenRejection("token_not_yet_valid", "The token is not valid yet (nbf).")
    static let noSubject = TokenRejection("token_subject_missing", "The token names no subject for this issuer.")
    static let keysUnavailable = TokenRejection("token_keys_unavailable", "The issuer's key set could not be fetched.")
}

/// What can be learnt from a token before its signature is checked, and the checks that need
/// no key: only RS256, ES256 and EdDSA; a `kid`; no header that points at other keys; a JWT
/// type. A pure value: the same token always gives the same answer.
struct TokenInspection: Equatable, Sendable {
    /// Asymmetric algorithms only: `none` and HMAC (where a public key could be abused as the
    /// secret) never reach a key.
    static let allowedAlgorithms: Set<String> = ["RS256", "ES256", "EdDSA"]
    /// Headers that ask the verifier to fetch or trust keys named by the token itself.
    static let forbiddenHeaders = ["jku", "jwk", "x5u", "x5c"]
    /// `typ` values of a JWT access or ID token (compared without case); absent is fine too.
    static let allowedTypes: Set<String> = ["jwt", "at+jwt", "application/jwt", "application/at+jwt"]
    /// 8 KiB: an ID token with a few dozen claims is 1 to 2 KiB; more is not a sign-in token.
    static let tokenBytesMax = 8 * 1024

    let algorithm: String
    let keyID: String
    let issuer: String

    init(token: String) throws(TokenRejection) {
        guard token.utf8.count <= Self.tokenBytesMax else {
            throw TokenRejection("token_too_large", "The token is larger than \(Self.tokenBytesMax) bytes.")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.jsonObject(parts[0]), let payload = Self.jsonObject(parts[1]) else {
            throw .malformed
        }
        guard let algorithm = header["alg"] as? String, Self.allowedAlgorithms.contains(algorithm) else {
            let named = (header["alg"] as? String).map { "'\($0)'" } ?? "no algorithm"
            throw TokenRejection("token_algorithm_not_allowed",
                                 "The token uses \(named); only RS256, ES256 and EdDSA are accepted.")
        }
        guard !parts[2].isEmpty else { throw .malformed }
        if let header = Self.forbiddenHeaders.first(where: { header[$0] != nil }) {
            throw TokenRejection("token_header_not_allowed",
                                 "The token carries a '\(header)' header; keys come only from the issuer's JWKS.")
        }
        if let type = header["typ"] {
            guard let type = type as? String, Self.allowedTypes.contains(type.lowercased()) else {
                throw TokenRejection("token_type_not_allowed", "The token's typ is not a JWT type.")
            }
        }
        guard let keyID = header["kid"] as? String, !keyID.isEmpty else {
            throw TokenRejection("token_key_id_missing", "The token names no key (kid).")
        }
        guard let issuer = payload["iss"] as? String, !issuer.isEmpty else {
            throw TokenRejection("token_issuer_missing", "The token names no issuer (iss).")
        }
        self.algorithm = algorithm
        self.keyID = keyID
        self.issuer = issuer
    }

    /// Whether `jwk` may verify a token signed with `algorithm`: the key type and curve must be
    /// the algorithm's, and a key that names its algorithm must name this one.
    static func key(_ jwk: JWK, fits algorithm: String) -> Bool {
        if let named = jwk.algorithm, named.rawValue != algorithm { return false }
        switch algorithm {
        case "RS256": return jwk.keyType == .rsa
        case "ES256": return jwk.keyType == .ecdsa && jwk.curve == .ecdsa(.p256)
        case "EdDSA": return jwk.keyType == .octetKeyPair && jwk.curve == .eddsa(.ed25519)
        default: return false
        }
    }

    /// The payload of a token as JSON, unverified: only for choosing how to verify it.
    static func unverifiedClaims(_ token: String) -> [String: Any]? {
        guard token.utf8.count <= tokenBytesMax else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return jsonObject(parts[1])
    }

    private static func jsonObject(_ part: Substring) -> [String: Any]? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

/// The claims Quad reads from a sign-in token.
struct SignInClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim?
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var name: String?
    var email: String?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, nbf, name, email
        case preferredUsername = "preferred_username"
    }

    /// Time and audience are checked by `check(against:now:)`, where time is a parameter.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// How far clocks may disagree: a minute is what OIDC libraries allow by default, and short
    /// against token lifetimes of 5 to 60 minutes.
    static let clockSkewSecondsMax: TimeInterval = 60

    /// Checks audience and validity time against `configuration` at `now`, then names the user.
    func check(against configuration: IssuerConfiguration, now: Date) throws(TokenRejection) -> Actor {
        guard iss.value == configuration.issuer else { throw .unknownIssuer }
        guard aud.value.contains(configuration.audience) else { throw .wrongAudience }
        guard exp.value.timeIntervalSince(now) > -Self.clockSkewSecondsMax else { throw .expired }
        if let nbf, nbf.value.timeIntervalSince(now) > Self.clockSkewSecondsMax { throw .notYetValid }
        let subject: String? = switch configuration.subjectClaim {
        case .sub: sub?.value
        case .preferredUsername: preferredUsername
        }
        guard let subject, !subject.isEmpty, subject.utf8.count <= IdentityLimits.issuerBytesMax else {
            throw .noSubject
        }
        let shown = [name, preferredUsername, email, subject].compactMap { $0 }.first { !$0.isEmpty } ?? subject
        return Actor(userID: UserID.derived(issuer: configuration.issuer, subject: subject),
                     displayName: String(shown.prefix(Limits.nameCharactersMax)), isAdmin: false)
    }
}
