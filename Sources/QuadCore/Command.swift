/// Who issued a command, as established by authentication on the node that accepted it.
public struct Actor: Sendable, Equatable {
    public var userID: UserID
    /// The name the sign-in provider gave; stored with the user's memberships and messages.
    public var displayName: String
    /// A platform administrator (the LMS's service account or an operator): may create
    /// platforms and workspaces and manage any workspace, but never reads others' DMs.
    public var isAdmin: Bool

    public init(userID: UserID, displayName: String, isAdmin: Bool) {
        self.userID = userID
        self.displayName = displayName
        self.isAdmin = isAdmin
    }
}

/// What kind of community a workspace is.
public enum WorkspaceKind: UInt8, Sendable, CaseIterable, Codable {
    case course = 1, platform = 2, segment = 3

    public var name: String {
        switch self {
        case .course: "course"
        case .platform: "platform"
        case .segment: "segment"
        }
    }

}

/// A role inside one workspace, ordered by privilege.
public enum WorkspaceRole: UInt8, Sendable, CaseIterable, Comparable, Codable {
    case learner = 1, moderator = 2, instructor = 3

    public var name: String {
        switch self {
        case .learner: "learner"
        case .moderator: "moderator"
        case .instructor: "instructor"
        }
    }


    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Instructors and moderators run a workspace's channels and moderate its messages.
    public var isStaff: Bool { self >= .moderator }
}

/// Channels created with a workspace from its templates.
public enum ChannelTemplate: UInt8, Sendable, CaseIterable, Codable {
    case announcements = 1, chatter = 2, questionsAndAnswers = 3, techIssueReports = 4

    public var name: String {
        switch self {
        case .announcements: "announcements"
        case .chatter: "chatter"
        case .questionsAndAnswers: "q-a"
        case .techIssueReports: "tech-issue-reports"
        }
    }

}

/// Who can see and join a channel.
public enum ChannelVisibility: UInt8, Sendable, CaseIterable, Codable {
    /// Any workspace member may read and join.
    case `public` = 1
    /// Invitation only; invisible (404) to everyone else.
    case `private` = 2
    /// A direct message among a fixed set of 2 to 8 people.
    case direct = 3

    public var name: String {
        switch self {
        case .public: "public"
        case .private: "private"
        case .direct: "direct"
        }
    }
}

/// Who may start new threads in a channel (replies are open to every member).
public enum PostingPolicy: UInt8, Sendable, CaseIterable, Codable {
    case everyone = 1, moderators = 2

    public var name: String {
        switch self {
        case .everyone: "everyone"
        case .moderators: "moderators"
        }
    }

}

/// The fields of a new channel.
public struct ChannelSpec: Sendable, Equatable {
    public var name: String
    public var slug: String
    public var visibility: ChannelVisibility
    public var purpose: String
    public var header: String
    public var postingPolicy: PostingPolicy

    public init(name: String, slug: String, visibility: ChannelVisibility, purpose: String = "",
                header: String = "", postingPolicy: PostingPolicy = .everyone) {
        self.name = name
        self.slug = slug
        self.visibility = visibility
        self.purpose = purpose
        self.header = header
        self.postingPolicy = postingPolicy
    }
}

/// A partial update of a channel; nil fields stay as they are.
public struct ChannelPatch: Sendable, Equatable {
    public var name: String?
    public var slug: String?
    public var purpose: String?
    public var header: String?
    public var postingPolicy: PostingPolicy?
    public var archived: Bool?

    public init(name: String? = nil, slug: String? = nil, purpose: String? = nil, header: String? = nil,
                postingPolicy: PostingPolicy? = nil, archived: Bool? = nil) {
        self.name = name
        self.slug = slug
        self.purpose = purpose
        self.header = header
        self.postingPolicy = postingPolicy
        self.archived = archived
    }

    public var isEmpty: Bool {
        name == nil && slug == nil && purpose == nil && header == nil && postingPolicy == nil && archived == nil
    }
}

/// One member to add (or whose role to set) in a batch.
public struct MemberSpec: Sendable, Equatable {
    public var userID: UserID
    public var role: WorkspaceRole
    /// The name to show until the person signs in and brings their own.
    public var displayName: String?

    public init(userID: UserID, role: WorkspaceRole, displayName: String? = nil) {
        self.userID = userID
        self.role = role
        self.displayName = displayName
    }
}

