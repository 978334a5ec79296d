import Community
import QuadCore
import Testing

@Suite struct WorkspaceCommandTests {
    let workspace = Course.workspace

    /// Proves platforms are created by admins, idempotently for the same name, and conflict otherwise.
    @Test func createPlatform() throws {
        var community = TestCommunity()
        let platform = Course.platform
        let created = try community.succeed(.createPlatform(platform: platform, name: "edX"), as: Course.admin)
        #expect(created == .platform(try community.queries(as: Course.nina).platform(platform)))
        #expect(try community.succeed(.createPlatform(platform: platform, name: "edX"), as: Course.admin) == created)
        #expect(try community.refusal(.createPlatform(platform: platform, name: "Other"), as: Course.admin)?.code
            == "platform_exists")
        #expect(try community.refusal(.createPlatform(platform: platform, name: " "), as: Course.admin)?.code
            == "invalid_name")
        #expect(try community.refusal(.createPlatform(platform: platform, name: "x"), as: Course.ines)?.kind
            == .forbidden)
        #expect(queryError { try community.queries(as: Course.admin).platform(PlatformID(rawValue: "pl-none")!) }?
            .code == "platform_not_found")
    }

    /// Proves a workspace starts with one public channel per distinct template, announcements limited to staff.
    @Test func createWorkspaceWithTemplates() throws {
        var community = TestCommunity()
        let outcome = try community.succeed(.createWorkspace(
            workspace: workspace, platform: Course.platform, kind: .course, name: "CS 101", externalID: "c-1",
            templates: [.announcements, .chatter, .announcements],
            templateChannelIDs: [Course.announcements, Course.chatter, Course.questions]), as: Course.admin)
        let created = try #require(outcome.workspace)
        #expect(created.channelCount == 2 && created.memberCount == 0 && created.externalID == "c-1")
        let channels = try #require(outcome.templateChannels)
        #expect(channels.map(\.slug) == ["announcements", "chatter"])
        #expect(channels.map(\.postingPolicy) == [.moderators, .everyone])
        #expect(channels.allSatisfy { $0.visibility == .public && $0.memberCount == 0 })
        #expect(try community.refusal(.createWorkspace(workspace: workspace, platform: Course.platform, kind: .course,
                                                       name: "Again", externalID: "c-1", templates: [],
                                                       templateChannelIDs: []), as: Course.admin)?.code
            == "workspace_exists")
        let other = WorkspaceID(rawValue: "ws-2")!
        for (name, external, code) in [("", nil, "invalid_name"), (String(repeating: "n", count: 65), nil, "name_too_long"),
                                       ("ok", "", "invalid_external_id"),
                                       ("ok", String(repeating: "e", count: 256), "invalid_external_id")] as [(String, String?, String)] {
            #expect(try community.refusal(.createWorkspace(workspace: other, platform: Course.platform, kind: .segment,
                                                           name: name, externalID: external, templates: [],
                                                           templateChannelIDs: []), as: Course.admin)?.code == code)
        }
        #expect(try community.refusal(.createWorkspace(workspace: other, platform: Course.platform, kind: .segment,
                                                       name: "x", externalID: nil, templates: [],
                                                       templateChannelIDs: []), as: Course.ines)?.kind == .forbidden)
    }

    /// Proves adding members is idempotent, changes roles in place, dedupes a batch, and is bounded at 1,000.
    @Test func putMembersIsIdempotentAndBounded() throws {
        var community = try Course.bare()
        let batch = (0..<Limits.batchMembersMax).map { index in
            MemberSpec(userID: UserID(rawValue: "learner-\(index)")!, role: .learner)
        }
        let added = try #require(try community.succeed(.putMembers(workspace: workspace, members: batch),
                                                       as: Course.ines).members)
        #expect(added.count == 1000 && added[7].displayName == "learner-7")
        let again = try community.apply(.putMembers(workspace: workspace, members: batch), as: Course.ines)
        #expect(again.events.isEmpty)
        let (stored, _) = try community.queries(as: Course.ines).workspace(workspace)
        #expect(stored.memberCount == 1005)

        let tooMany = batch + [MemberSpec(userID: UserID(rawValue: "one-more")!, role: .learner)]
        let refused = try community.refusal(.putMembers(workspace: workspace, members: tooMany), as: Course.ines)
        #expect(refused?.code == "batch_too_large" && refused?.kind == .limitExceeded)
        #expect(try community.refusal(.putMembers(workspace: workspace, members: []), as: Course.ines)?.code
            == "batch_too_large")

        let promoted = try community.succeed(.putMembers(workspace: workspace, members: [
            MemberSpec(userID: Course.lea.userID, role: .moderator),
            MemberSpec(userID: Course.lea.userID, role: .instructor),
        ]), as: Course.ines)
        #expect(promoted.members?.map(\.role) == [.moderator])
        #expect(community.events.last?.kind == .memberRoleChanged)
        #expect(try community.queries(as: Course.lea).myWorkspaces().map(\.role) == [.moderator])
        #expect(try community.refusal(.putMembers(workspace: workspace, members: [
            MemberSpec(userID: Course.nina.userID, role: .learner, displayName: "\u{7}bell"),
        ]), as: Course.ines)?.code == "invalid_display_name")
    }

    /// Proves removing a member drops them from every non-direct channel and the workspace, and that
    /// every member may leave while only instructors and admins remove others.
    @Test func removeMemberRemovesChannelMemberships() throws {
        var community = try Course.world()
        let before = try community.queries(as: Course.leo).myChannels(workspace).map(\.channel.id)
        #expect(Set(before) == [Course.announcements, Course.chatter, Course.secret, Course.direct])

        #expect(try community.refusal(.removeMember(workspace: workspace, user: Course.leo.userID),
                                      as: Course.moe)?.kind == .forbidden)
        try community.succeed(.removeMember(workspace: workspace, user: Course.leo.userID), as: Course.ines)
        #expect(queryError { try community.queries(as: Course.leo).myChannels(workspace) }?.code
            == "workspace_not_found")
        for channel in [Course.announcements, Course.chatter, Course.secret] {
            let members = try community.queries(as: Course.admin).channelMembers(workspace, channel, after: nil,
                                                                                 limit: 50)
            #expect(!members.items.map(\.userID).contains(Course.leo.userID), "\(channel)")
        }
        // The DM keeps its fixed members and history.
        let direct = try community.queries(as: Course.lia).channel(workspace, Course.direct)
        #expect(direct.channel.memberCount == 2)
        #expect(try community.queries(as: Course.admin).channel(workspace, Course.chatter).channel.memberCount == 4)
        #expect(try community.queries(as: Course.admin).workspace(workspace).0.memberCount == 4)
        #expect(try community.refusal(.removeMember(workspace: workspace, user: Course.leo.userID),
                                      as: Course.ines)?.code == "member_not_found")

        try community.succeed(.removeMember(workspace: workspace, user: Course.lea.userID), as: Course.lea)
        #expect(try community.queries(as: Course.lea).myWorkspaces().isEmpty)
    }

    /// Proves "my workspaces" lists exactly the caller's memberships with their roles.
    @Test func myWorkspaces() throws {
        var community = try Course.bare()
        let second = WorkspaceID(rawValue: "ws-2")!
        try community.succeed(.createWorkspace(workspace: second, platform: Course.platform, kind: .segment,
                                               name: "Segment", externalID: nil, templates: [],
                                               templateChannelIDs: []), as: Course.admin)
        try community.succeed(.putMembers(workspace: second, members: [
            MemberSpec(userID: Course.lea.userID, role: .moderator),
        ]), as: Course.admin)
        let views = try community.queries(as: Course.lea).myWorkspaces()
        #expect(views.map(\.workspace.id) == [second, workspace])  // key order: "ws-2" < "ws-cs101"
        #expect(views.map(\.role) == [.moderator, .learner])
        #expect(try community.queries(as: Course.nina).myWorkspaces().isEmpty)
    }
}
