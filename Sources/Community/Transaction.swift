import QuadCore

/// The rows one command reads and writes: typed getters over a `RowReader` plus the
/// pending `ChangeSet`, so a command sees its own writes.
struct Transaction<Base: RowReader> {
    let base: Base
    var changes: ChangeSet
    var events: [Event] = []
    let now: Int64
    let actor: Actor

    var reader: OverlayReader<Base> { OverlayReader(base: base, changes: changes) }

    func load<Row: RowCodable>(_ type: Row.Type, _ key: [UInt8]) throws(ApplyFailure) -> Row? {
        let bytes: [UInt8]?
        do { bytes = try reader.get(key) } catch { throw .storage(RowReadFailure("read failed: \(error)")) }
        guard let bytes else { return nil }
        do { return try Row(row: bytes) } catch { throw .storage(RowReadFailure("corrupt \(Row.self) row: \(error)")) }
    }

    func exists(_ key: [UInt8]) throws(ApplyFailure) -> Bool {
        do { return try reader.get(key) != nil } catch { throw .storage(RowReadFailure("read failed: \(error)")) }
    }

    func rawValue(_ key: [UInt8]) throws(ApplyFailure) -> [UInt8]? {
        do { return try reader.get(key) } catch { throw .storage(RowReadFailure("read failed: \(error)")) }
    }

    func scan(prefix: RowKey, limit: Int, reverse: Bool = false) throws(ApplyFailure) -> [RowPair] {
        do {
            return try reader.scan(from: prefix.bytes, to: prefix.prefixEnd, reverse: reverse, limit: limit)
        } catch {
            throw .storage(RowReadFailure("scan failed: \(error)"))
        }
    }

    mutating func store<Row: RowCodable>(_ row: Row, at key: [UInt8]) { changes.put(key, row.encodedRow()) }
    mutating func putRaw(_ key: [UInt8], _ value: [UInt8]) { changes.put(key, value) }
    mutating func delete(_ key: [UInt8]) { changes.delete(key) }

    // MARK: Typed loads that fail with the API's errors

    func workspace(_ id: WorkspaceID) throws(ApplyFailure) -> Workspace {
        guard let workspace = try load(Workspace.self, RowKey.workspace(id)) else {
            throw .refused(.workspaceNotFound)
        }
        return workspace
    }

    func member(_ workspace: WorkspaceID, _ user: UserID) throws(ApplyFailure) -> Member? {
        try load(Member.self, RowKey.member(workspace, user))
    }

    func channelMember(_ workspace: WorkspaceID, _ channel: ChannelID, _ user: UserID) throws(ApplyFailure)
        -> ChannelMember? {
        try load(ChannelMember.self, RowKey.channelMember(workspace, channel, user))
    }

    /// The caller's standing in a workspace; non-members other than admins get 404 so that
    /// workspace IDs cannot be probed.
    func access(_ workspaceID: WorkspaceID) throws(ApplyFailure) -> (Workspace, WorkspaceAccess) {
        let workspace = try workspace(workspaceID)
        let member = try member(workspaceID, actor.userID)
        let access = WorkspaceAccess(isAdmin: actor.isAdmin, member: member)
        guard access.canSeeWorkspace else { throw .refused(.workspaceNotFound) }
        return (workspace, access)
    }

    /// A channel the caller may see; 404 otherwise (never 403: private channels stay secret).
    func visibleChannel(_ workspaceID: WorkspaceID, _ channelID: ChannelID, access: WorkspaceAccess)
        throws(ApplyFailure) -> (Channel, ChannelMember?) {
        guard let channel = try load(Channel.self, RowKey.channel(workspaceID, channelID)) else {
            throw .refused(.channelNotFound)
        }
        let membership = try channelMember(workspaceID, channelID, actor.userID)
        guard access.canSee(channel, membership: membership) else { throw .refused(.channelNotFound) }
        return (channel, membership)
    }

    func message(_ workspace: WorkspaceID, _ channel: ChannelID, _ sequence: ChannelSequence)
        throws(ApplyFailure) -> Message {
        guard let message = try load(Message.self, RowKey.message(workspace, channel, sequence)) else {
            throw .refused(.messageNotFound)
        }
        return message
    }

    // MARK: Events

    /// Appends an event to a stream, keeping at most `EventStream.retainedEventsMax`.
    mutating func emit(_ kind: EventKind, workspace: inout Workspace, channel: ChannelID? = nil,
                       messageSequence: ChannelSequence? = nil, user: UserID? = nil) {
        workspace.eventSequence += 1
        appendEvent(kind, workspaceID: workspace.id, stream: EventStream.workspace,
                    sequence: workspace.eventSequence, channel: channel, messageSequence: messageSequence, user: user)
    }

    mutating func emit(_ kind: EventKind, channel: inout Channel, messageSequence: ChannelSequence? = nil,
                       user: UserID? = nil) {
        channel.eventSequence += 1
        appendEvent(kind, workspaceID: channel.workspaceID, stream: channel.id.rawValue,
                    sequence: channel.eventSequence, channel: channel.id, messageSequence: messageSequence, user: user)
    }

    private mutating func appendEvent(_ kind: EventKind, workspaceID: WorkspaceID, stream: String, sequence: UInt64,
                                      channel: ChannelID?, messageSequence: ChannelSequence?, user: UserID?) {
        let event = Event(workspaceID: workspaceID, stream: stream, eventSequence: sequence, kind: kind,
                          channelID: channel, messageSequence: messageSequence, userID: user,
                          actorID: actor.userID, at: now)
        store(event, at: RowKey.event(workspaceID, stream, sequence))
        if sequence > EventStream.retainedEventsMax {
            delete(RowKey.event(workspaceID, stream, sequence - EventStream.retainedEventsMax))
        }
        events.append(event)
    }
}

/// How applying a command can fail: refused (a deterministic, user-facing answer) or
/// unable to read its rows (the node must stop rather than diverge).
enum ApplyFailure: Error {
    case refused(CommunityError)
    case storage(RowReadFailure)
}