/// Everything a write can ask of the community state machine. Each case is applied by
/// the partition that holds its workspace (or platform), after it is durable in the log.
public enum CommandBody: Sendable, Equatable {
    case createPlatform(platform: PlatformID, name: String)
    case createWorkspace(workspace: WorkspaceID, platform: PlatformID, kind: WorkspaceKind, name: String,
                         externalID: String?, templates: [ChannelTemplate], templateChannelIDs: [ChannelID])
    case putMembers(workspace: WorkspaceID, members: [MemberSpec])
    case removeMember(workspace: WorkspaceID, user: UserID)
    case createChannel(workspace: WorkspaceID, channel: ChannelID, spec: ChannelSpec)
    case updateChannel(workspace: WorkspaceID, channel: ChannelID, patch: ChannelPatch)
    case joinChannel(workspace: WorkspaceID, channel: ChannelID)
    case addChannelMembers(workspace: WorkspaceID, channel: ChannelID, users: [UserID])
    case removeChannelMember(workspace: WorkspaceID, channel: ChannelID, user: UserID)
    case openDirectChannel(workspace: WorkspaceID, users: [UserID])
    case postMessage(workspace: WorkspaceID, channel: ChannelID, text: String, threadRoot: ChannelSequence?,
                     clientMessageID: String?)
    case editMessage(workspace: WorkspaceID, channel: ChannelID, sequence: ChannelSequence, text: String)
    case deleteMessage(workspace: WorkspaceID, channel: ChannelID, sequence: ChannelSequence)
    case setReaction(workspace: WorkspaceID, channel: ChannelID, sequence: ChannelSequence, emoji: String,
                     present: Bool)
    case setPinned(workspace: WorkspaceID, channel: ChannelID, sequence: ChannelSequence, pinned: Bool)
    case markRead(workspace: WorkspaceID, channel: ChannelID, sequence: ChannelSequence)
    /// Sign-in and LMS integration (Command+Identity.swift).
    case identity(IdentityCommand)
    /// Schedules a live session (Command+LiveSessions.swift).
    case createLiveSession(workspace: WorkspaceID, session: LiveSessionID, spec: LiveSessionSpec)
    /// Replaces a live session's fields; the calendar SEQUENCE goes up by one.
    case updateLiveSession(workspace: WorkspaceID, session: LiveSessionID, spec: LiveSessionSpec)
    case deleteLiveSession(workspace: WorkspaceID, session: LiveSessionID)
    /// Cancels (or restores) the occurrence of a series that starts at `occurrenceMilliseconds`.
    case setLiveSessionOccurrenceCancelled(workspace: WorkspaceID, session: LiveSessionID,
                                           occurrenceMilliseconds: Int64, cancelled: Bool)
    /// Sets how many minutes before an occurrence's start its join details are shown.
    case setLiveSessionJoinWindow(workspace: WorkspaceID, minutes: UInt16)
    /// Sets (or, with nil, revokes) the SHA-256 digest of a user's calendar feed token. The token
    /// itself never enters the log. Applied by the user's own partition.
    case setCalendarFeedToken(user: UserID, tokenDigest: [UInt8]?)
    /// Sets (or, with nil, removes) a platform's credentials for a meeting provider, sealed by the
    /// API (AES-GCM with the node's key) so neither the log nor the rows hold them in the clear.
    case setMeetingProviderCredentials(platform: PlatformID, provider: MeetingProvider, sealed: [UInt8]?)
    /// Posts the "join now" reminder of one occurrence into the session's channel once its join
    /// window is open (proposed by the node's reminder service as an administrator; idempotent).
    case remindLiveSession(workspace: WorkspaceID, session: LiveSessionID, occurrenceMilliseconds: Int64)


    /// The key whose partition applies this command.
    public var placementKey: String {
        switch self {
        case .createPlatform(let platform, _): platform.rawValue
        case .setCalendarFeedToken(let user, _): user.rawValue
        case .setMeetingProviderCredentials(let platform, _, _): platform.rawValue
        case .createWorkspace(let workspace, _, _, _, _, _, _),
             .putMembers(let workspace, _), .removeMember(let workspace, _),
             .createChannel(let workspace, _, _), .updateChannel(let workspace, _, _),
             .joinChannel(let workspace, _), .addChannelMembers(let workspace, _, _),
             .removeChannelMember(let workspace, _, _), .openDirectChannel(let workspace, _),
             .postMessage(let workspace, _, _, _, _), .editMessage(let workspace, _, _, _),
             .deleteMessage(let workspace, _, _), .setReaction(let workspace, _, _, _, _),
             .setPinned(let workspace, _, _, _), .markRead(let workspace, _, _),
             .createLiveSession(let workspace, _, _), .updateLiveSession(let workspace, _, _),
             .deleteLiveSession(let workspace, _), .setLiveSessionOccurrenceCancelled(let workspace, _, _, _),
             .setLiveSessionJoinWindow(let workspace, _), .remindLiveSession(let workspace, _, _):
            workspace.rawValue
        case .identity(let command): command.placementKey
        }
    }
}

/// A write as it travels through the log: who, when, and what.
public struct Command: Sendable, Equatable {
    public var actor: Actor
    /// Milliseconds since 1970, stamped once by the node that accepted the request so that
    /// every replica applies the same time.
    public var timestampMilliseconds: Int64
    public var body: CommandBody

    public init(actor: Actor, timestampMilliseconds: Int64, body: CommandBody) {
        self.actor = actor
        self.timestampMilliseconds = timestampMilliseconds
        self.body = body
    }
}
