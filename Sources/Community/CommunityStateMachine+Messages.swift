import QuadCore

struct MessageDraft {
    var workspace: WorkspaceID
    var channel: ChannelID
    var text: String
    var threadRoot: ChannelSequence?
    var clientMessageID: String?
}

extension CommunityStateMachine {
    func postMessage<Base>(_ draft: MessageDraft, in transaction: inout Transaction<Base>) throws(ApplyFailure)
        -> Outcome {
        let (_, access) = try transaction.access(draft.workspace)
        var (channel, membership) = try transaction.visibleChannel(draft.workspace, draft.channel, access: access)
        let actor = transaction.actor.userID
        if let clientMessageID = draft.clientMessageID {
            try check { () throws(CommunityError) in try Validation.clientMessageID(clientMessageID) }
            let key = RowKey.clientMessage(draft.workspace, draft.channel, actor, clientMessageID)
            if let stored = try transaction.rawValue(key) {
                var reader = BinaryReader(stored)
                guard let sequence = try? reader.readSequence() else {
                    throw .storage(RowReadFailure("corrupt clientMessage row"))
                }
                return .message(try transaction.message(draft.workspace, draft.channel, sequence), duplicate: true)
            }
        }
        try check { () throws(CommunityError) in try Validation.messageText(draft.text) }
        guard access.canPost(in: channel, membership: membership, isReply: draft.threadRoot != nil) else {
            if channel.archived { throw .refused(.conflict("channel_archived", "The channel is archived.")) }
            if membership == nil { throw .refused(.forbidden("Join the channel to post in it.")) }
            throw .refused(.forbidden("Only instructors and moderators start threads here; reply in a thread."))
        }
        let sequence = channel.lastSequence.next
        var root: ChannelSequence?
        if let requested = draft.threadRoot {
            var rootMessage = try transaction.message(draft.workspace, draft.channel, requested)
            if let parent = rootMessage.threadRoot {  // a reply to a reply joins the root's thread
                rootMessage = try transaction.message(draft.workspace, draft.channel, parent)
            }
            guard !rootMessage.deleted else {
                throw .refused(.conflict("message_deleted", "The thread's first message was deleted."))
            }
            rootMessage.replyCount += 1
            rootMessage.lastReplyAt = transaction.now
            transaction.store(rootMessage, at: RowKey.message(draft.workspace, draft.channel, rootMessage.sequence))
            transaction.putRaw(RowKey.thread(draft.workspace, draft.channel, rootMessage.sequence, sequence), [])
            root = rootMessage.sequence
        }
        var mentioned: [UserID] = []
        for user in Validation.mentions(in: draft.text) where user != actor {
            guard try transaction.channelMember(draft.workspace, draft.channel, user) != nil else { continue }
            transaction.putRaw(RowKey.mention(draft.workspace, user, draft.channel, sequence), [])
            mentioned.append(user)
        }
        let message = Message(
            channelID: draft.channel, sequence: sequence, authorID: actor,
            authorName: transaction.actor.displayName, text: draft.text,
            createdAt: transaction.now, editedAt: nil, deleted: false, deletedBy: nil, threadRoot: root,
            replyCount: 0, lastReplyAt: nil, reactions: [], pinned: false, clientMessageID: draft.clientMessageID,
            mentions: mentioned)
        transaction.store(message, at: RowKey.message(draft.workspace, draft.channel, sequence))
        if let clientMessageID = draft.clientMessageID {
            var value = BinaryWriter()
            value.write(sequence)
            transaction.putRaw(RowKey.clientMessage(draft.workspace, draft.channel, actor, clientMessageID), value.bytes)
        }
        channel.lastSequence = sequence
        if var own = membership {  // one's own message is read
            own.lastRead = sequence
            transaction.store(own, at: RowKey.channelMember(draft.workspace, draft.channel, actor))
            membership = own
        }
        transaction.emit(.messageCreated, channel: &channel, messageSequence: sequence, user: actor)
        transaction.store(channel, at: RowKey.channel(draft.workspace, draft.channel))
        return .message(message, duplicate: false)
    }

