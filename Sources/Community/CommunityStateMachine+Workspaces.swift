import QuadCore

struct WorkspaceDraft {
    var id: WorkspaceID
    var platform: PlatformID
    var kind: WorkspaceKind
    var name: String
    var externalID: String?
    var templates: [ChannelTemplate]
    var templateChannelIDs: [ChannelID]
}

extension ChannelTemplate {
    /// The channel a template creates.
    var spec: ChannelSpec {
        switch self {
        case .announcements:
            ChannelSpec(name: "Announcements", slug: "announcements", visibility: .public,
                        purpose: "News from the teaching team. Reply in threads.", postingPolicy: .moderators)
        case .chatter:
            ChannelSpec(name: "Chatter", slug: "chatter", visibility: .public, purpose: "Talk about anything.")
        case .questionsAndAnswers:
            ChannelSpec(name: "Q&A", slug: "q-a", visibility: .public, purpose: "Ask questions about the course.")
        case .techIssueReports:
            ChannelSpec(name: "Tech issue reports", slug: "tech-issue-reports", visibility: .public,
                        purpose: "Report problems with the platform.")
        }
    }
}

extension CommunityStateMachine {
    func createPlatform<Base>(_ id: PlatformID, name: String, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        guard transaction.actor.isAdmin else { throw .refused(.forbidden("Only administrators create platforms.")) }
        try check { () throws(CommunityError) in try Validation.name(name) }
        if let existing = try transaction.load(Platform.self, RowKey.platform(id)) {
            guard existing.name == name else {
                throw .refused(.conflict("platform_exists", "A platform with this ID already exists."))
            }
            return .platform(existing)
        }
        let platform = Platform(id: id, name: name, createdAt: transaction.now)
        transaction.store(platform, at: RowKey.platform(id))
        return .platform(platform)
    }

    func createWorkspace<Base>(_ draft: WorkspaceDraft, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        guard transaction.actor.isAdmin else { throw .refused(.forbidden("Only administrators create workspaces.")) }
        try check { () throws(CommunityError) in
            try Validation.name(draft.name)
            if let externalID = draft.externalID { try Validation.externalID(externalID) }
        }
        precondition(draft.templates.count == draft.templateChannelIDs.count, "one channel ID per template")
        if try transaction.exists(RowKey.workspace(draft.id)) {
            let message = draft.externalID == nil
                ? "A workspace with this ID already exists."
                : "A workspace with this external_id already exists on this platform."
            throw .refused(.conflict("workspace_exists", message))
        }
        var workspace = Workspace(id: draft.id, platformID: draft.platform, kind: draft.kind, name: draft.name,
                                  externalID: draft.externalID, createdAt: transaction.now,
                                  createdBy: transaction.actor.userID, memberCount: 0, channelCount: 0,
                                  eventSequence: 0)
        var channels: [Channel] = []
        var seenTemplates = Set<ChannelTemplate>()
        for (template, channelID) in zip(draft.templates, draft.templateChannelIDs)
        where seenTemplates.insert(template).inserted {
            var channel = newChannel(channelID, in: draft.id, spec: template.spec, transaction: transaction)
            transaction.emit(.channelCreated, channel: &channel)
            transaction.store(channel, at: RowKey.channel(draft.id, channelID))
            transaction.putRaw(RowKey.channelSlug(draft.id, channel.slug), Array(channelID.rawValue.utf8))
            workspace.channelCount += 1
            channels.append(channel)
        }
        transaction.store(workspace, at: RowKey.workspace(draft.id))
        return .workspace(workspace, channels: channels)
    }

    func newChannel<Base>(_ id: ChannelID, in workspace: WorkspaceID, spec: ChannelSpec,
                          transaction: Transaction<Base>) -> Channel {
        Channel(id: id, workspaceID: workspace, name: spec.name, slug: spec.slug, visibility: spec.visibility,
                purpose: spec.purpose, header: spec.header, postingPolicy: spec.postingPolicy, archived: false,
                createdAt: transaction.now, createdBy: transaction.actor.userID, lastSequence: .zero,
                eventSequence: 0, memberCount: 0, pinCount: 0, directMembers: [])
    }

