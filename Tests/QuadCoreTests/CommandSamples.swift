import QuadCore

/// One command of every `CommandBody` case, with optional fields both present and absent.
enum CommandSamples {
    static let workspace = WorkspaceID(rawValue: "ws-cs101")!
    static let channel = ChannelID(rawValue: "ch_general")!
    static let platform = PlatformID(rawValue: "pl-edx")!
    static let ana = UserID(rawValue: "ana@example.edu")!
    static let bo = UserID(rawValue: "u:1234")!
    static let session = LiveSessionID(rawValue: "ls_office-hours")!

    static let bodies: [CommandBody] = [
        .createPlatform(platform: platform, name: "edX"),
        .createWorkspace(workspace: workspace, platform: platform, kind: .course, name: "CS 101",
                         externalID: "course-v1:Org+CS101+2026", templates: [.announcements, .questionsAndAnswers],
                         templateChannelIDs: [ChannelID(rawValue: "ch_a")!, ChannelID(rawValue: "ch_q")!]),
        .createWorkspace(workspace: workspace, platform: platform, kind: .segment, name: "Segment",
                         externalID: nil, templates: [], templateChannelIDs: []),
        .putMembers(workspace: workspace, members: [
            MemberSpec(userID: ana, role: .instructor, displayName: "Ana Ángel"),
            MemberSpec(userID: bo, role: .learner),
        ]),
        .removeMember(workspace: workspace, user: bo),
        .createChannel(workspace: workspace, channel: channel,
                       spec: ChannelSpec(name: "General", slug: "general", visibility: .private, purpose: "p",
                                         header: "h", postingPolicy: .moderators)),
        .updateChannel(workspace: workspace, channel: channel,
                       patch: ChannelPatch(name: "N", slug: "n-2", purpose: "", header: "x",
                                           postingPolicy: .everyone, archived: true)),
        .updateChannel(workspace: workspace, channel: channel, patch: ChannelPatch(archived: false)),
        .updateChannel(workspace: workspace, channel: channel, patch: ChannelPatch()),
        .joinChannel(workspace: workspace, channel: channel),
        .addChannelMembers(workspace: workspace, channel: channel, users: [ana, bo]),
        .removeChannelMember(workspace: workspace, channel: channel, user: ana),
        .openDirectChannel(workspace: workspace, users: [ana, bo]),
        .postMessage(workspace: workspace, channel: channel, text: "héllo 👋 @ana", threadRoot: ChannelSequence(7),
                     clientMessageID: "c-1"),
        .postMessage(workspace: workspace, channel: channel, text: "plain", threadRoot: nil, clientMessageID: nil),
        .editMessage(workspace: workspace, channel: channel, sequence: ChannelSequence(3), text: "edited"),
        .deleteMessage(workspace: workspace, channel: channel, sequence: ChannelSequence(UInt64.max)),
        .setReaction(workspace: workspace, channel: channel, sequence: ChannelSequence(1), emoji: "+1",
                     present: true),
        .setReaction(workspace: workspace, channel: channel, sequence: ChannelSequence(1), emoji: "tada",
                     present: false),
        .setPinned(workspace: workspace, channel: channel, sequence: ChannelSequence(2), pinned: true),
        .markRead(workspace: workspace, channel: channel, sequence: ChannelSequence(0)),
        .createLiveSession(workspace: workspace, session: session, spec: LiveSessionSpec(
            title: "Office hours 🎓", agenda: "Week 3", channel: channel, hosts: [ana, bo], provider: .zoom,
            startMilliseconds: 1_773_756_000_000, timeZone: "Europe/Madrid", durationMinutes: 60,
            recurrence: RecurrenceRule(frequency: .weekly, interval: 2, byDay: [.thursday, .tuesday], count: 10),
            meetingNumber: "85012345678", password: "s3cret", joinURL: "https://zoom.us/j/85012345678",
            hostStartURL: "https://zoom.us/s/85012345678?zak=x", providerMeetingID: "85012345678")),
        .updateLiveSession(workspace: workspace, session: session, spec: LiveSessionSpec(
            title: "Lecture", hosts: [ana], provider: .link, startMilliseconds: -60_000, timeZone: "UTC",
            durationMinutes: 90, recurrence: RecurrenceRule(frequency: .daily, untilMilliseconds: 1_773_756_000_000),
            joinURL: "https://meet.jit.si/cs101")),
        .updateLiveSession(workspace: workspace, session: session, spec: LiveSessionSpec(
            title: "One-off", hosts: [], provider: .webex, startMilliseconds: 0, timeZone: "America/New_York",
            durationMinutes: 1)),
        .deleteLiveSession(workspace: workspace, session: session),
        .setLiveSessionOccurrenceCancelled(workspace: workspace, session: session,
                                           occurrenceMilliseconds: 1_773_756_000_000, cancelled: true),
        .setLiveSessionJoinWindow(workspace: workspace, minutes: 15),
        .setCalendarFeedToken(user: ana, tokenDigest: Array(repeating: 7, count: 32)),
        .setCalendarFeedToken(user: bo, tokenDigest: nil),
        .setMeetingProviderCredentials(platform: platform, provider: .zoom, sealed: [1, 2, 3]),
        .setMeetingProviderCredentials(platform: platform, provider: .webex, sealed: nil),
        .remindLiveSession(workspace: workspace, session: session, occurrenceMilliseconds: 1_773_756_000_000),
    ] + identityBodies

