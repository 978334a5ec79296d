import Community
import Foundation
import QuadCore

/// `PUT /v1/platforms/{platform}/issuers`.
struct PutIssuerRequest: Decodable {
    var issuer: String
    var audience: String
    var jwksUrl: String?
    /// A JWKS document as a string, instead of `jwks_url`.
    var jwks: String?
    var subjectClaim: String?
}

struct IssuerResponse: Encodable, Sendable {
    var platformId: PlatformID
    var issuer: String
    var audience: String
    var jwksUrl: String?
    var hasStaticJwks: Bool
    var subjectClaim: String

    init(_ configuration: IssuerConfiguration) {
        platformId = configuration.platform
        issuer = configuration.issuer
        audience = configuration.audience
        jwksUrl = configuration.jwksURL
        hasStaticJwks = configuration.staticJWKS != nil
        subjectClaim = configuration.subjectClaim.name
    }
}

struct IssuersResponse: Encodable, Sendable {
    var issuers: [IssuerResponse]
}

struct CreateServiceKeyRequest: Decodable {
    var name: String
}

/// The only time a service key's secret is shown.
struct ServiceKeyCreatedResponse: Encodable, Sendable {
    var keyId: ServiceKeyID
    var name: String
    /// Send as `Authorization: Bearer <token>` on the integration endpoints.
    var token: String
}

struct ServiceKeyResponse: Encodable, Sendable {
    var keyId: ServiceKeyID
    var name: String
    var createdAt: Int64
}

struct ServiceKeysResponse: Encodable, Sendable {
    var serviceKeys: [ServiceKeyResponse]
}

struct WebhookSecretResponse: Encodable, Sendable {
    /// Hex; the LMS signs with the bytes it encodes.
    var secret: String
}

/// One learner or staff member as the LMS names them.
struct EnrollmentInput: Decodable {
    /// The person's subject at the issuer (the claim the issuer is configured to use).
    var subject: String
    var role: WorkspaceRole?
    var name: String?
}

/// `POST .../enrollments` and `PUT .../roster`.
struct EnrollmentRequest: Decodable {
    /// Which of the platform's issuers names these subjects; optional when it has only one.
    var issuer: String?
    /// The course's display name, used when the first enrollment creates its workspace.
    var courseName: String?
    var members: [EnrollmentInput]
}

/// `POST .../unenrollments`.
struct UnenrollmentRequest: Decodable {
    var issuer: String?
    var subjects: [String]
}

struct EnrollmentResponse: Encodable, Sendable {
    var workspaceId: WorkspaceID
    var members: [Member]
}

struct UnenrollmentResponse: Encodable, Sendable {
    var workspaceId: WorkspaceID
    var removedCount: Int
}

struct RosterResponse: Encodable, Sendable {
    var workspaceId: WorkspaceID
    var added: [UserID]
    var removed: [UserID]
    var roleChanged: [UserID]
    var unchangedCount: Int
}

/// `PUT .../courses/{course}/groups/{group}`: the group's members, by subject.
struct GroupRequest: Decodable {
    var issuer: String?
    /// The channel's name when this call creates it (default: the group key).
    var name: String?
    var subjects: [String]
}

struct GroupResponse: Encodable, Sendable {
    var workspaceId: WorkspaceID
    /// The group's private channel.
    var channelId: ChannelID
    var added: [UserID]
    var removed: [UserID]
    /// Subjects who are not enrolled in the course: enroll them, then set the group again.
    var skipped: [UserID]
}

struct WebhookResponse: Encodable, Sendable {
    var eventType: String
    /// `applied`, `stale` (an equal or newer fact was applied before) or `ignored` (a type Quad does not act on).
    var result: String
}

extension Data {
    /// Lower-case hex.
    var hexString: String { Hex.encode(self) }
}
