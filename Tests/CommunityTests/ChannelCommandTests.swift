import Community
import QuadCore
import Testing

@Suite struct ChannelCommandTests {
    let workspace = Course.workspace

    func spec(_ slug: String, _ visibility: ChannelVisibility = .public) -> ChannelSpec {
        ChannelSpec(name: "Channel", slug: slug, visibility: visibility)
    }

    /// Proves staff create channels they are then members of, with unique, validated slugs.
    @Test func createChannel() throws {
        var community = try Course.bare()
        let labs = ChannelID(rawValue: "ch-labs")!
        let channel = try #require(try community.succeed(
            .createChannel(workspace: workspace, channel: labs, spec: spec("labs")), as: Course.moe).channel)
        #expect(channel.memberCount == 1 && channel.createdBy == Course.moe.userID)
        #expect(try community.queries(as: Course.moe).channel(workspace, labs).isMember)
        let other = ChannelID(rawValue: "ch-other")!
        #expect(try community.refusal(.createChannel(workspace: workspace, channel: other, spec: spec("labs")),
                                      as: Course.ines)?.code == "slug_taken")
        #expect(try community.refusal(.createChannel(workspace: workspace, channel: labs, spec: spec("labs-2")),
                                      as: Course.ines)?.code == "channel_exists")
        for slug in ["a", "-labs", "Labs", "la bs", "lab_s", String(repeating: "s", count: 65), "é-x"] {
            #expect(try community.refusal(.createChannel(workspace: workspace, channel: other, spec: spec(slug)),
                                          as: Course.ines)?.code == "invalid_slug", "\(slug)")
        }
        #expect(try community.refusal(.createChannel(workspace: workspace, channel: other, spec: spec("dm", .direct)),
                                      as: Course.ines)?.code == "invalid_visibility")
        var long = spec("long")
        long.purpose = String(repeating: "p", count: Limits.purposeCharactersMax + 1)
        #expect(try community.refusal(.createChannel(workspace: workspace, channel: other, spec: long),
                                      as: Course.ines)?.code == "purpose_too_long")
        long = spec("long")
        long.header = String(repeating: "h", count: Limits.headerCharactersMax + 1)
        #expect(try community.refusal(.createChannel(workspace: workspace, channel: other, spec: long),
                                      as: Course.ines)?.code == "header_too_long")
        #expect(try community.refusal(.createChannel(workspace: workspace, channel: other, spec: spec("ok")),
                                      as: Course.lea)?.kind == .forbidden)
        // An admin who is not a member creates a channel without joining it.
        let adminMade = try #require(try community.succeed(
            .createChannel(workspace: workspace, channel: other, spec: spec("ok", .private)), as: Course.admin).channel)
        #expect(adminMade.memberCount == 0)
    }

    /// Proves slugs are editable, freed when changed, and still unique and validated.
    @Test func updateChannelSlugAndFields() throws {
        var community = try Course.world()
        let patch = ChannelPatch(name: "Lounge", slug: "lounge", purpose: "Relax", header: "[rules](x)",
                                 postingPolicy: .moderators)
        let updated = try #require(try community.succeed(
            .updateChannel(workspace: workspace, channel: Course.chatter, patch: patch), as: Course.moe).channel)
        #expect(updated.name == "Lounge" && updated.slug == "lounge" && updated.purpose == "Relax")
        #expect(updated.header == "[rules](x)" && updated.postingPolicy == .moderators && !updated.archived)
        // The old slug is free again; the new one is taken.
        let fresh = ChannelID(rawValue: "ch-fresh")!
        try community.succeed(.createChannel(workspace: workspace, channel: fresh, spec: spec("chatter")),
                              as: Course.ines)
        #expect(try community.refusal(.updateChannel(workspace: workspace, channel: fresh,
                                                      patch: ChannelPatch(slug: "lounge")), as: Course.ines)?.code
            == "slug_taken")
        #expect(try community.refusal(.updateChannel(workspace: workspace, channel: fresh,
                                                      patch: ChannelPatch(slug: "No!")), as: Course.ines)?.code
            == "invalid_slug")
        #expect(try community.refusal(.updateChannel(workspace: workspace, channel: fresh,
                                                      patch: ChannelPatch(name: "")), as: Course.ines)?.code
            == "invalid_name")
        // Keeping one's own slug is not a conflict.
        try community.succeed(.updateChannel(workspace: workspace, channel: fresh, patch: ChannelPatch(slug: "chatter")),
                              as: Course.ines)
        #expect(try community.refusal(.updateChannel(workspace: workspace, channel: fresh,
                                                      patch: ChannelPatch(name: "x")), as: Course.lea)?.kind
            == .forbidden)
    }

    /// Proves archiving blocks posting, joining and editing, and unarchiving restores them.
    @Test func archiveBlocksPosting() throws {
        var community = try Course.world()
        try community.succeed(.updateChannel(workspace: workspace, channel: Course.chatter,
                                             patch: ChannelPatch(archived: true)), as: Course.ines)
        let post = CommandBody.postMessage(workspace: workspace, channel: Course.chatter, text: "hi", threadRoot: nil,
                                           clientMessageID: nil)
        #expect(try community.refusal(post, as: Course.lea)?.code == "channel_archived")
        #expect(try community.refusal(post, as: Course.ines)?.kind == .conflict)
        #expect(try community.refusal(.editMessage(workspace: workspace, channel: Course.chatter,
                                                   sequence: ChannelSequence(4), text: "x"), as: Course.lea)?.code
            == "channel_archived")
        try community.succeed(.updateChannel(workspace: workspace, channel: Course.questions,
                                             patch: ChannelPatch(archived: true)), as: Course.ines)
        #expect(try community.refusal(.joinChannel(workspace: workspace, channel: Course.questions),
                                      as: Course.lea)?.code == "channel_archived")
        try community.succeed(.updateChannel(workspace: workspace, channel: Course.chatter,
                                             patch: ChannelPatch(archived: false)), as: Course.ines)
        #expect(try community.post("back", in: Course.chatter, as: Course.lea).sequence == ChannelSequence(5))
    }

    /// Proves posting needs channel membership, joining is for public channels, idempotent, and a new member
    /// starts with nothing unread.
    @Test func joinChannel() throws {
        var community = try Course.world()
        let post = CommandBody.postMessage(workspace: workspace, channel: Course.questions, text: "q?",
                                           threadRoot: nil, clientMessageID: nil)
        #expect(try community.refusal(post, as: Course.ines)?.kind == .forbidden)
        try community.succeed(.joinChannel(workspace: workspace, channel: Course.questions), as: Course.ines)
        try community.post("first question", in: Course.questions, as: Course.ines)
        let joined = try #require(try community.succeed(.joinChannel(workspace: workspace, channel: Course.questions),
                                                        as: Course.lea).channel)
        #expect(joined.memberCount == 2)
        let view = try community.queries(as: Course.lea).channel(workspace, Course.questions)
        #expect(view.isMember && view.lastRead == ChannelSequence(1) && view.unreadCount == 0)
        let again = try community.apply(.joinChannel(workspace: workspace, channel: Course.questions), as: Course.lea)
        #expect(again.events.isEmpty && again.result == .success(.channel(joined)))
        #expect(try community.refusal(.joinChannel(workspace: workspace, channel: Course.secret), as: Course.lea)?.code
            == "channel_not_found")
        #expect(try community.refusal(.joinChannel(workspace: workspace, channel: ChannelID(rawValue: "nope")!),
                                      as: Course.lea)?.code == "channel_not_found")
    }

    /// Proves staff add workspace members to channels in idempotent, bounded batches.
    @Test func addChannelMembers() throws {
        var community = try Course.world()
        let users = [Course.lea.userID, Course.lia.userID, Course.lea.userID]
        let added = try community.succeed(.addChannelMembers(workspace: workspace, channel: Course.secret, users: users),
                                          as: Course.admin)
        #expect(added.addedCount == 2)
        let again = try community.apply(.addChannelMembers(workspace: workspace, channel: Course.secret, users: users),
                                        as: Course.admin)
        #expect(again.result == .success(.channelMembersAdded(count: 0)) && again.events.isEmpty)
        #expect(try community.queries(as: Course.lea).channel(workspace, Course.secret).channel.memberCount == 3)
        #expect(try community.refusal(.addChannelMembers(workspace: workspace, channel: Course.secret,
                                                         users: [Course.nina.userID]), as: Course.admin)?.code
            == "not_a_member")
        let tooMany = (0...Limits.batchMembersMax).map { UserID(rawValue: "u\($0)")! }
        #expect(try community.refusal(.addChannelMembers(workspace: workspace, channel: Course.questions,
                                                         users: tooMany), as: Course.ines)?.code == "batch_too_large")
        #expect(try community.refusal(.addChannelMembers(workspace: workspace, channel: Course.questions, users: []),
                                      as: Course.ines)?.code == "batch_too_large")
        #expect(try community.refusal(.addChannelMembers(workspace: workspace, channel: Course.questions,
                                                         users: [Course.lia.userID]), as: Course.lea)?.kind
            == .forbidden)
        // A private channel's staff members (lea is not staff) invite; staff outside it cannot see it.
        #expect(try community.refusal(.addChannelMembers(workspace: workspace, channel: Course.secret,
                                                         users: [Course.moe.userID]), as: Course.ines)?.code
            == "channel_not_found")
    }

    /// Proves anyone leaves a channel, staff remove others, and a DM's membership is fixed.
    @Test func removeChannelMember() throws {
        var community = try Course.world()
        try community.succeed(.removeChannelMember(workspace: workspace, channel: Course.chatter,
                                                   user: Course.lea.userID), as: Course.lea)
        #expect(try community.refusal(.removeChannelMember(workspace: workspace, channel: Course.chatter,
                                                           user: Course.lea.userID), as: Course.lea)?.code
            == "member_not_found")
        #expect(try community.refusal(.removeChannelMember(workspace: workspace, channel: Course.chatter,
                                                           user: Course.leo.userID), as: Course.lia)?.kind
            == .forbidden)
        try community.succeed(.removeChannelMember(workspace: workspace, channel: Course.chatter,
                                                   user: Course.leo.userID), as: Course.moe)
        #expect(try community.queries(as: Course.moe).channel(workspace, Course.chatter).channel.memberCount == 3)
        #expect(try community.queries(as: Course.leo).myChannels(workspace).map(\.channel.id)
            .contains(Course.chatter) == false)
        #expect(try community.refusal(.removeChannelMember(workspace: workspace, channel: Course.direct,
                                                           user: Course.leo.userID), as: Course.leo)?.code
            == "direct_membership_fixed")
    }

    /// Proves a DM is one channel per set of people (2 to 8, caller included, all members), opened again
    /// by any of them in any order, visible only to them.
    @Test func directMessages() throws {
        var community = try Course.world()
        let opened = try #require(try community.succeed(
            .openDirectChannel(workspace: workspace, users: [Course.lia.userID, Course.leo.userID, Course.leo.userID]),
            as: Course.lia).channel)
        #expect(opened.id == Course.direct && opened.visibility == .direct)
        #expect(opened.directMembers == [Course.leo.userID, Course.lia.userID] && opened.memberCount == 2)
        #expect(opened.lastSequence == ChannelSequence(2))  // the existing DM, not a new one

        let group = [Course.lea, Course.leo, Course.lia, Course.moe].map(\.userID)
        let groupChannel = try #require(try community.succeed(.openDirectChannel(workspace: workspace, users: group),
                                                              as: Course.moe).channel)
        #expect(groupChannel.id == CommunityStateMachine.directChannelID(workspace: workspace,
                                                                          users: group.reversed()))
        #expect(groupChannel.id != Course.direct && groupChannel.memberCount == 4)
        #expect(try community.queries(as: Course.lea).channel(workspace, groupChannel.id).isMember)

        let others = WorkspaceID(rawValue: "ws-other")!
        #expect(CommunityStateMachine.directChannelID(workspace: others, users: group) != groupChannel.id)
        #expect(try community.refusal(.openDirectChannel(workspace: workspace, users: [Course.lea.userID]),
                                      as: Course.lea)?.code == "invalid_direct_members")
        #expect(try community.refusal(.openDirectChannel(workspace: workspace,
                                                         users: [Course.leo.userID, Course.lia.userID]),
                                      as: Course.lea)?.code == "invalid_direct_members")
        let nine = [Course.lea.userID] + (1...8).map { UserID(rawValue: "u\($0)")! }
        #expect(try community.refusal(.openDirectChannel(workspace: workspace, users: nine), as: Course.lea)?.code
            == "invalid_direct_members")
        #expect(try community.refusal(.openDirectChannel(workspace: workspace,
                                                         users: [Course.lea.userID, Course.nina.userID]),
                                      as: Course.lea)?.code == "not_a_member")
        #expect(try community.refusal(.openDirectChannel(workspace: workspace,
                                                         users: [Course.admin.userID, Course.lea.userID]),
                                      as: Course.admin)?.kind == .forbidden)
        // Eight people, the caller included, is the largest group.
        var eight: [UserID] = []
        for index in 1...7 { eight.append(UserID(rawValue: "u\(index)")!) }
        try community.succeed(.putMembers(workspace: workspace, members: eight.map {
            MemberSpec(userID: $0, role: .learner)
        }), as: Course.admin)
        #expect(try community.succeed(.openDirectChannel(workspace: workspace, users: eight + [Course.lea.userID]),
                                      as: Course.lea).channel?.memberCount == 8)
        // Staff cannot rename, add to or moderate a DM they are in.
        let staffDirect = try #require(try community.succeed(
            .openDirectChannel(workspace: workspace, users: [Course.ines.userID, Course.lea.userID]),
            as: Course.ines).channel)
        try community.post("hi", in: staffDirect.id, as: Course.lea)
        #expect(try community.refusal(.updateChannel(workspace: workspace, channel: staffDirect.id,
                                                     patch: ChannelPatch(name: "x")), as: Course.ines)?.kind
            == .forbidden)
        #expect(try community.refusal(.addChannelMembers(workspace: workspace, channel: staffDirect.id,
                                                         users: [Course.moe.userID]), as: Course.ines)?.kind
            == .forbidden)
        #expect(try community.refusal(.deleteMessage(workspace: workspace, channel: staffDirect.id,
                                                     sequence: ChannelSequence(1)), as: Course.ines)?.kind
            == .forbidden)
    }
}
