import Crypto
import Foundation
import JWTKit
import QuadCore

/// The claims of a Quad session token, issued after an LTI launch.
struct SessionClaims: JWTPayload {
    var sub: SubjectClaim
    var name: String
    var exp: ExpirationClaim
    var iss: IssuerClaim

    static let issuer = "quad-session"

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "not a session token")
        }
    }
}

/// Session tokens for people signed in by an LTI launch: HS256 with a key derived from the
/// cluster's `session.key`, so a session issued by one node is accepted by every node, and
/// survives restarts until it expires.
public struct SessionTokens: Sendable {
    let keys: JWTKeyCollection
    /// Eight hours: a working day in the course, well inside the LMS's own session.
    static let lifetimeSeconds: TimeInterval = 8 * 3600

    init(key: SymmetricKey) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: key), digestAlgorithm: .sha256)
        self.keys = keys
    }

    func issue(for actor: Actor, now: Date = Date()) async throws -> String {
        try await keys.sign(SessionClaims(sub: SubjectClaim(value: actor.userID.rawValue), name: actor.displayName,
                                          exp: ExpirationClaim(value: now.addingTimeInterval(Self.lifetimeSeconds)),
                                          iss: IssuerClaim(value: SessionClaims.issuer)))
    }

    func actor(forToken token: String) async throws -> Actor {
        let claims: SessionClaims
        do {
            claims = try await keys.verify(token, as: SessionClaims.self)
        } catch {
            throw APIError.unauthenticated(reason: "session_invalid", "The session has expired; launch Quad from your course again.")
        }
        guard let user = UserID(rawValue: claims.sub.value) else {
            throw APIError.unauthenticated(reason: "session_invalid", "The session names no valid user.")
        }
        return Actor(userID: user, displayName: claims.name, isAdmin: false)
    }
}

/// Everything signed with keys derived from `session.key` (HKDF-SHA256, one label each, so no
/// token of one kind verifies as another): session tokens, LTI login states and the LTI tool's
/// ES256 key that platforms register.
public struct SessionKeys: Sendable {
    public let tokens: SessionTokens
    let loginStates: LTILoginStates
    let toolKey: ES256PrivateKey

    /// Derives every key from the 32 bytes of `session.key`.
    public static func derive(from secret: [UInt8]) async throws -> SessionKeys {
        precondition(secret.count == NodeKeyFile.keyBytes, "session keys are derived from 32 bytes")
        func derived(_ label: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Array(label.utf8),
                                   outputByteCount: 32)
        }
        let toolBytes = derived("quad lti tool key v1").withUnsafeBytes { Array($0) }
        // A P-256 scalar from 32 uniform bytes is out of range with probability about 2^-32.
        let toolKey = try ES256PrivateKey(backing: P256.Signing.PrivateKey(rawRepresentation: toolBytes))
        return SessionKeys(tokens: await SessionTokens(key: derived("quad session token v1")),
                           loginStates: await LTILoginStates(key: derived("quad lti login state v1")),
                           toolKey: toolKey)
    }
}
