import Community
import QuadCore
import Testing

/// The standard world of these tests: platform `pl-edx`, course workspace `ws-cs101` with its four
/// template channels, an instructor, a moderator, three learners, a private channel only `leo` is in,
/// and a DM between `leo` and `lia`, each with a message, a reply and a pin.
enum Course {
    static let platform = PlatformID(rawValue: "pl-edx")!
    static let workspace = WorkspaceID(rawValue: "ws-cs101")!
    static let announcements = ChannelID(rawValue: "ch-ann")!
    static let chatter = ChannelID(rawValue: "ch-chat")!
    static let questions = ChannelID(rawValue: "ch-qa")!
    static let techIssues = ChannelID(rawValue: "ch-tech")!
    static let secret = ChannelID(rawValue: "ch-secret")!
    static var direct: ChannelID {
        CommunityStateMachine.directChannelID(workspace: workspace, users: [leo.userID, lia.userID])
    }

    static let admin = person("admin", "Platform Admin", isAdmin: true)
    static let ines = person("ines", "Ines Instructor")
    static let moe = person("moe", "Moe Moderator")
    static let lea = person("lea", "Lea Learner")
    static let leo = person("leo", "Leo Learner")
    static let lia = person("lia", "Lia Learner")
    /// Signed in, but not a member of the course.
    static let nina = person("nina", "Nina Outsider")

    static func person(_ id: String, _ name: String, isAdmin: Bool = false) -> Actor {
        Actor(userID: UserID(rawValue: id)!, displayName: name, isAdmin: isAdmin)
    }

    static let templates: [ChannelTemplate] = [.announcements, .chatter, .questionsAndAnswers, .techIssueReports]

    /// Platform, workspace with templates, and the five members; nobody has joined a channel.
    static func bare() throws -> TestCommunity {
        var community = TestCommunity()
        try community.succeed(.createPlatform(platform: platform, name: "edX"), as: admin)
        try community.succeed(.createWorkspace(workspace: workspace, platform: platform, kind: .course,
                                               name: "CS 101", externalID: "course-v1:Org+CS101+2026",
                                               templates: templates,
                                               templateChannelIDs: [announcements, chatter, questions, techIssues]),
                              as: admin)
        try community.succeed(.putMembers(workspace: workspace, members: [
            MemberSpec(userID: ines.userID, role: .instructor, displayName: ines.displayName),
            MemberSpec(userID: moe.userID, role: .moderator, displayName: moe.displayName),
            MemberSpec(userID: lea.userID, role: .learner, displayName: lea.displayName),
            MemberSpec(userID: leo.userID, role: .learner, displayName: leo.displayName),
            MemberSpec(userID: lia.userID, role: .learner, displayName: lia.displayName),
        ]), as: admin)
        return community
    }

    /// The full world: every member in announcements and chatter (messages 1-4 of chatter by leo, ines,
    /// moe and lea; message 1 of announcements by ines), plus the private channel and the DM.
    static func world() throws -> TestCommunity {
        var community = try bare()
        for person in [ines, moe, lea, leo, lia] {
            try community.succeed(.joinChannel(workspace: workspace, channel: announcements), as: person)
            try community.succeed(.joinChannel(workspace: workspace, channel: chatter), as: person)
        }
        try community.post("Welcome to CS 101", in: announcements, as: ines)
        for person in [leo, ines, moe, lea] { try community.post("hello from \(person.userID)", in: chatter, as: person) }

        try community.succeed(.createChannel(workspace: workspace, channel: secret,
                                             spec: ChannelSpec(name: "Secret", slug: "secret", visibility: .private)),
                              as: admin)
        try community.succeed(.addChannelMembers(workspace: workspace, channel: secret, users: [leo.userID]), as: admin)
        try community.post("secret plan", in: secret, as: leo)
        try community.post("more secrets", in: secret, as: leo, replyTo: ChannelSequence(1))
        try community.succeed(.setPinned(workspace: workspace, channel: secret, sequence: ChannelSequence(1),
                                         pinned: true), as: leo)

        try community.succeed(.openDirectChannel(workspace: workspace, users: [leo.userID, lia.userID]), as: leo)
        try community.post("psst", in: direct, as: leo)
        try community.post("what?", in: direct, as: lia, replyTo: ChannelSequence(1))
        try community.succeed(.setPinned(workspace: workspace, channel: direct, sequence: ChannelSequence(1),
                                         pinned: true), as: leo)
        return community
    }

    /// The chatter message each person wrote in `world()`.
    static func chatterSequence(of person: Actor) -> ChannelSequence? {
        switch person.userID {
        case leo.userID: ChannelSequence(1)
        case ines.userID: ChannelSequence(2)
        case moe.userID: ChannelSequence(3)
        case lea.userID: ChannelSequence(4)
        default: nil
        }
    }
}
