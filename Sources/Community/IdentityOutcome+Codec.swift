import QuadCore

/// The binary encoding of identity outcomes inside `Outcome`'s (for forwarded writes). Tags
/// are never renumbered or reused.
extension IdentityOutcome {
    private enum Tag: UInt8 {
        case issuer = 1, issuerRemoved, serviceKey, serviceKeyRevoked, webhookSecretSet, enrollment
        case membersRemoved, roster, ltiRegistration, group, ltiNonceConsumed
    }

    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .issuer(let configuration):
            writer.write(Tag.issuer.rawValue)
            writer.writeBytes(configuration.encodedRow())
        case .issuerRemoved: writer.write(Tag.issuerRemoved.rawValue)
        case .serviceKey(let record):
            writer.write(Tag.serviceKey.rawValue)
            writer.writeBytes(record.encodedRow())
        case .serviceKeyRevoked: writer.write(Tag.serviceKeyRevoked.rawValue)
        case .webhookSecretSet: writer.write(Tag.webhookSecretSet.rawValue)
        case .enrollment(let applied):
            writer.write(Tag.enrollment.rawValue)
            writer.write(applied)
        case .membersRemoved(let count):
            writer.write(Tag.membersRemoved.rawValue)
            writer.write(UInt64(count))
        case .roster(let diff):
            writer.write(Tag.roster.rawValue)
            writer.write(diff.added)
            writer.write(diff.removed)
            writer.write(diff.roleChanged)
            writer.write(UInt64(diff.unchangedCount))
        case .ltiRegistration(let registration):
            writer.write(Tag.ltiRegistration.rawValue)
            writer.writeBytes(registration.encodedRow())
        case .group(let diff):
            writer.write(Tag.group.rawValue)
            writer.write(diff.channelID)
            writer.write(diff.added)
            writer.write(diff.removed)
            writer.write(diff.skipped)
        case .ltiNonceConsumed: writer.write(Tag.ltiNonceConsumed.rawValue)
        }
    }

    init(from reader: inout BinaryReader) throws(DecodingError) {
        guard let tag = Tag(rawValue: try reader.readUInt8()) else { throw DecodingError("identity outcome tag") }
        let listMax = IdentityLimits.rosterMembersMax
        switch tag {
        case .issuer: self = .issuer(try IssuerConfiguration(row: try reader.readBytes()))
        case .issuerRemoved: self = .issuerRemoved
        case .serviceKey: self = .serviceKey(try ServiceKeyRecord(row: try reader.readBytes()))
        case .serviceKeyRevoked: self = .serviceKeyRevoked
        case .webhookSecretSet: self = .webhookSecretSet
        case .enrollment: self = .enrollment(applied: try reader.readBool())
        case .membersRemoved: self = .membersRemoved(count: Int(clamping: try reader.readUInt64()))
        case .roster:
            self = .roster(RosterDiff(added: try reader.readIdentifiers(maximum: listMax),
                                      removed: try reader.readIdentifiers(maximum: listMax),
                                      roleChanged: try reader.readIdentifiers(maximum: listMax),
                                      unchangedCount: Int(clamping: try reader.readUInt64())))
        case .ltiRegistration: self = .ltiRegistration(try LTIRegistration(row: try reader.readBytes()))
        case .group:
            self = .group(GroupDiff(channelID: try reader.readIdentifier(),
                                    added: try reader.readIdentifiers(maximum: listMax),
                                    removed: try reader.readIdentifiers(maximum: listMax),
                                    skipped: try reader.readIdentifiers(maximum: listMax)))
        case .ltiNonceConsumed: self = .ltiNonceConsumed
        }
    }
}