    static let identityBodies: [CommandBody] = identityCommands.map(CommandBody.identity)

    /// One of every identity command, optional fields both present and absent.
    static let identityCommands: [IdentityCommand] = [
        .putIssuer(IssuerConfiguration(platform: platform, issuer: "https://lms.example.edu/oauth2",
                                       audience: "quad", jwksURL: "https://lms.example.edu/jwks", staticJWKS: nil,
                                       subjectClaim: .preferredUsername)),
        .putIssuer(IssuerConfiguration(platform: platform, issuer: "https://idp", audience: "a", jwksURL: nil,
                                       staticJWKS: #"{"keys":[]}"#)),
        .removeIssuer(platform: platform, issuer: "https://idp"),
        .putServiceKey(platform: platform, key: ServiceKeyID(rawValue: "sk_1")!, name: "LMS",
                       secretSHA256: Array(repeating: 7, count: 32)),
        .revokeServiceKey(platform: platform, key: ServiceKeyID(rawValue: "sk_1")!),
        .putWebhookSecret(platform: platform, secret: Array(0..<32)),
        .enrollmentEvent(workspace: workspace, member: MemberSpec(userID: ana, role: .moderator, displayName: "Ana"),
                         enrolled: true, setsRole: true, eventTimeMilliseconds: 1_764_480_000_123),
        .enrollmentEvent(workspace: workspace, member: MemberSpec(userID: bo, role: .learner), enrolled: false,
                         setsRole: false, eventTimeMilliseconds: -5),
        .removeMembers(workspace: workspace, users: [ana, bo]),
        .reconcileRoster(workspace: workspace, members: [MemberSpec(userID: ana, role: .learner)]),
        .putLTIRegistration(LTIRegistration(platform: platform, issuer: "https://lms.example.edu", clientID: "quad-tool",
                                            deploymentIDs: ["1", "dep-2"], authLoginURL: "https://lms.example.edu/auth",
                                            jwksURL: "https://lms.example.edu/jwks")),
        .putGroupMembers(workspace: workspace, group: GroupSpec(key: "section-a", name: "Section A"), users: [ana, bo]),
        .putGroupMembers(workspace: workspace, group: GroupSpec(key: "cohort:Ä", name: "Ä"), users: []),
        .cohortEvent(workspace: workspace, user: bo, group: GroupSpec(key: "cohort:Group B", name: "Group B"),
                     eventTimeMilliseconds: 1_764_480_000_999),
        .consumeLTINonce(platform: platform, nonce: "0123456789abcdefghjkmnpqrs", expiresAtMilliseconds: 1_764_480_600_000),
    ]

    static let commands: [Command] = bodies.enumerated().map { index, body in
        Command(actor: Actor(userID: index.isMultiple(of: 2) ? ana : bo, displayName: "Ana",
                             isAdmin: index.isMultiple(of: 3)),
                timestampMilliseconds: index.isMultiple(of: 2) ? 1_764_480_000_000 : -1, body: body)
    }

    /// The case's stable tag; the switch has no default so a new case cannot be forgotten here.
    static func tag(of body: CommandBody) -> UInt8 {
        switch body {
        case .createPlatform: 1
        case .createWorkspace: 2
        case .putMembers: 3
        case .removeMember: 4
        case .createChannel: 5
        case .updateChannel: 6
        case .joinChannel: 7
        case .addChannelMembers: 8
        case .removeChannelMember: 9
        case .openDirectChannel: 10
        case .postMessage: 11
        case .editMessage: 12
        case .deleteMessage: 13
        case .setReaction: 14
        case .setPinned: 15
        case .markRead: 16
        case .identity: 17
        case .createLiveSession: 18
        case .updateLiveSession: 19
        case .deleteLiveSession: 20
        case .setLiveSessionOccurrenceCancelled: 21
        case .setLiveSessionJoinWindow: 22
        case .setCalendarFeedToken: 23
        case .setMeetingProviderCredentials: 24
        case .remindLiveSession: 25

        }
    }

    /// Where the tag byte sits: version, timestamp, actor ID, actor name, admin flag.
    static func tagOffset(of command: Command) -> Int {
        1 + 8 + 4 + command.actor.userID.rawValue.utf8.count + 4 + command.actor.displayName.utf8.count + 1
    }
}
