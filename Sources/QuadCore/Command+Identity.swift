/// The identity vocabulary: how a platform's learners sign in (issuers), how its LMS calls
/// Quad server to server (service keys, the webhook secret), and enrollment changes that
/// must be idempotent and order-independent.
///
/// Every identity command travels inside one `CommandBody.identity` case, so that the
/// integration work adds one tag to the command codec rather than one per operation.
public enum IdentityCommand: Sendable, Equatable {
    /// Adds or replaces how tokens from `issuer` are verified on its platform.
    case putIssuer(IssuerConfiguration)
    /// Stops accepting tokens from `issuer` on `platform`.
    case removeIssuer(platform: PlatformID, issuer: String)
    /// Registers a service key; only the SHA-256 of its secret is ever stored.
    case putServiceKey(platform: PlatformID, key: ServiceKeyID, name: String, secretSHA256: [UInt8])
    /// Revokes a service key at once.
    case revokeServiceKey(platform: PlatformID, key: ServiceKeyID)
    /// Sets the secret that signs the platform's webhook deliveries (HMAC-SHA256 needs the
    /// secret itself, so this one is stored as given).
    case putWebhookSecret(platform: PlatformID, secret: [UInt8])
    /// An enrollment fact from the LMS as of `eventTimeMilliseconds`: enrolled (with the member's
    /// role when `setsRole`, else keeping a current member's role), or not enrolled. Facts older
    /// than (or as old as) the last one applied for the same user and workspace change nothing,
    /// so redelivery and out-of-order delivery converge.
    case enrollmentEvent(workspace: WorkspaceID, member: MemberSpec, enrolled: Bool, setsRole: Bool,
                         eventTimeMilliseconds: Int64)
    /// Removes every listed user who is a member; users who are not are skipped (idempotent).
    case removeMembers(workspace: WorkspaceID, users: [UserID])
    /// Makes the workspace's members exactly `members` (roles included) and reports the diff.
    case reconcileRoster(workspace: WorkspaceID, members: [MemberSpec])
    /// Adds or replaces an LTI 1.3 platform registration (an LMS that launches Quad as a tool).
    case putLTIRegistration(LTIRegistration)
    /// Makes the group's private channel hold exactly `users` (creating the channel on first
    /// use) and reports the diff; users who are not members of the workspace are skipped.
    case putGroupMembers(workspace: WorkspaceID, group: GroupSpec, users: [UserID])
    /// A cohort fact from the LMS as of `eventTimeMilliseconds`: `user` is in this cohort of the
    /// course and in no other (Open edX puts a learner in one cohort per course). Ordered per
    /// user and workspace like enrollment facts; a learner not enrolled yet joins the cohort's
    /// channel when their enrollment arrives.
    case cohortEvent(workspace: WorkspaceID, user: UserID, group: GroupSpec, eventTimeMilliseconds: Int64)
    /// Spends the nonce of an LTI login, once in the whole cluster: a second launch with the
    /// same login is refused whichever node it reaches. Kept until `expiresAtMilliseconds`.
    case consumeLTINonce(platform: PlatformID, nonce: String, expiresAtMilliseconds: Int64)

    /// The key whose partition applies this command: the platform for its settings, the
    /// workspace for membership.
    public var placementKey: String {
        switch self {
        case .putIssuer(let configuration): configuration.platform.rawValue
        case .putLTIRegistration(let registration): registration.platform.rawValue
        case .consumeLTINonce(let platform, _, _): platform.rawValue
        case .removeIssuer(let platform, _), .putServiceKey(let platform, _, _, _),
             .revokeServiceKey(let platform, _), .putWebhookSecret(let platform, _):
            platform.rawValue
        case .enrollmentEvent(let workspace, _, _, _, _), .removeMembers(let workspace, _),
             .reconcileRoster(let workspace, _), .putGroupMembers(let workspace, _, _),
             .cohortEvent(let workspace, _, _, _):
            workspace.rawValue
        }
    }
}

/// Which claim of a verified token names the person inside their issuer.
public enum SubjectClaimName: UInt8, Sendable, CaseIterable, Codable {
    /// `sub`, the OIDC default.
    case sub = 1
    /// `preferred_username`: Open edX's username, which its webhook events carry too, so
    /// that a learner signed in by JWT and enrolled by webhook is one Quad user.
    case preferredUsername = 2

    /// The claim's name in a token.
    public var name: String {
        switch self {
        case .sub: "sub"
        case .preferredUsername: "preferred_username"
        }
    }

    public init?(name: String) {
        guard let claim = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = claim
    }
}

/// How a platform's tokens from one issuer are verified.
public struct IssuerConfiguration: Sendable, Equatable {
    public var platform: PlatformID
    /// The exact `iss` value, e.g. `https://lms.example.edu/oauth2`.
    public var issuer: String
    /// The `aud` value the token must carry (the client ID Quad was registered with).
    public var audience: String
    /// Where the issuer publishes its keys; fetched, cached and refreshed on an unknown `kid`.
    public var jwksURL: String?
    /// Keys given inline instead of a URL (a JWKS document), for issuers without one.
    public var staticJWKS: String?
    public var subjectClaim: SubjectClaimName

