/// The binary encoding of identity commands, behind `CommandBody.Tag.identity`.
/// Sub-tags follow the same rule as command tags: never renumbered, never reused.
extension IdentityCommand {
    enum Tag: UInt8 {
        case putIssuer = 1, removeIssuer = 2, putServiceKey = 3, revokeServiceKey = 4
        case putWebhookSecret = 5, enrollmentEvent = 6, removeMembers = 7, reconcileRoster = 8
        case putLTIRegistration = 9, putGroupMembers = 10, cohortEvent = 11, consumeLTINonce = 12
    }

    func encode(into writer: inout BinaryWriter) {
        switch self {
        case let .putIssuer(configuration):
            writer.write(Tag.putIssuer.rawValue)
            configuration.encode(into: &writer)
        case let .removeIssuer(platform, issuer):
            writer.write(Tag.removeIssuer.rawValue)
            writer.write(platform)
            writer.write(issuer)
        case let .putServiceKey(platform, key, name, hash):
            writer.write(Tag.putServiceKey.rawValue)
            writer.write(platform)
            writer.write(key)
            writer.write(name)
            writer.writeBytes(hash)
        case let .revokeServiceKey(platform, key):
            writer.write(Tag.revokeServiceKey.rawValue)
            writer.write(platform)
            writer.write(key)
        case let .putWebhookSecret(platform, secret):
            writer.write(Tag.putWebhookSecret.rawValue)
            writer.write(platform)
            writer.writeBytes(secret)
        case let .enrollmentEvent(workspace, member, enrolled, setsRole, time):
            writer.write(Tag.enrollmentEvent.rawValue)
            writer.write(workspace)
            member.encode(into: &writer)
            writer.write(enrolled)
            writer.write(setsRole)
            writer.write(time)
        case let .removeMembers(workspace, users):
            writer.write(Tag.removeMembers.rawValue)
            writer.write(workspace)
            writer.writeCount(users.count)
            for user in users { writer.write(user) }
        case let .reconcileRoster(workspace, members):
            writer.write(Tag.reconcileRoster.rawValue)
            writer.write(workspace)
            writer.writeCount(members.count)
            for member in members { member.encode(into: &writer) }
        case let .putLTIRegistration(registration):
            writer.write(Tag.putLTIRegistration.rawValue)
            registration.encode(into: &writer)
        case let .putGroupMembers(workspace, group, users):
            writer.write(Tag.putGroupMembers.rawValue)
            writer.write(workspace)
            group.encode(into: &writer)
            writer.writeCount(users.count)
            for user in users { writer.write(user) }
        case let .cohortEvent(workspace, user, group, time):
            writer.write(Tag.cohortEvent.rawValue)
            writer.write(workspace)
            writer.write(user)
            group.encode(into: &writer)
            writer.write(time)
        case let .consumeLTINonce(platform, nonce, expires):
            writer.write(Tag.consumeLTINonce.rawValue)
            writer.write(platform)
            writer.write(nonce)
            writer.write(expires)
        }
    }

