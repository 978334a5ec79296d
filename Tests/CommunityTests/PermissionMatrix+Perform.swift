import Community
import QuadCore
import Testing

/// Performs matrix actions on `Course.world()` and reports what happened, without consulting
/// `WorkspaceAccess`: the verdict comes only from what the state machine and queries did.
struct MatrixRunner {
    var community: TestCommunity
    let actor: Actor
    let workspace = Course.workspace
    /// `leo` wrote message 1 of chatter, of the private channel and of the DM.
    let othersMessage = ChannelSequence(1)

    init(actor: Actor) throws {
        community = try Course.world()
        self.actor = actor
    }

    var queries: CommunityQueries<MemoryRows> { community.queries(as: actor) }

    mutating func perform(_ action: MatrixAction) throws -> Verdict {
        switch action {
        case .publicChannel(let channelAction): return try perform(channelAction, on: Course.chatter)
        case .privateChannel(let channelAction): return try perform(channelAction, on: Course.secret)
        case .joinedPrivateChannel(let channelAction):
            try community.apply(.addChannelMembers(workspace: workspace, channel: Course.secret, users: [actor.userID]),
                                as: Course.admin)
            return try perform(channelAction, on: Course.secret)
        case .directChannel(let channelAction): return try perform(channelAction, on: Course.direct)
        case .ownDirectChannel(let channelAction):
            let users = [actor.userID, Course.leo.userID]
            try community.apply(.openDirectChannel(workspace: workspace, users: users), as: actor)
            let channel = CommunityStateMachine.directChannelID(workspace: workspace, users: users)
            try community.apply(.postMessage(workspace: workspace, channel: channel, text: "from leo", threadRoot: nil,
                                             clientMessageID: nil), as: Course.leo)
            return try perform(channelAction, on: channel)
        default: return try performWorkspaceAction(action)
        }
    }

    private mutating func performWorkspaceAction(_ action: MatrixAction) throws -> Verdict {
        let newcomer = UserID(rawValue: "newcomer")!
        switch action {
        case .createPlatform: return try run(.createPlatform(platform: PlatformID(rawValue: "pl-new")!, name: "New"))
        case .createWorkspace:
            return try run(.createWorkspace(workspace: WorkspaceID(rawValue: "ws-new")!, platform: Course.platform,
                                            kind: .course, name: "New", externalID: nil, templates: [],
                                            templateChannelIDs: []))
        case .addMember: return try run(.putMembers(workspace: workspace,
                                                    members: [MemberSpec(userID: newcomer, role: .learner)]))
        case .changeRole: return try run(.putMembers(workspace: workspace,
                                                     members: [MemberSpec(userID: Course.lia.userID, role: .moderator)]))
        case .removeOtherMember: return try run(.removeMember(workspace: workspace, user: Course.lia.userID))
        case .leaveWorkspace: return try run(.removeMember(workspace: workspace, user: actor.userID))
        case .createPublicChannel, .createPrivateChannel:
            let visibility: ChannelVisibility = action == .createPublicChannel ? .public : .private
            return try run(.createChannel(workspace: workspace, channel: ChannelID(rawValue: "ch-new")!,
                                          spec: ChannelSpec(name: "New", slug: "new", visibility: visibility)))
        case .openDirectChannel:
            return try run(.openDirectChannel(workspace: workspace, users: [actor.userID, Course.leo.userID]))
        case .platform: return observe { try queries.platform(Course.platform) }
        case .workspace: return observe { try queries.workspace(workspace) }
        case .members: return observe { try queries.members(workspace, after: nil, limit: 50) }
        case .channels: return observeListed { try queries.channels(workspace).contains { $0.channel.id == Course.chatter } }
        case .myChannels: return observe { try queries.myChannels(workspace) }
        case .myWorkspaces: return observeListed { try queries.myWorkspaces().contains { $0.workspace.id == workspace } }
        case .workspaceEvents:
            return observe { try queries.events(workspace, stream: EventStream.workspace, after: 0, limit: 50) }
        case .publicChannel, .privateChannel, .joinedPrivateChannel, .directChannel, .ownDirectChannel:
            preconditionFailure("channel actions are performed by perform(_:on:)")
        }
    }

