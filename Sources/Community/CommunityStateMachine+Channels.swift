import QuadCore

extension CommunityStateMachine {
    func createChannel<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ spec: ChannelSpec,
                             in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        var (workspace, access) = try transaction.access(workspaceID)
        guard access.canCreateChannels else {
            throw .refused(.forbidden("Only instructors, moderators and administrators create channels."))
        }
        guard spec.visibility != .direct else {
            throw .refused(.invalid("invalid_visibility", "Open direct messages with the direct-message call."))
        }
        try check { () throws(CommunityError) in try Validation.channelSpec(spec) }
        guard workspace.channelCount < Limits.channelsPerWorkspaceMax else {
            throw .refused(.init(.limitExceeded, "too_many_channels",
                                 "A workspace has at most \(Limits.channelsPerWorkspaceMax) channels."))
        }
        guard try !transaction.exists(RowKey.channelSlug(workspaceID, spec.slug)) else {
            throw .refused(.conflict("slug_taken", "Another channel in this workspace uses this slug."))
        }
        guard try !transaction.exists(RowKey.channel(workspaceID, channelID)) else {
            throw .refused(.conflict("channel_exists", "A channel with this ID already exists."))
        }
        let channel = insertChannel(channelID, spec: spec, into: &workspace, in: &transaction) { channel, transaction in
            if access.member != nil { enter(&channel, user: transaction.actor.userID, in: &transaction) }
        }
        return .channel(channel)
    }

    /// Stores a new channel, its slug and the workspace's channel count, emitting its creation
    /// (to the workspace's stream too when public); `members` enters its first members. The
    /// caller has checked permissions, the channel limit and that the slug and ID are free.
    func insertChannel<Base>(_ channelID: ChannelID, spec: ChannelSpec, into workspace: inout Workspace,
                             in transaction: inout Transaction<Base>,
                             members: (inout Channel, inout Transaction<Base>) -> Void = { _, _ in }) -> Channel {
        var channel = newChannel(channelID, in: workspace.id, spec: spec, transaction: transaction)
        transaction.emit(.channelCreated, channel: &channel)
        members(&channel, &transaction)
        transaction.store(channel, at: RowKey.channel(workspace.id, channelID))
        transaction.putRaw(RowKey.channelSlug(workspace.id, spec.slug), Array(channelID.rawValue.utf8))
        workspace.channelCount += 1
        if spec.visibility == .public { transaction.emit(.channelCreated, workspace: &workspace, channel: channelID) }
        transaction.store(workspace, at: RowKey.workspace(workspace.id))
        return channel
    }

    func updateChannel<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ patch: ChannelPatch,
                             in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        var (workspace, access) = try transaction.access(workspaceID)
        var (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        guard access.canManage(channel, membership: membership) else {
            throw .refused(.forbidden("Only instructors, moderators and administrators change channels."))
        }
        try check { () throws(CommunityError) in try Validation.channelPatch(patch) }
        if let slug = patch.slug, slug != channel.slug {
            guard try !transaction.exists(RowKey.channelSlug(workspaceID, slug)) else {
                throw .refused(.conflict("slug_taken", "Another channel in this workspace uses this slug."))
            }
            transaction.delete(RowKey.channelSlug(workspaceID, channel.slug))
            transaction.putRaw(RowKey.channelSlug(workspaceID, slug), Array(channelID.rawValue.utf8))
            channel.slug = slug
        }
        if let name = patch.name { channel.name = name }
        if let purpose = patch.purpose { channel.purpose = purpose }
        if let header = patch.header { channel.header = header }
        if let policy = patch.postingPolicy { channel.postingPolicy = policy }
        if let archived = patch.archived { channel.archived = archived }
        transaction.emit(.channelUpdated, channel: &channel)
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        if channel.visibility == .public {
            transaction.emit(.channelUpdated, workspace: &workspace, channel: channelID)
            transaction.store(workspace, at: RowKey.workspace(workspaceID))
        }
        return .channel(channel)
    }

    func joinChannel<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID,
                           in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        if membership != nil { return .channel(channel) }
        guard access.canJoin(channel) else {
            if channel.archived { throw .refused(.conflict("channel_archived", "The channel is archived.")) }
            throw .refused(.forbidden("Only workspace members join channels, and private ones by invitation."))
        }
        enter(&channel, user: transaction.actor.userID, in: &transaction)
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        return .channel(channel)
    }

    func addChannelMembers<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ users: [UserID],
                                 in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        guard access.canAddMembers(to: channel, membership: membership) else {
            throw .refused(.forbidden("Only instructors, moderators and administrators add channel members."))
        }
        guard !users.isEmpty, users.count <= Limits.batchMembersMax else {
            throw .refused(.init(.limitExceeded, "batch_too_large", "Add 1 to \(Limits.batchMembersMax) users per call."))
        }
        var added = 0
        for user in Set(users).sorted() {
            guard try transaction.member(workspaceID, user) != nil else {
                throw .refused(.invalid("not_a_member", "\(user) is not a member of this workspace."))
            }
            if try transaction.channelMember(workspaceID, channelID, user) != nil { continue }
            enter(&channel, user: user, in: &transaction)
            added += 1
        }
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        return .channelMembersAdded(count: added)
    }

    /// Staff remove others; anyone leaves. DM membership is fixed.
    func removeChannelMember<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ user: UserID,
                                   in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        guard channel.visibility != .direct else {
            throw .refused(.invalid("direct_membership_fixed", "Direct messages keep their members."))
        }
        guard user == transaction.actor.userID || access.canAddMembers(to: channel, membership: membership) else {
            throw .refused(.forbidden("Only instructors, moderators and administrators remove channel members."))
        }
        guard try transaction.channelMember(workspaceID, channelID, user) != nil else {
            throw .refused(.memberNotFound)
        }
        leave(&channel, user: user, in: &transaction)
        return .channelMemberRemoved
    }

    /// Opens (or returns) the direct channel among exactly `users`, who must include the caller.
    func openDirectChannel<Base>(_ workspaceID: WorkspaceID, _ users: [UserID],
                                 in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        guard access.canOpenDirectChannels else {
            throw .refused(.forbidden("Only workspace members send direct messages."))
        }
        let people = Array(Set(users)).sorted()
        guard people.contains(transaction.actor.userID), people.count >= 2,
              people.count <= Limits.groupDirectMessageMembersMax
        else {
            throw .refused(.invalid("invalid_direct_members",
                                    "A direct message is among 2 to \(Limits.groupDirectMessageMembersMax) people, you included."))
        }
        let channelID = CommunityStateMachine.directChannelID(workspace: workspaceID, users: people)
        if let existing = try transaction.load(Channel.self, RowKey.channel(workspaceID, channelID)) {
            return .channel(existing)
        }
        for user in people where try transaction.member(workspaceID, user) == nil {
            throw .refused(.invalid("not_a_member", "\(user) is not a member of this workspace."))
        }
        let spec = ChannelSpec(name: "Direct message", slug: channelID.rawValue, visibility: .direct)
        var channel = newChannel(channelID, in: workspaceID, spec: spec, transaction: transaction)
        channel.directMembers = people
        transaction.emit(.channelCreated, channel: &channel)
        for user in people { enter(&channel, user: user, in: &transaction) }
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        return .channel(channel)
    }

    /// The one channel ID for a set of people: asking again returns the same channel.
    public static func directChannelID(workspace: WorkspaceID, users: [UserID]) -> ChannelID {
        var bytes = Array(workspace.rawValue.utf8)
        for user in users.sorted() {
            bytes.append(0)
            bytes.append(contentsOf: user.rawValue.utf8)
        }
        let high = StableHash.hash64(bytes)
        bytes.append(1)
        let low = StableHash.hash64(bytes)
        return ChannelID(uncheckedRawValue: "dm_" + IdentifierRules.base32(high: high, low: low))
    }
}
