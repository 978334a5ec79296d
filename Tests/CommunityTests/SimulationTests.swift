@testable import Community
import QuadCore
import Testing

/// Random commands from random people over the course world, with the row invariants checked after
/// every step. Seeded: a failure names its seed and step, and `swift test --filter SimulationTests`
/// replays it.
@Suite struct SimulationTests {
    let workspace = Course.workspace
    /// Weighted towards members, and towards channels that exist, so most commands do something.
    let people = [Course.admin, Course.ines, Course.moe, Course.lea, Course.leo, Course.lia, Course.nina, Course.lea,
                  Course.leo, Course.lia, Course.ines]
    let channels = [Course.announcements, Course.chatter, Course.chatter, Course.questions, Course.questions,
                    Course.techIssues, Course.secret, Course.direct, ChannelID(rawValue: "ch-x")!]

    /// Proves counters, indexes and sequences stay consistent with the rows under random commands.
    @Test(arguments: 0..<6)
    func invariantsHoldUnderRandomCommands(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var community = try Course.world()
        var succeeded = 0
        for step in 0..<200 {
            let actor = people.randomElement(using: &generator)!
            let body = randomCommand(using: &generator)
            if case .success = try community.apply(body, as: actor).result { succeeded += 1 }
            try checkInvariants(community, context: "seed \(seed) step \(step): \(body) by \(actor.userID)")
        }
        #expect(succeeded > 25, "seed \(seed): only \(succeeded) commands succeeded; the simulation tests little")
        var byStream: [String: [UInt64]] = [:]
        for event in community.events { byStream[event.stream, default: []].append(event.eventSequence) }
        for (stream, sequences) in byStream {
            #expect(sequences == Array(1...UInt64(sequences.count)), "seed \(seed): stream \(stream) has gaps")
        }
    }

    func randomCommand(using generator: inout SeededGenerator) -> CommandBody {
        let channel = channels.randomElement(using: &generator)!
        let user = people.randomElement(using: &generator)!.userID
        let sequence = ChannelSequence(UInt64.random(in: 1...6, using: &generator))
        switch Int.random(in: 0..<17, using: &generator) {
        case 0: return .putMembers(workspace: workspace, members: [
            MemberSpec(userID: user, role: WorkspaceRole.allCases.randomElement(using: &generator)!)])
        case 1: return .removeMember(workspace: workspace, user: user)
        case 2:
            let visibility: ChannelVisibility = Bool.random(using: &generator) ? .public : .private
            return .createChannel(workspace: workspace, channel: channel,
                                  spec: ChannelSpec(name: "C", slug: ["x", "y", "chatter"].randomElement(using: &generator)! + "-s",
                                                    visibility: visibility))
        case 3: return .updateChannel(workspace: workspace, channel: channel,
                                      patch: ChannelPatch(slug: ["a1", "b2", "chatter"].randomElement(using: &generator),
                                                          archived: Bool.random(using: &generator) ? nil : false))
        case 4, 14, 15: return .joinChannel(workspace: workspace, channel: channel)
        case 5: return .addChannelMembers(workspace: workspace, channel: channel, users: [user, Course.lea.userID])
        case 6: return .removeChannelMember(workspace: workspace, channel: channel, user: user)
        case 7: return .openDirectChannel(workspace: workspace, users: [user, people.randomElement(using: &generator)!.userID])
        case 8, 9, 16:
            let root: ChannelSequence? = Bool.random(using: &generator) ? sequence : nil
            return .postMessage(workspace: workspace, channel: channel, text: "hi @lia @lea", threadRoot: root,
                                clientMessageID: Bool.random(using: &generator) ? "k\(sequence)" : nil)
        case 10: return .deleteMessage(workspace: workspace, channel: channel, sequence: sequence)
        case 11: return .setReaction(workspace: workspace, channel: channel, sequence: sequence, emoji: "ok",
                                     present: Bool.random(using: &generator))
        case 12: return .setPinned(workspace: workspace, channel: channel, sequence: sequence,
                                   pinned: Bool.random(using: &generator))
        default: return .markRead(workspace: workspace, channel: channel, sequence: sequence)
        }
    }

    func rows(_ community: TestCommunity, _ key: RowKey) -> [[UInt8]] { community.rows.keys(withPrefix: key.bytes) }

    func checkInvariants(_ community: TestCommunity, context: String) throws {
        let admin = community.queries(as: Course.admin)
        let (stored, _) = try admin.workspace(workspace)
        let memberRows = rows(community, RowKey(.member).adding(workspace))
        #expect(Int(stored.memberCount) == memberRows.count, "\(context): memberCount")
        var nonDirect = 0
        for key in rows(community, RowKey(.channel).adding(workspace)) {
            let channel = try Channel(row: try #require(community.rows.get(key)))
            if channel.visibility != .direct { nonDirect += 1 }
            try checkChannel(channel, community, context: context)
        }
        #expect(Int(stored.channelCount) == nonDirect, "\(context): channelCount")
        #expect(rows(community, RowKey(.channelSlug).adding(workspace)).count == nonDirect, "\(context): slug rows")
    }

    func checkChannel(_ channel: Channel, _ community: TestCommunity, context: String) throws {
        let id = channel.id
        let members = rows(community, RowKey(.channelMember).adding(workspace).adding(id))
        #expect(Int(channel.memberCount) == members.count, "\(context): \(id) memberCount")
        for key in members {
            let member = try ChannelMember(row: try #require(community.rows.get(key)))
            #expect(community.rows.get(RowKey.userChannel(workspace, member.userID, id)) != nil,
                    "\(context): \(id) index row of \(member.userID)")
            #expect(member.lastRead <= channel.lastSequence, "\(context): \(id) lastRead")
            if channel.visibility != .direct {
                #expect(community.rows.get(RowKey.member(workspace, member.userID)) != nil,
                        "\(context): \(id) member \(member.userID) left the workspace")
            }
        }
        if channel.visibility != .direct {
            let slugTarget = community.rows.get(RowKey.channelSlug(workspace, channel.slug))
            #expect(slugTarget == Array(id.rawValue.utf8), "\(context): \(id) slug row")
        }
        let messages = rows(community, RowKey(.message).adding(workspace).adding(id))
        #expect(UInt64(messages.count) == channel.lastSequence.rawValue, "\(context): \(id) sequences")
        let pins = rows(community, RowKey(.pin).adding(workspace).adding(id))
        #expect(Int(channel.pinCount) == pins.count, "\(context): \(id) pinCount")
        for key in messages {
            let message = try Message(row: try #require(community.rows.get(key)))
            #expect(message.pinned == (community.rows.get(RowKey.pin(workspace, id, message.sequence)) != nil),
                    "\(context): \(id) pin row of \(message.sequence)")
            let replies = rows(community, RowKey(.thread).adding(workspace).adding(id).adding(message.sequence))
            #expect(Int(message.replyCount) == replies.count, "\(context): \(id) replyCount of \(message.sequence)")
        }
    }
}