    init(from reader: inout BinaryReader) throws(DecodingError) {
        let rawTag = try reader.readUInt8()
        guard let tag = Tag(rawValue: rawTag) else { throw DecodingError("unknown identity command tag \(rawTag)") }
        switch tag {
        case .putIssuer:
            self = .putIssuer(try IssuerConfiguration(from: &reader))
        case .removeIssuer:
            self = .removeIssuer(platform: try reader.readIdentifier(), issuer: try reader.readString())
        case .putServiceKey:
            self = .putServiceKey(platform: try reader.readIdentifier(), key: try reader.readIdentifier(),
                                  name: try reader.readString(), secretSHA256: try reader.readBytes())
        case .revokeServiceKey:
            self = .revokeServiceKey(platform: try reader.readIdentifier(), key: try reader.readIdentifier())
        case .putWebhookSecret:
            self = .putWebhookSecret(platform: try reader.readIdentifier(), secret: try reader.readBytes())
        case .enrollmentEvent:
            self = .enrollmentEvent(workspace: try reader.readIdentifier(), member: try MemberSpec(from: &reader),
                                    enrolled: try reader.readBool(), setsRole: try reader.readBool(),
                                    eventTimeMilliseconds: try reader.readInt64())
        case .removeMembers:
            let workspace: WorkspaceID = try reader.readIdentifier()
            var users: [UserID] = []
            for _ in 0..<(try reader.readElementCount()) { users.append(try reader.readIdentifier()) }
            self = .removeMembers(workspace: workspace, users: users)
        case .reconcileRoster:
            let workspace: WorkspaceID = try reader.readIdentifier()
            var members: [MemberSpec] = []
            for _ in 0..<(try reader.readElementCount()) { members.append(try MemberSpec(from: &reader)) }
            self = .reconcileRoster(workspace: workspace, members: members)
        case .putLTIRegistration:
            self = .putLTIRegistration(try LTIRegistration(from: &reader))
        case .putGroupMembers:
            let workspace: WorkspaceID = try reader.readIdentifier()
            let group = try GroupSpec(from: &reader)
            var users: [UserID] = []
            for _ in 0..<(try reader.readElementCount()) { users.append(try reader.readIdentifier()) }
            self = .putGroupMembers(workspace: workspace, group: group, users: users)
        case .cohortEvent:
            self = .cohortEvent(workspace: try reader.readIdentifier(), user: try reader.readIdentifier(),
                                group: try GroupSpec(from: &reader), eventTimeMilliseconds: try reader.readInt64())
        case .consumeLTINonce:
            self = .consumeLTINonce(platform: try reader.readIdentifier(), nonce: try reader.readString(),
                                    expiresAtMilliseconds: try reader.readInt64())
        }
    }
}

extension IssuerConfiguration {
    /// Encodes the configuration (also the layout of its stored row's fields).
    public func encode(into writer: inout BinaryWriter) {
        writer.write(platform)
        writer.write(issuer)
        writer.write(audience)
        writer.write(jwksURL)
        writer.write(staticJWKS)
        writer.write(subjectClaim.rawValue)
    }

    /// Decodes what `encode(into:)` wrote.
    public init(from reader: inout BinaryReader) throws(DecodingError) {
        self.init(platform: try reader.readIdentifier(), issuer: try reader.readString(),
                  audience: try reader.readString(), jwksURL: try reader.readOptionalString(),
                  staticJWKS: try reader.readOptionalString(),
                  subjectClaim: try reader.readEnum(SubjectClaimName.self))
    }
}

extension LTIRegistration {
    /// Encodes the registration (also the layout of its stored row's fields).
    public func encode(into writer: inout BinaryWriter) {
        writer.write(platform)
        writer.write(issuer)
        writer.write(clientID)
        writer.writeCount(deploymentIDs.count)
        for deployment in deploymentIDs { writer.write(deployment) }
        writer.write(authLoginURL)
        writer.write(jwksURL)
    }

    /// Decodes what `encode(into:)` wrote.
    public init(from reader: inout BinaryReader) throws(DecodingError) {
        let platform: PlatformID = try reader.readIdentifier()
        let issuer = try reader.readString()
        let clientID = try reader.readString()
        var deployments: [String] = []
        for _ in 0..<(try reader.readElementCount()) { deployments.append(try reader.readString()) }
        self.init(platform: platform, issuer: issuer, clientID: clientID, deploymentIDs: deployments,
                  authLoginURL: try reader.readString(), jwksURL: try reader.readString())
    }
}

extension MemberSpec {
    func encode(into writer: inout BinaryWriter) {
        writer.write(userID)
        writer.write(role.rawValue)
        writer.write(displayName)
    }

    init(from reader: inout BinaryReader) throws(DecodingError) {
        self.init(userID: try reader.readIdentifier(), role: try reader.readEnum(WorkspaceRole.self),
                  displayName: try reader.readOptionalString())
    }
}

extension GroupSpec {
    /// Encodes the group (also the layout of its fields in stored rows).
    public func encode(into writer: inout BinaryWriter) {
        writer.write(key)
        writer.write(name)
    }

    /// Decodes what `encode(into:)` wrote.
    public init(from reader: inout BinaryReader) throws(DecodingError) {
        self.init(key: try reader.readString(), name: try reader.readString())
    }
}
