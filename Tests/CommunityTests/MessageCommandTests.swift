import Community
import QuadCore
import Testing

@Suite struct MessageCommandTests {
    let workspace = Course.workspace
    let chatter = Course.chatter

    /// Proves each channel numbers its messages 1, 2, 3, ... without gaps, whoever posts, while refused
    /// posts consume no number.
    @Test func sequencesAreGaplessPerChannel() throws {
        var community = try Course.world()
        var posted: [UInt64] = []
        for round in 0..<30 {
            let author = [Course.lea, Course.leo, Course.ines][round % 3]
            posted.append(try community.post("message \(round)", in: chatter, as: author).sequence.rawValue)
            _ = try community.refusal(.postMessage(workspace: workspace, channel: chatter, text: "  ", threadRoot: nil,
                                                   clientMessageID: nil), as: author)
            if round.isMultiple(of: 5) { try community.post("q\(round)", in: Course.announcements, as: Course.ines) }
        }
        #expect(posted == Array(5...34))
        #expect(try community.queries(as: Course.lea).channel(workspace, chatter).channel.lastSequence.rawValue == 34)
        #expect(try community.queries(as: Course.lea).channel(workspace, Course.announcements).channel.lastSequence
            == ChannelSequence(7))
        let history = try community.queries(as: Course.lea).history(workspace, chatter, .after(.zero), limit: 200)
        #expect(history.items.map(\.sequence.rawValue) == Array(1...34))
    }

    /// Proves text is validated: not blank, at most 16 KiB.
    @Test func messageTextValidation() throws {
        var community = try Course.world()
        for (text, code) in [("", "empty_message"), (" \n\t", "empty_message"),
                             (String(repeating: "x", count: Limits.messageTextBytesMax + 1), "text_too_long")] {
            #expect(try community.refusal(.postMessage(workspace: workspace, channel: chatter, text: text,
                                                       threadRoot: nil, clientMessageID: nil), as: Course.lea)?.code
                == code)
        }
        #expect(try community.post(String(repeating: "x", count: Limits.messageTextBytesMax), in: chatter,
                                   as: Course.lea).sequence == ChannelSequence(5))
        #expect(try community.refusal(.postMessage(workspace: workspace, channel: chatter, text: "x", threadRoot: nil,
                                                   clientMessageID: ""), as: Course.lea)?.code
            == "invalid_client_msg_id")
    }

    /// Proves a retried post with the same client_msg_id returns the first message, marked duplicate, with
    /// no new sequence, rows or events; the key is per author and channel.
    @Test func clientMessageIDIdempotency() throws {
        var community = try Course.world()
        let body = CommandBody.postMessage(workspace: workspace, channel: chatter, text: "once", threadRoot: nil,
                                           clientMessageID: "c-42")
        let first = try community.apply(body, as: Course.lea)
        let message = try #require(try first.result.get().message)
        #expect(try !first.result.get().isDuplicate && message.clientMessageID == "c-42")
        let retry = try community.apply(body, as: Course.lea)
        #expect(retry.result == .success(.message(message, duplicate: true)))
        #expect(retry.changes.isEmpty && retry.events.isEmpty)
        // Even with other text, the key decides.
        let changedText = CommandBody.postMessage(workspace: workspace, channel: chatter, text: "twice",
                                                  threadRoot: nil, clientMessageID: "c-42")
        #expect(try community.apply(changedText, as: Course.lea).result == .success(.message(message, duplicate: true)))
        #expect(try community.post("other author", in: chatter, as: Course.leo, clientMessageID: "c-42").sequence
            == message.sequence.next)
        #expect(try community.post("other channel", in: Course.announcements, as: Course.ines,
                                   clientMessageID: "c-42").sequence == ChannelSequence(2))
        #expect(try community.queries(as: Course.lea).channel(workspace, chatter).channel.lastSequence
            == ChannelSequence(6))
    }

    /// Proves replies join their root's thread (a reply to a reply too), update the root's counters, and
    /// stay in the channel's sequence; replies to deleted or missing roots are refused.
    @Test func threadReplies() throws {
        var community = try Course.world()
        let root = try community.post("root", in: chatter, as: Course.lea)
        let reply = try community.post("reply", in: chatter, as: Course.leo, replyTo: root.sequence)
        let nested = try community.post("reply to reply", in: chatter, as: Course.lia, replyTo: reply.sequence)
        #expect(reply.threadRoot == root.sequence && nested.threadRoot == root.sequence)
        #expect(nested.sequence == ChannelSequence(7))
        let (loadedRoot, replies) = try community.queries(as: Course.lea).thread(workspace, chatter,
                                                                                root: root.sequence, after: nil,
                                                                                limit: 10)
        #expect(loadedRoot.replyCount == 2 && loadedRoot.lastReplyAt == community.nowMilliseconds)
        #expect(replies.items.map(\.sequence) == [reply.sequence, nested.sequence] && replies.nextCursor == nil)
        let firstPage = try community.queries(as: Course.lea).thread(workspace, chatter, root: root.sequence,
                                                                     after: nil, limit: 1).1
        #expect(firstPage.items.map(\.sequence) == [reply.sequence] && firstPage.nextCursor == "6")
        let secondPage = try community.queries(as: Course.lea).thread(workspace, chatter, root: root.sequence,
                                                                      after: reply.sequence, limit: 1).1
        #expect(secondPage.items.map(\.sequence) == [nested.sequence] && secondPage.nextCursor == nil)
        #expect(queryError { try community.queries(as: Course.lea).thread(workspace, chatter, root: reply.sequence,
                                                                          after: nil, limit: 10) }?.code
            == "message_not_found")
        #expect(try community.refusal(.postMessage(workspace: workspace, channel: chatter, text: "x",
                                                   threadRoot: ChannelSequence(99), clientMessageID: nil),
                                      as: Course.lea)?.code == "message_not_found")
        try community.succeed(.deleteMessage(workspace: workspace, channel: chatter, sequence: root.sequence),
                              as: Course.lea)
        #expect(try community.refusal(.postMessage(workspace: workspace, channel: chatter, text: "x",
                                                   threadRoot: reply.sequence, clientMessageID: nil),
                                      as: Course.lea)?.code == "message_deleted")
    }

    /// Proves announcements take new threads only from staff while every member may reply.
    @Test func announcementsTemplate() throws {
        var community = try Course.world()
        let top = CommandBody.postMessage(workspace: workspace, channel: Course.announcements, text: "news",
                                          threadRoot: nil, clientMessageID: nil)
        #expect(try community.refusal(top, as: Course.lea)?.kind == .forbidden)
        try community.succeed(top, as: Course.moe)
        let reply = try community.post("thanks!", in: Course.announcements, as: Course.lea, replyTo: ChannelSequence(1))
        #expect(reply.threadRoot == ChannelSequence(1))
        // Changing the policy opens the channel to everyone.
        try community.succeed(.updateChannel(workspace: workspace, channel: Course.announcements,
                                             patch: ChannelPatch(postingPolicy: .everyone)), as: Course.ines)
        try community.succeed(top, as: Course.lea)
    }

    /// Proves only the author edits, edits are stamped, and deleted messages cannot be edited.
    @Test func editMessage() throws {
        var community = try Course.world()
        let edit = CommandBody.editMessage(workspace: workspace, channel: chatter, sequence: ChannelSequence(4),
                                           text: "fixed typo")
        let edited = try #require(try community.succeed(edit, as: Course.lea).message)
        #expect(edited.text == "fixed typo" && edited.editedAt == community.nowMilliseconds)
        #expect(try community.refusal(edit, as: Course.ines)?.kind == .forbidden)
        #expect(try community.refusal(.editMessage(workspace: workspace, channel: chatter, sequence: ChannelSequence(4),
                                                   text: " "), as: Course.lea)?.code == "empty_message")
        #expect(try community.refusal(.editMessage(workspace: workspace, channel: chatter,
                                                   sequence: ChannelSequence(40), text: "x"), as: Course.lea)?.code
            == "message_not_found")
        try community.succeed(.deleteMessage(workspace: workspace, channel: chatter, sequence: ChannelSequence(4)),
                              as: Course.lea)
        #expect(try community.refusal(edit, as: Course.lea)?.code == "message_not_found")
    }

    /// Proves deletion leaves a tombstone: sequence, author and thread stay; text, reactions and pin go.
    @Test func deleteLeavesTombstone() throws {
        var community = try Course.world()
        let root = try community.post("root", in: chatter, as: Course.lea)
        try community.post("reply", in: chatter, as: Course.leo, replyTo: root.sequence)
        try community.succeed(.setReaction(workspace: workspace, channel: chatter, sequence: root.sequence,
                                           emoji: "tada", present: true), as: Course.leo)
        try community.succeed(.setPinned(workspace: workspace, channel: chatter, sequence: root.sequence, pinned: true),
                              as: Course.leo)
        #expect(try community.refusal(.deleteMessage(workspace: workspace, channel: chatter, sequence: root.sequence),
                                      as: Course.leo)?.kind == .forbidden)
        let tombstone = try #require(try community.succeed(
            .deleteMessage(workspace: workspace, channel: chatter, sequence: root.sequence), as: Course.moe).message)
        #expect(tombstone.deleted && tombstone.text.isEmpty && tombstone.deletedBy == Course.moe.userID)
        #expect(tombstone.authorID == Course.lea.userID && tombstone.replyCount == 1)
        #expect(tombstone.reactions.isEmpty && !tombstone.pinned)
        let queries = community.queries(as: Course.lea)
        #expect(try queries.history(workspace, chatter, .before(nil), limit: 3).items.map(\.sequence.rawValue)
            == [6, 5, 4])
        #expect(try queries.message(workspace, chatter, root.sequence) == tombstone)
        #expect(try queries.pins(workspace, chatter).isEmpty)
        #expect(try queries.channel(workspace, chatter).channel.pinCount == 0)
        #expect(try queries.thread(workspace, chatter, root: root.sequence, after: nil, limit: 5).1.items.count == 1)
        for body in [CommandBody.deleteMessage(workspace: workspace, channel: chatter, sequence: root.sequence),
                     .setReaction(workspace: workspace, channel: chatter, sequence: root.sequence, emoji: "x",
                                  present: true),
                     .setPinned(workspace: workspace, channel: chatter, sequence: root.sequence, pinned: true)] {
            #expect(try community.refusal(body, as: Course.lea)?.code == "message_not_found")
        }
        #expect(try community.post("next", in: chatter, as: Course.lea).sequence == ChannelSequence(7))
    }

    /// Proves reactions add, remove, are idempotent either way, and are bounded per message.
    @Test func reactions() throws {
        var community = try Course.world()
        @discardableResult
        func react(_ emoji: String, _ present: Bool, as actor: Actor) throws -> Applied {
            try community.apply(.setReaction(workspace: workspace, channel: chatter, sequence: ChannelSequence(1),
                                             emoji: emoji, present: present), as: actor)
        }
        #expect(try react("thumbsup", true, as: Course.lea).events.map(\.kind) == [.reactionChanged])
        let twice = try react("thumbsup", true, as: Course.lea)
        #expect(twice.events.isEmpty && twice.changes.isEmpty)
        let both = try react("thumbsup", true, as: Course.lia)
        #expect(try both.result.get().message?.reactions.map(\.users)
            == [[Course.lea.userID, Course.lia.userID]])
        try react("heart", true, as: Course.lea)
        #expect(try react("thumbsup", false, as: Course.lea).result.get().message?.reactions.map(\.emoji)
            == ["thumbsup", "heart"])
        let removed = try react("thumbsup", false, as: Course.lia)
        #expect(try removed.result.get().message?.reactions.map(\.emoji) == ["heart"])
        #expect(try react("thumbsup", false, as: Course.lia).events.isEmpty)
        #expect(try community.refusal(.setReaction(workspace: workspace, channel: chatter, sequence: ChannelSequence(1),
                                                   emoji: "Thumbs Up", present: true), as: Course.lea)?.code
            == "invalid_emoji")
        #expect(try community.refusal(.setReaction(workspace: workspace, channel: Course.questions,
                                                   sequence: ChannelSequence(1), emoji: "x", present: true),
                                      as: Course.lea)?.kind == .forbidden)
        for index in 1..<Limits.reactionsPerMessageMax { try react("e\(index)", true, as: Course.lea) }
        #expect(try community.refusal(.setReaction(workspace: workspace, channel: chatter, sequence: ChannelSequence(1),
                                                   emoji: "one-too-many", present: true), as: Course.lea)?.code
            == "too_many_reactions")
        #expect(try react("heart", true, as: Course.lia).result.get().message?.reactions.count == 50)
    }

    /// Proves pins are set and cleared idempotently by channel members, listed oldest first, and bounded.
    @Test func pins() throws {
        var community = try Course.world()
        @discardableResult
        func pin(_ sequence: UInt64, _ pinned: Bool, as actor: Actor = Course.lea) throws -> Applied {
            try community.apply(.setPinned(workspace: workspace, channel: chatter, sequence: ChannelSequence(sequence),
                                           pinned: pinned), as: actor)
        }
        #expect(try pin(3, true).events.map(\.kind) == [.pinChanged])
        try pin(1, true)
        #expect(try pin(1, true).events.isEmpty)
        let queries = community.queries(as: Course.leo)
        #expect(try queries.pins(workspace, chatter).map(\.sequence.rawValue) == [1, 3])
        try pin(3, false)
        #expect(try pin(3, false).events.isEmpty)
        #expect(try queries.pins(workspace, chatter).map(\.sequence.rawValue) == [1])
        #expect(try queries.channel(workspace, chatter).channel.pinCount == 1)
        #expect(try community.refusal(.setPinned(workspace: workspace, channel: chatter, sequence: ChannelSequence(9),
                                                 pinned: true), as: Course.lea)?.code == "message_not_found")
        // Message 1 is pinned; 99 more reach the bound of 100.
        for index in 5...103 {
            let message = try community.post("m\(index)", in: chatter, as: Course.lea)
            try pin(message.sequence.rawValue, true)
        }
        #expect(try queries.channel(workspace, chatter).channel.pinCount == 100)
        #expect(try community.refusal(.setPinned(workspace: workspace, channel: chatter,
                                                 sequence: ChannelSequence(2), pinned: true), as: Course.lea)?.code
            == "too_many_pins")
        #expect(try queries.pins(workspace, chatter).count == 100)
    }

    /// Proves read positions move both ways within the channel, posting marks one's own message read, and
    /// unread and mention counts follow.
    @Test func readStateAndUnreadCounts() throws {
        var community = try Course.world()
        func view(_ actor: Actor) throws -> ChannelView { try community.queries(as: actor).channel(workspace, chatter) }
        #expect(try view(Course.lia).unreadCount == 4 && view(Course.lia).mentionCount == 0)
        #expect(try view(Course.lea).unreadCount == 0)  // lea wrote the newest message
        try community.post("@lia look, and @nina, and @lea herself, and @lia again", in: chatter, as: Course.lea)
        try community.post("thanks @lia.", in: chatter, as: Course.leo)
        let message = try community.post("@lea? @ghost", in: chatter, as: Course.lia)
        #expect(message.mentions == [Course.lea.userID])
        #expect(try view(Course.lia).unreadCount == 0)
        try community.succeed(.markRead(workspace: workspace, channel: chatter, sequence: ChannelSequence(4)),
                              as: Course.lia)
        #expect(try view(Course.lia).unreadCount == 3 && view(Course.lia).mentionCount == 2)
        let state = try community.succeed(.markRead(workspace: workspace, channel: chatter,
                                                    sequence: ChannelSequence(6)), as: Course.lia)
        #expect(state.readState?.lastRead == ChannelSequence(6))
        #expect(try view(Course.lia).unreadCount == 1 && view(Course.lia).mentionCount == 0)
        #expect(try view(Course.lea).unreadCount == 2 && view(Course.lea).mentionCount == 1)
        #expect(try community.refusal(.markRead(workspace: workspace, channel: chatter, sequence: ChannelSequence(8)),
                                      as: Course.lia)?.code == "sequence_out_of_range")
        #expect(try community.refusal(.markRead(workspace: workspace, channel: Course.questions, sequence: .zero),
                                      as: Course.lia)?.kind == .forbidden)
        // Deleting a message takes its mentions with it.
        try community.succeed(.markRead(workspace: workspace, channel: chatter, sequence: ChannelSequence(4)),
                              as: Course.lia)
        try community.succeed(.deleteMessage(workspace: workspace, channel: chatter, sequence: ChannelSequence(5)),
                              as: Course.lea)
        #expect(try view(Course.lia).unreadCount == 3 && view(Course.lia).mentionCount == 1)
        #expect(try community.queries(as: Course.lia).message(workspace, chatter, ChannelSequence(5)).mentions.isEmpty)
        let mine = try community.queries(as: Course.lea).myChannels(workspace)
        #expect(mine.map(\.channel.id) == [Course.announcements, Course.chatter])
        #expect(mine.map(\.unreadCount) == [1, 2])
        let listed = try community.queries(as: Course.lea).channels(workspace)
        #expect(listed.map(\.channel.id) == [Course.announcements, Course.chatter, Course.questions, Course.techIssues])
        #expect(listed.map(\.isMember) == [true, true, false, false])
    }
}
