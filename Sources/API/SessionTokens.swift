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

/// Session tokens for people signed in by an LTI launch: HS256 with a key made when the node
/// starts. They end with the node process (the learner launches again from the LMS), and a
/// session from one node is not accepted by another; both are fine for launches, which come
/// from the LMS every time.
public struct SessionTokens: Sendable {
    let keys: JWTKeyCollection
    /// Eight hours: a working day in the course, well inside the LMS's own session.
    static let lifetimeSeconds: TimeInterval = 8 * 3600

    public static func make() async -> SessionTokens {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return SessionTokens(keys: keys)
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
