import QuadCore

/// An LMS deployment or tenant.
public struct Platform: Sendable, Equatable, Encodable {
    public var id: PlatformID
    public var name: String
    public var createdAt: Int64
}

/// A course, platform-wide space or student segment.
public struct Workspace: Sendable, Equatable, Encodable {
    public var id: WorkspaceID
    public var platformID: PlatformID
    public var kind: WorkspaceKind
    public var name: String
    public var externalID: String?
    public var createdAt: Int64
    public var createdBy: UserID
    public var memberCount: UInt32
    public var channelCount: UInt32
    /// Last event sequence of the workspace-wide event stream.
    public var eventSequence: UInt64
}

/// A person's membership of a workspace.
public struct Member: Sendable, Equatable, Encodable {
    public var userID: UserID
    public var role: WorkspaceRole
    public var displayName: String
    public var joinedAt: Int64
}

/// A channel: public, private or direct.
public struct Channel: Sendable, Equatable, Encodable {
    public var id: ChannelID
    public var workspaceID: WorkspaceID
    public var name: String
    public var slug: String
    public var visibility: ChannelVisibility
    public var purpose: String
    public var header: String
    public var postingPolicy: PostingPolicy
    public var archived: Bool
    public var createdAt: Int64
    public var createdBy: UserID
    /// Sequence of the newest message; messages are numbered 1, 2, 3, ... without gaps.
    public var lastSequence: ChannelSequence
    /// Sequence of the newest event in this channel's event stream.
    public var eventSequence: UInt64
    public var memberCount: UInt32
    public var pinCount: UInt32
    /// The fixed members of a direct channel, sorted; empty for other channels.
    public var directMembers: [UserID]
}

/// A person's membership of a channel and their read position.
public struct ChannelMember: Sendable, Equatable, Encodable {
    public var userID: UserID
    public var lastRead: ChannelSequence
    public var joinedAt: Int64
}

/// One emoji and who reacted with it.
public struct Reaction: Sendable, Equatable, Encodable {
    public var emoji: String
    public var users: [UserID]
}

/// A message in a channel.
public struct Message: Sendable, Equatable, Encodable {
    public var channelID: ChannelID
    public var sequence: ChannelSequence
    public var authorID: UserID
    public var authorName: String
    /// Empty once deleted (a tombstone keeps the sequence and thread structure).
    public var text: String
    public var createdAt: Int64
    public var editedAt: Int64?
    public var deleted: Bool
    public var deletedBy: UserID?
    public var threadRoot: ChannelSequence?
    public var replyCount: UInt32
    public var lastReplyAt: Int64?
    public var reactions: [Reaction]
    public var pinned: Bool
    public var clientMessageID: String?
    public var mentions: [UserID]

    /// JSON names, spelled out in snake_case (`client_msg_id`, as requests spell it) so that
    /// history pages, the hottest answers, need no key conversion when encoded.
    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id", sequence, authorID = "author_id", authorName = "author_name", text
        case createdAt = "created_at", editedAt = "edited_at", deleted, deletedBy = "deleted_by"
        case threadRoot = "thread_root", replyCount = "reply_count", lastReplyAt = "last_reply_at"
        case reactions, pinned, mentions
        case clientMessageID = "client_msg_id"
    }
}

/// What happened, for real-time subscribers. Stored per stream (a channel, or the
/// workspace) with a gapless event sequence so a client resumes exactly where it left.
public enum EventKind: UInt8, Sendable, CaseIterable {
    case messageCreated = 1, messageEdited = 2, messageDeleted = 3, reactionChanged = 4
    case pinChanged = 5, channelCreated = 6, channelUpdated = 7, channelMemberAdded = 8
    case channelMemberRemoved = 9, memberAdded = 10, memberRemoved = 11, memberRoleChanged = 12

    public var name: String {
        switch self {
        case .messageCreated: "message.created"
        case .messageEdited: "message.edited"
        case .messageDeleted: "message.deleted"
        case .reactionChanged: "reaction.changed"
        case .pinChanged: "pin.changed"
        case .channelCreated: "channel.created"
        case .channelUpdated: "channel.updated"
        case .channelMemberAdded: "channel.member_added"
        case .channelMemberRemoved: "channel.member_removed"
        case .memberAdded: "member.added"
        case .memberRemoved: "member.removed"
        case .memberRoleChanged: "member.role_changed"
        }
    }
}

extension EventKind: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

/// An event as stored and delivered.
public struct Event: Sendable, Equatable, Encodable {
    /// The workspace the event belongs to.
    public var workspaceID: WorkspaceID
    /// The stream: a channel ID, or `EventStream.workspace` for workspace-wide events.
    public var stream: String
    public var eventSequence: UInt64
    public var kind: EventKind
    public var channelID: ChannelID?
    public var messageSequence: ChannelSequence?
    public var userID: UserID?
    public var actorID: UserID
    public var at: Int64
}

/// Names of event streams.
public enum EventStream {
    /// The workspace-wide stream: memberships and public channel changes.
    public static let workspace = "workspace"
    /// Events kept per stream for resuming; an older resume point gets `resync_required`.
    /// 10,000 covers hours of a busy course channel while bounding the table.
    public static let retainedEventsMax: UInt64 = 10_000
}
