import QuadCore

/// The tables of the community state machine inside one partition's key space.
///
/// A key is `table u8` followed by its parts; strings end in NUL and numbers are
/// big-endian, so a prefix scan walks one workspace, channel or thread in order.
/// The node prefixes every key with the partition (ARCHITECTURE.md, `data` family).
enum Table: UInt8 {
    /// platform -> PlatformRow
    case platform = 1
    /// workspace -> WorkspaceRow
    case workspace = 2
    /// workspace, user -> MemberRow
    case member = 3
    /// user, workspace -> role byte; the "my workspaces" index
    case userWorkspace = 4
    /// workspace, channel -> ChannelRow
    case channel = 5
    /// workspace, slug -> channel
    case channelSlug = 6
    /// workspace, channel, user -> ChannelMemberRow
    case channelMember = 7
    /// workspace, user, channel -> empty; the "my channels" index
    case userChannel = 8
    /// workspace, channel, sequence -> MessageRow
    case message = 9
    /// workspace, channel, root sequence, reply sequence -> empty
    case thread = 10
    /// workspace, channel, user, client message ID -> sequence (idempotency)
    case clientMessage = 11
    /// workspace, stream, event sequence -> EventRow
    case event = 12
    /// workspace, channel, sequence -> empty
    case pin = 13
    /// workspace, user, channel, sequence -> empty; mentions for unread counts
    case mention = 14
    /// platform, issuer -> IssuerConfiguration (CommunityStateMachine+Identity.swift)
    case issuer = 15
    /// platform, service key -> ServiceKeyRecord
    case serviceKey = 16
    /// platform -> WebhookSecretRow
    case webhookSecret = 17
    /// workspace, user -> EnrollmentClock: the last LMS enrollment fact applied
    case enrollmentClock = 18
    /// platform, issuer, client ID -> LTIRegistration
    case ltiRegistration = 19
    /// workspace, live session -> LiveSession
    case liveSession = 20
    /// workspace -> LiveSessionSettings
    case liveSessionSettings = 21
    /// user -> SHA-256 digest of their calendar feed token (in the user's own partition)
    case calendarFeedToken = 22
    /// platform, provider byte -> sealed credentials (in the platform's partition)
    case meetingProviderCredentials = 23
    /// workspace, user -> CohortClock: the last LMS cohort fact applied
    case cohortClock = 24
    /// platform, expiry (ms, big-endian), nonce -> empty: spent LTI login nonces, oldest first
    case ltiNonce = 25

}

/// Builds keys; every builder validates nothing because identifiers are already valid.
struct RowKey {
    var writer = BinaryWriter(capacity: 64)

    init(_ table: Table) { writer.write(table.rawValue) }

    func adding(_ part: String) -> RowKey {
        var copy = self
        copy.writer.writeKeyString(part)
        return copy
    }

    func adding<ID: StringIdentifier>(_ part: ID) -> RowKey { adding(part.rawValue) }

    func adding(_ sequence: ChannelSequence) -> RowKey {
        var copy = self
        copy.writer.write(sequence.rawValue)
        return copy
    }

    /// A number in big-endian order, so keys sort by it.
    func adding(_ number: UInt64) -> RowKey {
        var copy = self
        copy.writer.write(number)
        return copy
    }

    var bytes: [UInt8] { writer.bytes }

    /// The smallest key greater than every key that starts with `bytes`.
    var prefixEnd: [UInt8] {
        var end = bytes
        while let last = end.last {
            if last == 0xFF {
                end.removeLast()
            } else {
                end[end.count - 1] = last + 1
                return end
            }
        }
        preconditionFailure("prefix of only 0xFF bytes has no end")
    }

    static func platform(_ id: PlatformID) -> [UInt8] { RowKey(.platform).adding(id).bytes }
    static func workspace(_ id: WorkspaceID) -> [UInt8] { RowKey(.workspace).adding(id).bytes }
    static func member(_ workspace: WorkspaceID, _ user: UserID) -> [UInt8] {
        RowKey(.member).adding(workspace).adding(user).bytes
    }
    static func userWorkspace(_ user: UserID, _ workspace: WorkspaceID) -> [UInt8] {
        RowKey(.userWorkspace).adding(user).adding(workspace).bytes
    }
    static func channel(_ workspace: WorkspaceID, _ channel: ChannelID) -> [UInt8] {
        RowKey(.channel).adding(workspace).adding(channel).bytes
    }
    static func channelSlug(_ workspace: WorkspaceID, _ slug: String) -> [UInt8] {
        RowKey(.channelSlug).adding(workspace).adding(slug).bytes
    }
    static func channelMember(_ workspace: WorkspaceID, _ channel: ChannelID, _ user: UserID) -> [UInt8] {
        RowKey(.channelMember).adding(workspace).adding(channel).adding(user).bytes
    }
    static func userChannel(_ workspace: WorkspaceID, _ user: UserID, _ channel: ChannelID) -> [UInt8] {
        RowKey(.userChannel).adding(workspace).adding(user).adding(channel).bytes
    }
    static func message(_ workspace: WorkspaceID, _ channel: ChannelID, _ sequence: ChannelSequence) -> [UInt8] {
        RowKey(.message).adding(workspace).adding(channel).adding(sequence).bytes
    }
    static func thread(_ workspace: WorkspaceID, _ channel: ChannelID, _ root: ChannelSequence,
                       _ reply: ChannelSequence) -> [UInt8] {
        RowKey(.thread).adding(workspace).adding(channel).adding(root).adding(reply).bytes
    }
    static func clientMessage(_ workspace: WorkspaceID, _ channel: ChannelID, _ user: UserID,
                              _ clientMessageID: String) -> [UInt8] {
        RowKey(.clientMessage).adding(workspace).adding(channel).adding(user).adding(clientMessageID).bytes
    }
    static func event(_ workspace: WorkspaceID, _ stream: String, _ sequence: UInt64) -> [UInt8] {
        RowKey(.event).adding(workspace).adding(stream).adding(ChannelSequence(sequence)).bytes
    }
    static func pin(_ workspace: WorkspaceID, _ channel: ChannelID, _ sequence: ChannelSequence) -> [UInt8] {
        RowKey(.pin).adding(workspace).adding(channel).adding(sequence).bytes
    }
    static func mention(_ workspace: WorkspaceID, _ user: UserID, _ channel: ChannelID,
                        _ sequence: ChannelSequence) -> [UInt8] {
        RowKey(.mention).adding(workspace).adding(user).adding(channel).adding(sequence).bytes
    }
}
