import QuadCore

/// A page of results and the cursor for the next one.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public var items: [Item]
    /// Pass as `after`/`before` (or `cursor`) to continue; nil at the end.
    public var nextCursor: String?
}

/// A channel as one member sees it: the channel plus their unread and mention counts.
public struct ChannelView: Sendable, Encodable, Equatable {
    public var channel: Channel
    public var isMember: Bool
    public var lastRead: ChannelSequence?
    public var unreadCount: UInt64
    public var mentionCount: UInt64
}

/// A workspace in "my workspaces", with the caller's role.
public struct MembershipView: Sendable, Encodable, Equatable {
    public var workspace: Workspace
    public var role: WorkspaceRole
}

/// Which way a history page runs from its cursor.
public enum HistoryDirection: Sendable, Equatable {
    /// Newest first, strictly older than `before` (or from the newest when nil).
    case before(ChannelSequence?)
    /// Oldest first, strictly newer than `after`.
    case after(ChannelSequence)
}

/// Read-side functions over one partition's rows, with the same permission rules as writes.
/// Throws `CommunityError` for refusals and `RowReadFailure` when rows cannot be read.
public struct CommunityQueries<Reader: RowReader> {
    public let reader: Reader
    public let actor: Actor

    /// Counting mentions stops here: a badge shows "1000+" past it, and the scan stays bounded.
    public static var mentionCountMax: Int { 1000 }

    public init(reader: Reader, actor: Actor) {
        self.reader = reader
        self.actor = actor
    }

    var transaction: Transaction<Reader> {
        Transaction(base: reader, changes: ChangeSet(), now: 0, actor: actor)
    }

    func run<T>(_ body: (Transaction<Reader>) throws(ApplyFailure) -> T) throws -> T {
        do {
            return try body(transaction)
        } catch {
            switch error {
            case .refused(let reason): throw reason
            case .storage(let failure): throw failure
            }
        }
    }

    public func platform(_ id: PlatformID) throws -> Platform {
        try run { (transaction) throws(ApplyFailure) in
            guard let platform = try transaction.load(Platform.self, RowKey.platform(id)) else {
                throw .refused(.platformNotFound)
            }
            return platform
        }
    }

    public func workspace(_ id: WorkspaceID) throws -> (Workspace, WorkspaceAccess) {
        try run { (transaction) throws(ApplyFailure) in try transaction.access(id) }
    }

    /// Members in user-ID order, after `cursor`.
    public func members(_ workspaceID: WorkspaceID, after cursor: UserID?, limit: Int) throws -> Page<Member> {
        try run { (transaction) throws(ApplyFailure) in
            _ = try transaction.access(workspaceID)
            let prefix = RowKey(.member).adding(workspaceID)
            let start = cursor.map { prefix.adding($0).prefixEnd } ?? prefix.bytes
            let pairs = try scan(transaction, from: start, to: prefix.prefixEnd, limit: limit + 1)
            var members: [Member] = []
            for pair in pairs.prefix(limit) { members.append(try decode(Member.self, pair.value)) }
            return Page(items: members, nextCursor: pairs.count > limit ? members.last?.userID.rawValue : nil)
        }
    }

