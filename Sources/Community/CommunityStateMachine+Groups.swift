import QuadCore

/// LMS groups (Open edX cohorts, sections, teams) as private channels of the course's workspace.
/// A group's channel ID is derived from its key, so the first fact about a group creates the
/// channel and every later one finds it, on any node, with no lookup table.
extension CommunityStateMachine {
    /// Makes the group's channel hold exactly `users`; workspace non-members are skipped.
    func putGroupMembers<Base>(_ workspaceID: WorkspaceID, _ group: GroupSpec, _ users: [UserID],
                               in transaction: inout Transaction<Base>) throws(ApplyFailure) -> GroupDiff {
        let (_, access) = try transaction.access(workspaceID)
        guard access.canManageMembers else {
            throw .refused(.forbidden("Only instructors and administrators set a group's members."))
        }
        try check { () throws(CommunityError) in try Validation.group(group) }
        let limit = IdentityLimits.rosterMembersMax
        guard users.count <= limit else {
            throw .refused(.init(.limitExceeded, "group_too_large", "A group holds at most \(limit) members."))
        }
        var channel = try groupChannel(workspaceID, group, in: &transaction)
        let rows = try transaction.scan(prefix: RowKey(.channelMember).adding(workspaceID).adding(channel.id),
                                        limit: limit + 1)
        guard rows.count <= limit else {
            throw .refused(.init(.limitExceeded, "group_too_large",
                                 "The group's channel has more than \(limit) members."))
        }
        var current = Set<UserID>()
        for pair in rows {
            guard let member = try? ChannelMember(row: pair.value) else {
                throw .storage(RowReadFailure("corrupt ChannelMember row"))
            }
            current.insert(member.userID)
        }
        let desired = Set(users)
        var diff = GroupDiff(channelID: channel.id, added: [], removed: [], skipped: [])
        for user in current.subtracting(desired).sorted() {
            leave(&channel, user: user, in: &transaction)
            diff.removed.append(user)
        }
        for user in desired.subtracting(current).sorted() {
            guard try transaction.member(workspaceID, user) != nil else {
                diff.skipped.append(user)
                continue
            }
            enter(&channel, user: user, in: &transaction)
            diff.added.append(user)
        }
        transaction.store(channel, at: RowKey.channel(workspaceID, channel.id))
        return diff
    }

    /// Moves `user` into the cohort `group` (out of the cohort they were in) unless a fact at
    /// least as new was applied before.
    func cohortEvent<Base>(_ workspaceID: WorkspaceID, _ user: UserID, _ group: GroupSpec, at time: Int64,
                           in transaction: inout Transaction<Base>) throws(ApplyFailure) -> IdentityOutcome {
        guard transaction.actor.isAdmin else {
            throw .refused(.forbidden("Only the platform's service applies cohort events."))
        }
        _ = try transaction.workspace(workspaceID)
        try check { () throws(CommunityError) in try Validation.group(group) }
        let clockKey = RowKey.cohortClock(workspaceID, user)
        let previous = try transaction.load(CohortClock.self, clockKey)
        if let previous, previous.eventTimeMilliseconds >= time { return .enrollment(applied: false) }
        if let previous, previous.group.key != group.key {
            let oldID = ChannelID.derived(workspace: workspaceID, groupKey: previous.group.key)
            if var old = try transaction.load(Channel.self, RowKey.channel(workspaceID, oldID)),
               try transaction.channelMember(workspaceID, oldID, user) != nil {
                leave(&old, user: user, in: &transaction)
            }
        }
        transaction.store(CohortClock(eventTimeMilliseconds: time, group: group), at: clockKey)
        try joinCohortChannel(workspaceID, user, group, in: &transaction)
        return .enrollment(applied: true)
    }

    /// Puts a workspace member into the channel of the cohort the LMS last placed them in; called
    /// when their enrollment arrives after their cohort fact.
    func joinRecordedCohort<Base>(_ workspaceID: WorkspaceID, _ user: UserID,
                                  in transaction: inout Transaction<Base>) throws(ApplyFailure) {
        guard let clock = try transaction.load(CohortClock.self, RowKey.cohortClock(workspaceID, user)) else { return }
        try joinCohortChannel(workspaceID, user, clock.group, in: &transaction)
    }

    private func joinCohortChannel<Base>(_ workspaceID: WorkspaceID, _ user: UserID, _ group: GroupSpec,
                                         in transaction: inout Transaction<Base>) throws(ApplyFailure) {
        guard try transaction.member(workspaceID, user) != nil else { return }
        var channel = try groupChannel(workspaceID, group, in: &transaction)
        guard try transaction.channelMember(workspaceID, channel.id, user) == nil else { return }
        enter(&channel, user: user, in: &transaction)
        transaction.store(channel, at: RowKey.channel(workspaceID, channel.id))
    }

    /// The group's private channel, created  on first use. Its slug is
    /// the group's name made a slug, or that and a digest when another channel has it.
    private func groupChannel<Base>(_ workspaceID: WorkspaceID, _ group: GroupSpec,
                                    in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Channel {
        let channelID = ChannelID.derived(workspace: workspaceID, groupKey: group.key)
        if let existing = try transaction.load(Channel.self, RowKey.channel(workspaceID, channelID)) {
            return existing
        }
        var workspace = try transaction.workspace(workspaceID)
        guard workspace.channelCount < Limits.channelsPerWorkspaceMax else {
            throw .refused(.init(.limitExceeded, "too_many_channels",
                                 "A workspace has at most \(Limits.channelsPerWorkspaceMax) channels."))
        }
        var slug = Validation.slug(fromName: group.name)
        if try transaction.exists(RowKey.channelSlug(workspaceID, slug)) {
            let suffix = "-" + channelID.rawValue.suffix(8)
            slug = String(slug.prefix(Limits.slugCharactersMax - suffix.count)) + suffix
            guard try !transaction.exists(RowKey.channelSlug(workspaceID, slug)) else {
                throw .refused(.conflict("slug_taken", "Another channel in this workspace uses the slug \(slug)."))
            }
        }
        let spec = ChannelSpec(name: group.name, slug: slug, visibility: .private,
                               purpose: "Members of the course group \u{201C}\(group.name)\u{201D}, kept in step with the LMS.")
        return insertChannel(channelID, spec: spec, into: &workspace, in: &transaction)
    }
}