    func editMessage<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ sequence: ChannelSequence,
                           _ text: String, in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, _) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        var message = try transaction.message(workspaceID, channelID, sequence)
        guard !message.deleted else { throw .refused(.messageNotFound) }
        guard message.authorID == transaction.actor.userID else {
            throw .refused(.forbidden("Only the author edits a message."))
        }
        guard !channel.archived else { throw .refused(.conflict("channel_archived", "The channel is archived.")) }
        try check { () throws(CommunityError) in try Validation.messageText(text) }
        message.text = text
        message.editedAt = transaction.now
        transaction.store(message, at: RowKey.message(workspaceID, channelID, sequence))
        transaction.emit(.messageEdited, channel: &channel, messageSequence: sequence, user: message.authorID)
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        return .message(message, duplicate: false)
    }

    /// Leaves a tombstone: the sequence, author and thread structure stay, the text goes.
    func deleteMessage<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ sequence: ChannelSequence,
                             in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, _) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        var message = try transaction.message(workspaceID, channelID, sequence)
        guard !message.deleted else { throw .refused(.messageNotFound) }
        guard message.authorID == transaction.actor.userID || access.canModerate(channel) else {
            throw .refused(.forbidden("Only the author, moderators and instructors delete a message."))
        }
        message.text = ""
        message.deleted = true
        message.deletedBy = transaction.actor.userID
        message.reactions = []
        for user in message.mentions {  // a deleted message no longer counts as a mention
            transaction.delete(RowKey.mention(workspaceID, user, channelID, sequence))
        }
        message.mentions = []
        if message.pinned {
            message.pinned = false
            channel.pinCount -= 1
            transaction.delete(RowKey.pin(workspaceID, channelID, sequence))
        }
        transaction.store(message, at: RowKey.message(workspaceID, channelID, sequence))
        transaction.emit(.messageDeleted, channel: &channel, messageSequence: sequence, user: message.authorID)
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        return .message(message, duplicate: false)
    }

    func setReaction<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ sequence: ChannelSequence,
                           emoji: String, present: Bool, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        guard membership != nil else { throw .refused(.forbidden("Join the channel to react.")) }
        try check { () throws(CommunityError) in try Validation.emoji(emoji) }
        var message = try transaction.message(workspaceID, channelID, sequence)
        guard !message.deleted else { throw .refused(.messageNotFound) }
        let user = transaction.actor.userID
        var changed = false
        if let position = message.reactions.firstIndex(where: { $0.emoji == emoji }) {
            let has = message.reactions[position].users.contains(user)
            if present && !has {
                message.reactions[position].users.append(user)
                changed = true
            } else if !present && has {
                message.reactions[position].users.removeAll { $0 == user }
                if message.reactions[position].users.isEmpty { message.reactions.remove(at: position) }
                changed = true
            }
        } else if present {
            guard message.reactions.count < Limits.reactionsPerMessageMax else {
                throw .refused(.init(.limitExceeded, "too_many_reactions",
                                     "A message has at most \(Limits.reactionsPerMessageMax) different reactions."))
            }
            message.reactions.append(Reaction(emoji: emoji, users: [user]))
            changed = true
        }
        if changed {
            transaction.store(message, at: RowKey.message(workspaceID, channelID, sequence))
            transaction.emit(.reactionChanged, channel: &channel, messageSequence: sequence, user: user)
            transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        }
        return .message(message, duplicate: false)
    }

    func setPinned<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ sequence: ChannelSequence,
                         pinned: Bool, in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        guard membership != nil else { throw .refused(.forbidden("Join the channel to pin messages.")) }
        var message = try transaction.message(workspaceID, channelID, sequence)
        guard !message.deleted else { throw .refused(.messageNotFound) }
        guard message.pinned != pinned else { return .message(message, duplicate: false) }
        if pinned {
            guard channel.pinCount < UInt32(Limits.pinsPerChannelMax) else {
                throw .refused(.init(.limitExceeded, "too_many_pins",
                                     "A channel has at most \(Limits.pinsPerChannelMax) pinned messages."))
            }
            channel.pinCount += 1
            transaction.putRaw(RowKey.pin(workspaceID, channelID, sequence), [])
        } else {
            channel.pinCount -= 1
            transaction.delete(RowKey.pin(workspaceID, channelID, sequence))
        }
        message.pinned = pinned
        transaction.store(message, at: RowKey.message(workspaceID, channelID, sequence))
        transaction.emit(.pinChanged, channel: &channel, messageSequence: sequence, user: transaction.actor.userID)
        transaction.store(channel, at: RowKey.channel(workspaceID, channelID))
        return .message(message, duplicate: false)
    }

    /// Sets the caller's read position (backwards too: "mark as unread").
    func markRead<Base>(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ sequence: ChannelSequence,
                        in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        let (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
        guard var own = membership else { throw .refused(.forbidden("Join the channel to track reading.")) }
        guard sequence <= channel.lastSequence else {
            throw .refused(.invalid("sequence_out_of_range",
                                    "The channel's newest message is \(channel.lastSequence)."))
        }
        own.lastRead = sequence
        transaction.store(own, at: RowKey.channelMember(workspaceID, channelID, own.userID))
        return .readState(own)
    }
}
