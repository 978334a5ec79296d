import QuadCore

/// The caller's standing in one workspace, and every permission rule in one place.
/// docs/permissions.md is this file in a table; each cell has a test in CommunityTests.
public struct WorkspaceAccess: Sendable, Equatable {
    /// A platform administrator (from the sign-in token).
    public var isAdmin: Bool
    /// The caller's membership, if any.
    public var member: Member?

    public init(isAdmin: Bool, member: Member?) {
        self.isAdmin = isAdmin
        self.member = member
    }

    public var role: WorkspaceRole? { member?.role }
    var isStaff: Bool { isAdmin || (role?.isStaff ?? false) }

    /// Members and admins see a workspace; everyone else gets 404.
    public var canSeeWorkspace: Bool { isAdmin || member != nil }
    /// Add, remove and change the role of members: instructors and admins.
    public var canManageMembers: Bool { isAdmin || role == .instructor }
    /// Create public or private channels: staff.
    public var canCreateChannels: Bool { isStaff }
    /// Open direct messages: members only (admins are not in DMs unless they are members).
    public var canOpenDirectChannels: Bool { member != nil }

    /// Whether the caller may know that `channel` exists and read it.
    /// Public: any member or admin. Private: its members and admins. Direct: its members only.
    public func canSee(_ channel: Channel, membership: ChannelMember?) -> Bool {
        switch channel.visibility {
        case .public: canSeeWorkspace
        case .private: membership != nil || isAdmin
        case .direct: membership != nil
        }
    }

    /// Rename, re-slug, edit purpose/header/policy, archive: staff who can see it; never DMs.
    public func canManage(_ channel: Channel, membership: ChannelMember?) -> Bool {
        channel.visibility != .direct && isStaff && canSee(channel, membership: membership)
    }

    /// Join by oneself: public channels, for members.
    public func canJoin(_ channel: Channel) -> Bool {
        channel.visibility == .public && member != nil && !channel.archived
    }

    /// Add others: staff who can see the channel (private channels: invitation by staff members).
    public func canAddMembers(to channel: Channel, membership: ChannelMember?) -> Bool {
        channel.visibility != .direct && isStaff && canSee(channel, membership: membership)
    }

    /// Post a new top-level message: a channel member, in a live channel, and staff when
    /// the policy is `moderators`. Thread replies only need membership.
    public func canPost(in channel: Channel, membership: ChannelMember?, isReply: Bool) -> Bool {
        guard membership != nil, !channel.archived else { return false }
        if channel.postingPolicy == .moderators && !isReply { return isStaff }
        return true
    }

    /// Delete someone else's message: staff (not in DMs, which staff cannot read anyway).
    public func canModerate(_ channel: Channel) -> Bool { channel.visibility != .direct && isStaff }
}