    public init(platform: PlatformID, issuer: String, audience: String, jwksURL: String?, staticJWKS: String?,
                subjectClaim: SubjectClaimName = .sub) {
        self.platform = platform
        self.issuer = issuer
        self.audience = audience
        self.jwksURL = jwksURL
        self.staticJWKS = staticJWKS
        self.subjectClaim = subjectClaim
    }
}

/// An LMS registered to launch Quad with LTI 1.3: where its users log in, where its keys are,
/// and which client ID and deployments it gave Quad.
public struct LTIRegistration: Sendable, Equatable {
    public var platform: PlatformID
    /// The LMS's `iss`.
    public var issuer: String
    /// The client ID the LMS assigned to Quad; id_tokens carry it as `aud`.
    public var clientID: String
    /// Deployments of Quad in the LMS that may launch it.
    public var deploymentIDs: [String]
    /// The LMS's OIDC authorization endpoint that login initiation redirects to.
    public var authLoginURL: String
    /// The LMS's key set.
    public var jwksURL: String

    public init(platform: PlatformID, issuer: String, clientID: String, deploymentIDs: [String],
                authLoginURL: String, jwksURL: String) {
        self.platform = platform
        self.issuer = issuer
        self.clientID = clientID
        self.deploymentIDs = deploymentIDs
        self.authLoginURL = authLoginURL
        self.jwksURL = jwksURL
    }

    /// How the launch's id_token is verified: the registration as an issuer whose audience is the client ID.
    public var issuerConfiguration: IssuerConfiguration {
        IssuerConfiguration(platform: platform, issuer: issuer, audience: clientID, jwksURL: jwksURL, staticJWKS: nil)
    }
}

/// A group of a course's people as the LMS names it (an Open edX cohort, a section, a team):
/// its members share one private channel in the course's workspace.
public struct GroupSpec: Sendable, Equatable {
    /// The LMS's key for the group, unique in the course (`cohort:Section A`, a section ID);
    /// the channel's ID is derived from it, so every node finds the same channel.
    public var key: String
    /// The channel's display name when the group's first members create it.
    public var name: String

    public init(key: String, name: String) {
        self.key = key
        self.name = name
    }
}

extension ChannelID {
    /// The private channel of the LMS group `key` in `workspace`: `ch_g` and a 128-bit stable
    /// hash of both.
    public static func derived(workspace: WorkspaceID, groupKey: String) -> ChannelID {
        ChannelID(uncheckedRawValue: "ch_g" + IdentifierRules.stableDigest(workspace.rawValue, groupKey))
    }
}

/// A service credential of one platform (its LMS's server).
public struct ServiceKeyID: StringIdentifier {
    public let rawValue: String
    public init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }
    public static let generatedPrefix = "sk_"
}

extension UserID {
    /// The Quad user that `subject` of `issuer` is: `us_i` and a 128-bit stable hash of both,
    /// so the same person maps to the same user on every node and after every restart, and
    /// two issuers can never claim each other's users.
    public static func derived(issuer: String, subject: String) -> UserID {
        UserID(uncheckedRawValue: "us_i" + IdentifierRules.stableDigest(issuer, subject))
    }
}

/// Bounds of the identity vocabulary.
public enum IdentityLimits {
    /// `iss` and `aud` values: URLs and client IDs are far shorter; the bound keeps keys small.
    public static let issuerBytesMax = 255
    /// JWKS URLs: a generous URL length that no real endpoint approaches.
    public static let jwksURLBytesMax = 2048
    /// An inline JWKS: a handful of RSA keys is about 2 KiB each.
    public static let staticJWKSBytesMax = 16 * 1024
    /// Issuers per platform: production, staging and an LTI platform or two.
    public static let issuersPerPlatformMax = 16
    /// Service keys per platform: one per LMS server plus rotation overlap.
    public static let serviceKeysPerPlatformMax = 16
    /// Webhook secrets: 16 to 128 bytes (128 to 1,024 bits of key for HMAC-SHA256).
    public static let webhookSecretBytesMin = 16
    public static let webhookSecretBytesMax = 128
    /// A full roster in one reconcile call: 5,000 entries of about 100 bytes fit the 1 MiB
    /// request body, and the workspace's current members are read in one bounded scan.
    /// Larger courses use the enroll and unenroll batches.
    public static let rosterMembersMax = 5000
    /// Deployment IDs per LTI registration: one per course or site where the tool is installed
    /// at site level is one; a few dozen covers per-course installs of a department.
    public static let ltiDeploymentsMax = 64
    /// An LMS group's key: the same bound as any external ID.
    public static let groupKeyBytesMax = Limits.externalIDBytesMax
    /// An LTI nonce: Quad issues 26 characters; the bound only keeps keys small.
    public static let ltiNonceBytesMax = 64
    /// Expired LTI nonces deleted by each launch: more than one, so that the table shrinks
    /// whenever launches come, and few, so that no launch pays for a backlog.
    public static let ltiNoncesPrunedPerLaunch = 16
}