    /// The workspace's channels the caller may see: public ones, private ones they are in
    /// (all of them for admins), and their direct messages.
    public func channels(_ workspaceID: WorkspaceID) throws -> [ChannelView] {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            let pairs = try transaction.scan(prefix: RowKey(.channel).adding(workspaceID),
                                             limit: Limits.channelsPerWorkspaceMax + 1)
            var views: [ChannelView] = []
            for pair in pairs {
                let channel = try decode(Channel.self, pair.value)
                if channel.visibility == .direct && !channel.directMembers.contains(actor.userID) { continue }
                let membership = try transaction.channelMember(workspaceID, channel.id, actor.userID)
                guard access.canSee(channel, membership: membership) else { continue }
                views.append(try view(channel, membership: membership, transaction: transaction))
            }
            return views
        }
    }

    /// Only the channels the caller is a member of ("my channels"), with unread counts.
    public func myChannels(_ workspaceID: WorkspaceID) throws -> [ChannelView] {
        try run { (transaction) throws(ApplyFailure) in
            _ = try transaction.access(workspaceID)
            let pairs = try transaction.scan(prefix: RowKey(.userChannel).adding(workspaceID).adding(actor.userID),
                                             limit: Limits.channelsPerWorkspaceMax)
            var views: [ChannelView] = []
            for pair in pairs {
                var reader = BinaryReader(pair.value)
                guard let channelID: ChannelID = try? reader.readIdentifier(),
                      let channel = try transaction.load(Channel.self, RowKey.channel(workspaceID, channelID))
                else { continue }
                let membership = try transaction.channelMember(workspaceID, channelID, actor.userID)
                views.append(try view(channel, membership: membership, transaction: transaction))
            }
            return views
        }
    }

    public func channel(_ workspaceID: WorkspaceID, _ channelID: ChannelID) throws -> ChannelView {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            let (channel, membership) = try transaction.visibleChannel(workspaceID, channelID, access: access)
            return try view(channel, membership: membership, transaction: transaction)
        }
    }

    /// The channel with `slug`, or nil when there is none the caller may see (a deep link to a
    /// channel that was renamed or is private lands in the workspace instead).
    public func channel(_ workspaceID: WorkspaceID, slug: String) throws -> ChannelView? {
        try run { (transaction) throws(ApplyFailure) -> ChannelView? in
            let (_, access) = try transaction.access(workspaceID)
            guard let raw = try transaction.rawValue(RowKey.channelSlug(workspaceID, slug)),
                  let channelID = ChannelID(rawValue: String(decoding: raw, as: UTF8.self)),
                  let channel = try transaction.load(Channel.self, RowKey.channel(workspaceID, channelID))
            else { return nil }
            let membership = try transaction.channelMember(workspaceID, channelID, actor.userID)
            guard access.canSee(channel, membership: membership) else { return nil }
            return try view(channel, membership: membership, transaction: transaction)
        }
    }

    /// Channel members in user-ID order.
    public func channelMembers(_ workspaceID: WorkspaceID, _ channelID: ChannelID, after cursor: UserID?,
                               limit: Int) throws -> Page<ChannelMember> {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            _ = try transaction.visibleChannel(workspaceID, channelID, access: access)
            let prefix = RowKey(.channelMember).adding(workspaceID).adding(channelID)
            let start = cursor.map { prefix.adding($0).prefixEnd } ?? prefix.bytes
            let pairs = try scan(transaction, from: start, to: prefix.prefixEnd, limit: limit + 1)
            var members: [ChannelMember] = []
            for pair in pairs.prefix(limit) { members.append(try decode(ChannelMember.self, pair.value)) }
            return Page(items: members, nextCursor: pairs.count > limit ? members.last?.userID.rawValue : nil)
        }
    }

    /// One page of a channel's history; the cursor is the last sequence returned.
    public func history(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ direction: HistoryDirection,
                        limit: Int) throws -> Page<Message> {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            _ = try transaction.visibleChannel(workspaceID, channelID, access: access)
            let prefix = RowKey(.message).adding(workspaceID).adding(channelID)
            let pairs: [RowPair]
            switch direction {
            case .before(let before):
                let end = before.map { prefix.adding($0).bytes } ?? prefix.prefixEnd
                pairs = try scan(transaction, from: prefix.bytes, to: end, limit: limit + 1, reverse: true)
            case .after(let after):
                // The cursor comes from the client: nothing follows the last sequence (and .next would trap).
                guard after.rawValue < UInt64.max else { return Page(items: [], nextCursor: nil) }
                pairs = try scan(transaction, from: prefix.adding(after.next).bytes, to: prefix.prefixEnd,
                                 limit: limit + 1)
            }
            var messages: [Message] = []
            for pair in pairs.prefix(limit) { messages.append(try decode(Message.self, pair.value)) }
            let more = pairs.count > limit
            return Page(items: messages, nextCursor: more ? messages.last.map { String($0.sequence.rawValue) } : nil)
        }
    }

    /// A thread: its root and replies in order, after `cursor`.
    public func thread(_ workspaceID: WorkspaceID, _ channelID: ChannelID, root: ChannelSequence,
                       after cursor: ChannelSequence?, limit: Int) throws -> (Message, Page<Message>) {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            _ = try transaction.visibleChannel(workspaceID, channelID, access: access)
            let rootMessage = try transaction.message(workspaceID, channelID, root)
            guard rootMessage.threadRoot == nil else { throw .refused(.messageNotFound) }
            if let cursor, cursor.rawValue == UInt64.max { return (rootMessage, Page(items: [], nextCursor: nil)) }
            let prefix = RowKey(.thread).adding(workspaceID).adding(channelID).adding(root)
            let start = cursor.map { prefix.adding($0.next).bytes } ?? prefix.bytes
            let pairs = try scan(transaction, from: start, to: prefix.prefixEnd, limit: limit + 1)
            var replies: [Message] = []
            for pair in pairs.prefix(limit) {
                var key = BinaryReader(Array(pair.key.suffix(8)))
                guard let sequence = try? key.readSequence() else {
                    throw .storage(RowReadFailure("corrupt thread key"))
                }
                replies.append(try transaction.message(workspaceID, channelID, sequence))
            }
            let more = pairs.count > limit
            return (rootMessage, Page(items: replies,
                                      nextCursor: more ? replies.last.map { String($0.sequence.rawValue) } : nil))
        }
    }

    /// Pinned messages, oldest first.
    public func pins(_ workspaceID: WorkspaceID, _ channelID: ChannelID) throws -> [Message] {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            _ = try transaction.visibleChannel(workspaceID, channelID, access: access)
            let pairs = try transaction.scan(prefix: RowKey(.pin).adding(workspaceID).adding(channelID),
                                             limit: Limits.pinsPerChannelMax)
            var messages: [Message] = []
            for pair in pairs {
                var key = BinaryReader(Array(pair.key.suffix(8)))
                guard let sequence = try? key.readSequence() else {
                    throw .storage(RowReadFailure("corrupt pin key"))
                }
                messages.append(try transaction.message(workspaceID, channelID, sequence))
            }
            return messages
        }
    }

    /// The caller's workspaces held in this partition (the node merges all partitions).
    public func myWorkspaces() throws -> [MembershipView] {
        try run { (transaction) throws(ApplyFailure) in
            let pairs = try transaction.scan(prefix: RowKey(.userWorkspace).adding(actor.userID),
                                             limit: Limits.workspacesPerUserMax)
            var views: [MembershipView] = []
            for pair in pairs {
                guard let roleByte = pair.value.first, let role = WorkspaceRole(rawValue: roleByte) else {
                    throw .storage(RowReadFailure("corrupt userWorkspace row"))
                }
                var key = BinaryReader(Array(pair.key.dropFirst()))
                guard (try? key.readKeyString()) != nil, let raw = try? key.readKeyString(),
                      let id = WorkspaceID(rawValue: raw),
                      let workspace = try transaction.load(Workspace.self, RowKey.workspace(id))
                else { continue }
                views.append(MembershipView(workspace: workspace, role: role))
            }
            return views
        }
    }

    /// Events of one stream after `sequence`, for resuming subscribers. Throws
    /// `resync_required` when the stream has already dropped events the caller needs.
    /// A channel's stream is readable by whoever may see the channel (404 otherwise, as for
    /// its history); the workspace stream by every member and admin.
    public func events(_ workspaceID: WorkspaceID, stream: String, after sequence: UInt64, limit: Int) throws
        -> [Event] {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            if stream != EventStream.workspace {
                guard let channelID = ChannelID(rawValue: stream) else { throw .refused(.channelNotFound) }
                _ = try transaction.visibleChannel(workspaceID, channelID, access: access)
            }
            guard sequence < UInt64.max else { return [] }  // client input: sequence + 1 would trap
            let prefix = RowKey(.event).adding(workspaceID).adding(stream)
            let pairs = try scan(transaction, from: prefix.adding(ChannelSequence(sequence + 1)).bytes,
                                 to: prefix.prefixEnd, limit: limit)
            var events: [Event] = []
            for pair in pairs { events.append(try decode(Event.self, pair.value)) }
            if let first = events.first, first.eventSequence != sequence + 1 {
                throw .refused(.conflict("resync_required",
                                         "Events after \(sequence) are no longer kept; reload and resubscribe."))
            }
            return events
        }
    }

    /// Loads a message the caller may see (for hydrating events).
    public func message(_ workspaceID: WorkspaceID, _ channelID: ChannelID, _ sequence: ChannelSequence) throws
        -> Message {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            _ = try transaction.visibleChannel(workspaceID, channelID, access: access)
            return try transaction.message(workspaceID, channelID, sequence)
        }
    }

    // MARK: Helpers

    private func view(_ channel: Channel, membership: ChannelMember?, transaction: Transaction<Reader>)
        throws(ApplyFailure) -> ChannelView {
        guard let membership else {
            return ChannelView(channel: channel, isMember: false, lastRead: nil, unreadCount: 0, mentionCount: 0)
        }
        let unread = channel.lastSequence.rawValue - min(membership.lastRead.rawValue, channel.lastSequence.rawValue)
        var mentions: UInt64 = 0
        if unread > 0 {
            let prefix = RowKey(.mention).adding(channel.workspaceID).adding(actor.userID).adding(channel.id)
            mentions = UInt64(try scan(transaction, from: prefix.adding(membership.lastRead.next).bytes,
                                       to: prefix.prefixEnd, limit: Self.mentionCountMax).count)
        }
        return ChannelView(channel: channel, isMember: true, lastRead: membership.lastRead, unreadCount: unread,
                           mentionCount: mentions)
    }

    private func scan(_ transaction: Transaction<Reader>, from lower: [UInt8], to upper: [UInt8], limit: Int,
                      reverse: Bool = false) throws(ApplyFailure) -> [RowPair] {
        do {
            return try transaction.reader.scan(from: lower, to: upper, reverse: reverse, limit: limit)
        } catch {
            throw .storage(RowReadFailure("scan failed: \(error)"))
        }
    }

    func decode<Row: RowCodable>(_ type: Row.Type, _ bytes: [UInt8]) throws(ApplyFailure) -> Row {
        do { return try Row(row: bytes) } catch { throw .storage(RowReadFailure("corrupt \(Row.self) row: \(error)")) }
    }
}