    private mutating func perform(_ action: ChannelAction, on channel: ChannelID) throws -> Verdict {
        switch action {
        case .listed: return observeListed { try queries.channels(workspace).contains { $0.channel.id == channel } }
        case .read: return observe { try queries.channel(workspace, channel) }
        case .members: return observe { try queries.channelMembers(workspace, channel, after: nil, limit: 50) }
        case .history: return observe { try queries.history(workspace, channel, .before(nil), limit: 50) }
        case .thread: return observe { try queries.thread(workspace, channel, root: othersMessage, after: nil, limit: 9) }
        case .pins: return observe { try queries.pins(workspace, channel) }
        case .message: return observe { try queries.message(workspace, channel, othersMessage) }
        case .events: return observe { try queries.events(workspace, stream: channel.rawValue, after: 0, limit: 50) }
        case .update: return try run(.updateChannel(workspace: workspace, channel: channel,
                                                    patch: ChannelPatch(name: "Renamed")))
        case .archive: return try run(.updateChannel(workspace: workspace, channel: channel,
                                                     patch: ChannelPatch(archived: true)))
        case .join: return try run(.joinChannel(workspace: workspace, channel: channel))
        case .addMembers: return try run(.addChannelMembers(workspace: workspace, channel: channel,
                                                            users: [Course.lia.userID]))
        case .removeOther: return try run(.removeChannelMember(workspace: workspace, channel: channel,
                                                               user: Course.leo.userID))
        case .leave: return try run(.removeChannelMember(workspace: workspace, channel: channel, user: actor.userID))
        default: return try performMessageAction(action, on: channel)
        }
    }

    private mutating func performMessageAction(_ action: ChannelAction, on channel: ChannelID) throws -> Verdict {
        switch action {
        case .post: return try run(post(in: channel, replyTo: nil))
        case .postAnnouncement: return try run(post(in: Course.announcements, replyTo: nil))
        case .replyAnnouncement: return try run(post(in: Course.announcements, replyTo: ChannelSequence(1)))
        case .editOwn, .deleteOwn:
            // An admin outside the workspace cannot post, so has no message of their own to edit or delete.
            guard let own = ownMessage(in: channel) else {
                let posted = try community.apply(post(in: channel, replyTo: nil), as: actor)
                #expect(posted.result == .failure(CommunityError(.forbidden, "forbidden", "Join the channel to post in it.")))
                return .notApplicable
            }
            return try run(action == .editOwn
                ? .editMessage(workspace: workspace, channel: channel, sequence: own, text: "edited")
                : .deleteMessage(workspace: workspace, channel: channel, sequence: own))
        case .editOthers:
            return try run(.editMessage(workspace: workspace, channel: channel, sequence: othersMessage, text: "x"))
        case .deleteOthers: return try run(.deleteMessage(workspace: workspace, channel: channel, sequence: othersMessage))
        case .react: return try run(.setReaction(workspace: workspace, channel: channel, sequence: othersMessage,
                                                 emoji: "eyes", present: true))
        case .pin: return try run(.setPinned(workspace: workspace, channel: channel, sequence: ChannelSequence(2),
                                             pinned: true))
        case .markRead: return try run(.markRead(workspace: workspace, channel: channel, sequence: othersMessage))
        default: preconditionFailure("\(action) is not a message action")
        }
    }

    private func post(in channel: ChannelID, replyTo root: ChannelSequence?) -> CommandBody {
        .postMessage(workspace: workspace, channel: channel, text: "hello", threadRoot: root, clientMessageID: nil)
    }

    /// The caller's own message in chatter (from `world()`); the outsider names message 1, which the
    /// workspace check refuses before it is looked at.
    private func ownMessage(in channel: ChannelID) -> ChannelSequence? {
        if actor.userID == Course.nina.userID { return othersMessage }
        return Course.chatterSequence(of: actor)
    }

    private mutating func run(_ body: CommandBody) throws -> Verdict {
        switch try community.apply(body, as: actor).result {
        case .success: .ok
        case .failure(let error): .refused(error.kind, error.code)
        }
    }

    private func observe(_ body: () throws -> some Any) -> Verdict {
        do {
            _ = try body()
            return .ok
        } catch let error as CommunityError {
            return .refused(error.kind, error.code)
        } catch {
            Issue.record("unexpected error \(error)")
            return .notApplicable
        }
    }

    private func observeListed(_ body: () throws -> Bool) -> Verdict {
        do {
            return try body() ? .ok : .hidden
        } catch let error as CommunityError {
            return .refused(error.kind, error.code)
        } catch {
            Issue.record("unexpected error \(error)")
            return .notApplicable
        }
    }
}
