import QuadCore

/// A platform's service key as stored: never the secret, only its SHA-256.
public struct ServiceKeyRecord: Sendable, Equatable {
    public var platform: PlatformID
    public var key: ServiceKeyID
    public var name: String
    public var secretSHA256: [UInt8]
    public var createdAt: Int64

    public init(platform: PlatformID, key: ServiceKeyID, name: String, secretSHA256: [UInt8], createdAt: Int64) {
        self.platform = platform
        self.key = key
        self.name = name
        self.secretSHA256 = secretSHA256
        self.createdAt = createdAt
    }
}

/// The last enrollment fact applied for one user in one workspace; older facts are ignored.
struct EnrollmentClock: Equatable {
    var eventTimeMilliseconds: Int64
    var enrolled: Bool
}

/// The last cohort fact applied for one user in one course: the cohort they are in as of then.
struct CohortClock: Equatable {
    var eventTimeMilliseconds: Int64
    var group: GroupSpec
}

/// A platform's webhook secret.
struct WebhookSecretRow: Equatable {
    var secret: [UInt8]
}

/// What a full-roster reconcile changed.
public struct RosterDiff: Sendable, Equatable, Encodable {
    public var added: [UserID]
    public var removed: [UserID]
    public var roleChanged: [UserID]
    public var unchangedCount: Int

    public init(added: [UserID], removed: [UserID], roleChanged: [UserID], unchangedCount: Int) {
        self.added = added
        self.removed = removed
        self.roleChanged = roleChanged
        self.unchangedCount = unchangedCount
    }
}

/// What setting a group's members changed, in the group's channel.
public struct GroupDiff: Sendable, Equatable {
    public var channelID: ChannelID
    public var added: [UserID]
    public var removed: [UserID]
    /// Users named who are not members of the workspace (enroll them first).
    public var skipped: [UserID]

    public init(channelID: ChannelID, added: [UserID], removed: [UserID], skipped: [UserID]) {
        self.channelID = channelID
        self.added = added
        self.removed = removed
        self.skipped = skipped
    }
}

/// The result of an identity command.
public enum IdentityOutcome: Sendable, Equatable {
    case issuer(IssuerConfiguration)
    case issuerRemoved
    case serviceKey(ServiceKeyRecord)
    case serviceKeyRevoked
    case webhookSecretSet
    /// An enrollment fact: `applied` is false when a newer (or the same) fact was already applied.
    case enrollment(applied: Bool)
    case membersRemoved(count: Int)
    case roster(RosterDiff)
    case ltiRegistration(LTIRegistration)
    case group(GroupDiff)
    /// The LTI login's nonce is spent; no other launch can use it.
    case ltiNonceConsumed
}

extension RowKey {
    static func issuer(_ platform: PlatformID, _ issuer: String) -> [UInt8] {
        RowKey(.issuer).adding(platform).adding(issuer).bytes
    }
    static func serviceKey(_ platform: PlatformID, _ key: ServiceKeyID) -> [UInt8] {
        RowKey(.serviceKey).adding(platform).adding(key).bytes
    }
    static func webhookSecret(_ platform: PlatformID) -> [UInt8] { RowKey(.webhookSecret).adding(platform).bytes }
    static func ltiRegistration(_ platform: PlatformID, _ issuer: String, _ clientID: String) -> [UInt8] {
        RowKey(.ltiRegistration).adding(platform).adding(issuer).adding(clientID).bytes
    }
    static func enrollmentClock(_ workspace: WorkspaceID, _ user: UserID) -> [UInt8] {
        RowKey(.enrollmentClock).adding(workspace).adding(user).bytes
    }
    static func cohortClock(_ workspace: WorkspaceID, _ user: UserID) -> [UInt8] {
        RowKey(.cohortClock).adding(workspace).adding(user).bytes
    }
    static func ltiNonce(_ platform: PlatformID, expiresAt: Int64, _ nonce: String) -> [UInt8] {
        RowKey(.ltiNonce).adding(platform).adding(UInt64(clamping: max(expiresAt, 0))).adding(nonce).bytes
    }
}

extension IssuerConfiguration: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) { encode(into: &writer) }
    init(fields reader: inout BinaryReader) throws(DecodingError) { try self.init(from: &reader) }
}

extension LTIRegistration: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) { encode(into: &writer) }
    init(fields reader: inout BinaryReader) throws(DecodingError) { try self.init(from: &reader) }
}

extension ServiceKeyRecord: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(platform)
        writer.write(key)
        writer.write(name)
        writer.writeBytes(secretSHA256)
        writer.write(createdAt)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(platform: try reader.readIdentifier(), key: try reader.readIdentifier(),
                  name: try reader.readString(), secretSHA256: try reader.readBytes(),
                  createdAt: try reader.readInt64())
    }
}

extension EnrollmentClock: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(eventTimeMilliseconds)
        writer.write(enrolled)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(eventTimeMilliseconds: try reader.readInt64(), enrolled: try reader.readBool())
    }
}

extension CohortClock: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(eventTimeMilliseconds)
        group.encode(into: &writer)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(eventTimeMilliseconds: try reader.readInt64(), group: try GroupSpec(from: &reader))
    }
}

extension WebhookSecretRow: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) { writer.writeBytes(secret) }
    init(fields reader: inout BinaryReader) throws(DecodingError) { self.init(secret: try reader.readBytes()) }
}