    /// Adds members or changes their roles. Idempotent: a repeated batch changes nothing.
    func putMembers<Base>(_ workspaceID: WorkspaceID, _ members: [MemberSpec],
                          in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        var (workspace, access) = try transaction.access(workspaceID)
        guard access.canManageMembers else {
            throw .refused(.forbidden("Only instructors and administrators manage members."))
        }
        guard !members.isEmpty, members.count <= Limits.batchMembersMax else {
            throw .refused(.init(.limitExceeded, "batch_too_large",
                                 "Add 1 to \(Limits.batchMembersMax) members per call."))
        }
        var result: [Member] = []
        var seen = Set<UserID>()
        for spec in members where seen.insert(spec.userID).inserted {
            let name = spec.displayName ?? spec.userID.rawValue
            try check { () throws(CommunityError) in try Validation.name(name, field: "display_name") }
            if var existing = try transaction.member(workspaceID, spec.userID) {
                if existing.role != spec.role {
                    existing.role = spec.role
                    transaction.store(existing, at: RowKey.member(workspaceID, spec.userID))
                    transaction.putRaw(RowKey.userWorkspace(spec.userID, workspaceID), [spec.role.rawValue])
                    transaction.emit(.memberRoleChanged, workspace: &workspace, user: spec.userID)
                }
                result.append(existing)
                continue
            }
            let member = Member(userID: spec.userID, role: spec.role, displayName: name, joinedAt: transaction.now)
            transaction.store(member, at: RowKey.member(workspaceID, spec.userID))
            transaction.putRaw(RowKey.userWorkspace(spec.userID, workspaceID), [spec.role.rawValue])
            workspace.memberCount += 1
            transaction.emit(.memberAdded, workspace: &workspace, user: spec.userID)
            result.append(member)
        }
        transaction.store(workspace, at: RowKey.workspace(workspaceID))
        return .members(result)
    }

    /// Removes a member from the workspace and from every channel they were in.
    /// Instructors and admins remove anyone; every member may leave.
    func removeMember<Base>(_ workspaceID: WorkspaceID, _ user: UserID, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        var (workspace, access) = try transaction.access(workspaceID)
        guard access.canManageMembers || user == transaction.actor.userID else {
            throw .refused(.forbidden("Only instructors and administrators remove members."))
        }
        guard try transaction.member(workspaceID, user) != nil else { throw .refused(.memberNotFound) }
        // A member's channels, bounded by the workspace's channel limit.
        let channels = try transaction.scan(prefix: RowKey(.userChannel).adding(workspaceID).adding(user),
                                            limit: Limits.channelsPerWorkspaceMax)
        for pair in channels {
            var reader = BinaryReader(pair.value)
            guard let channelID: ChannelID = try? reader.readIdentifier() else {
                throw .storage(RowReadFailure("corrupt userChannel row"))
            }
            guard var channel = try transaction.load(Channel.self, RowKey.channel(workspaceID, channelID)) else {
                continue
            }
            if channel.visibility == .direct { continue }  // DMs keep their fixed membership and history
            leave(&channel, user: user, in: &transaction)
        }
        transaction.delete(RowKey.member(workspaceID, user))
        transaction.delete(RowKey.userWorkspace(user, workspaceID))
        workspace.memberCount -= 1
        transaction.emit(.memberRemoved, workspace: &workspace, user: user)
        transaction.store(workspace, at: RowKey.workspace(workspaceID))
        return .memberRemoved
    }

    /// Removes `user` from `channel` and stores the channel.
    func leave<Base>(_ channel: inout Channel, user: UserID, in transaction: inout Transaction<Base>) {
        transaction.delete(RowKey.channelMember(channel.workspaceID, channel.id, user))
        transaction.delete(RowKey.userChannel(channel.workspaceID, user, channel.id))
        channel.memberCount -= 1
        transaction.emit(.channelMemberRemoved, channel: &channel, user: user)
        transaction.store(channel, at: RowKey.channel(channel.workspaceID, channel.id))
    }

    /// Adds `user` to `channel` (which the caller stores).
    func enter<Base>(_ channel: inout Channel, user: UserID, in transaction: inout Transaction<Base>) {
        let membership = ChannelMember(userID: user, lastRead: channel.lastSequence, joinedAt: transaction.now)
        transaction.store(membership, at: RowKey.channelMember(channel.workspaceID, channel.id, user))
        var index = BinaryWriter()
        index.write(channel.id)
        transaction.putRaw(RowKey.userChannel(channel.workspaceID, user, channel.id), index.bytes)
        channel.memberCount += 1
        transaction.emit(.channelMemberAdded, channel: &channel, user: user)
    }
}
