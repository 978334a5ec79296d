/// The binary encoding of commands as stored in Raft log entries.
///
/// Layout: `formatVersion u8, timestamp i64, actor, tag u8, fields`. Tags are never
/// reused; a new command gets a new tag and a new field goes at the end of its case
/// behind a new format version, so a node decodes every entry an older node wrote.
/// A node that meets a tag or version it does not know refuses the entry with an error
/// rather than guessing (docs/decisions/0001-single-node-design.md).
extension Command {
    /// The current encoding version.
    public static let formatVersion: UInt8 = 1

    /// Encodes the command.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        writer.write(Command.formatVersion)
        writer.write(timestampMilliseconds)
        writer.write(actor.userID.rawValue)
        writer.write(actor.displayName)
        writer.write(actor.isAdmin)
        body.encode(into: &writer)
        return writer.bytes
    }

    /// Decodes bytes written by `encoded()`; throws on anything else.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var reader = BinaryReader(bytes)
        let version = try reader.readUInt8()
        guard version == Command.formatVersion else {
            throw DecodingError("unknown command format version \(version)")
        }
        let timestamp = try reader.readInt64()
        let actor = Actor(userID: try reader.readIdentifier(), displayName: try reader.readString(),
                          isAdmin: try reader.readBool())
        let body = try CommandBody(from: &reader)
        try reader.expectEnd()
        self.init(actor: actor, timestampMilliseconds: timestamp, body: body)
    }
}

extension BinaryReader {
    /// Reads an identifier and validates it.
    public mutating func readIdentifier<ID: StringIdentifier>() throws(DecodingError) -> ID {
        let raw = try readString()
        guard let value = ID(rawValue: raw) else { throw DecodingError("invalid identifier") }
        return value
    }

    public mutating func readSequence() throws(DecodingError) -> ChannelSequence {
        ChannelSequence(try readUInt64())
    }

    /// Reads a u8 as an enum case, rejecting unknown values.
    public mutating func readEnum<E: RawRepresentable>(_ type: E.Type) throws(DecodingError) -> E
    where E.RawValue == UInt8 {
        let raw = try readUInt8()
        guard let value = E(rawValue: raw) else { throw DecodingError("unknown \(E.self) \(raw)") }
        return value
    }

    /// Reads a u32 count, refusing counts above `maximum` before allocating anything.
    public mutating func readCount(maximum: Int) throws(DecodingError) -> Int {
        let count = Int(try readUInt32())
        guard count <= maximum else { throw DecodingError("count \(count) above \(maximum)") }
        return count
    }

    /// Reads a u32 count of elements that take at least one byte each, refusing counts above the
    /// bytes left. Commands use this rather than the business limits: a command is in the log before
    /// the state machine refuses it, so the codec must decode every list `encoded()` can write, or a
    /// node could never replay its log.
    public mutating func readElementCount() throws(DecodingError) -> Int {
        let count = Int(try readUInt32())
        guard count <= remainingCount else {
            throw DecodingError("count \(count) exceeds the \(remainingCount) bytes left")
        }
        return count
    }
}

extension BinaryWriter {
    public mutating func write<ID: StringIdentifier>(_ identifier: ID) { write(identifier.rawValue) }
    public mutating func write(_ sequence: ChannelSequence) { write(sequence.rawValue) }
    public mutating func write(_ sequence: ChannelSequence?) {
        write(sequence != nil)
        if let sequence { write(sequence.rawValue) }
    }
    public mutating func writeCount(_ count: Int) { write(UInt32(count)) }
}

extension CommandBody {
    /// Stable tags: never renumber, never reuse.
    enum Tag: UInt8 {
        case createPlatform = 1, createWorkspace = 2, putMembers = 3, removeMember = 4
        case createChannel = 5, updateChannel = 6, joinChannel = 7, addChannelMembers = 8
        case removeChannelMember = 9, openDirectChannel = 10, postMessage = 11, editMessage = 12
        case deleteMessage = 13, setReaction = 14, setPinned = 15, markRead = 16
        case identity = 17
        case createLiveSession = 18, updateLiveSession = 19, deleteLiveSession = 20
        case setLiveSessionOccurrenceCancelled = 21, setLiveSessionJoinWindow = 22, setCalendarFeedToken = 23
        case setMeetingProviderCredentials = 24, remindLiveSession = 25

    }

    func encode(into writer: inout BinaryWriter) {
        switch self {
        case let .createPlatform(platform, name):
            writer.write(Tag.createPlatform.rawValue)
            writer.write(platform)
            writer.write(name)
        case let .createWorkspace(workspace, platform, kind, name, externalID, templates, channelIDs):
            writer.write(Tag.createWorkspace.rawValue)
            writer.write(workspace)
            writer.write(platform)
            writer.write(kind.rawValue)
            writer.write(name)
            writer.write(externalID)
            writer.writeCount(templates.count)
            for template in templates { writer.write(template.rawValue) }
            writer.writeCount(channelIDs.count)
            for channel in channelIDs { writer.write(channel) }
        case let .putMembers(workspace, members):
            writer.write(Tag.putMembers.rawValue)
            writer.write(workspace)
            writer.writeCount(members.count)
            for member in members {
                writer.write(member.userID)
                writer.write(member.role.rawValue)
                writer.write(member.displayName)
            }
        case let .removeMember(workspace, user):
            writer.write(Tag.removeMember.rawValue)
            writer.write(workspace)
            writer.write(user)
        case let .createChannel(workspace, channel, spec):
            writer.write(Tag.createChannel.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(spec.name)
            writer.write(spec.slug)
            writer.write(spec.visibility.rawValue)
            writer.write(spec.purpose)
            writer.write(spec.header)
            writer.write(spec.postingPolicy.rawValue)
        case let .updateChannel(workspace, channel, patch):
            writer.write(Tag.updateChannel.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(patch.name)
            writer.write(patch.slug)
            writer.write(patch.purpose)
            writer.write(patch.header)
            writer.write(patch.postingPolicy?.rawValue ?? 0)
            writer.write(patch.archived.map { $0 ? UInt8(2) : UInt8(1) } ?? 0)
        case let .joinChannel(workspace, channel):
            writer.write(Tag.joinChannel.rawValue)
            writer.write(workspace)
            writer.write(channel)
        case let .addChannelMembers(workspace, channel, users):
            writer.write(Tag.addChannelMembers.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.writeCount(users.count)
            for user in users { writer.write(user) }
        case let .removeChannelMember(workspace, channel, user):
            writer.write(Tag.removeChannelMember.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(user)
        case let .openDirectChannel(workspace, users):
            writer.write(Tag.openDirectChannel.rawValue)
            writer.write(workspace)
            writer.writeCount(users.count)
            for user in users { writer.write(user) }
        case let .postMessage(workspace, channel, text, threadRoot, clientMessageID):
            writer.write(Tag.postMessage.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(text)
            writer.write(threadRoot)
            writer.write(clientMessageID)
        case let .editMessage(workspace, channel, sequence, text):
            writer.write(Tag.editMessage.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(sequence)
            writer.write(text)
        case let .deleteMessage(workspace, channel, sequence):
            writer.write(Tag.deleteMessage.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(sequence)
        case let .setReaction(workspace, channel, sequence, emoji, present):
            writer.write(Tag.setReaction.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(sequence)
            writer.write(emoji)
            writer.write(present)
        case let .setPinned(workspace, channel, sequence, pinned):
            writer.write(Tag.setPinned.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(sequence)
            writer.write(pinned)
        case let .markRead(workspace, channel, sequence):
            writer.write(Tag.markRead.rawValue)
            writer.write(workspace)
            writer.write(channel)
            writer.write(sequence)
        case let .identity(command):
            writer.write(Tag.identity.rawValue)
            command.encode(into: &writer)
        case .createLiveSession, .updateLiveSession, .deleteLiveSession, .setLiveSessionOccurrenceCancelled,
             .setLiveSessionJoinWindow, .setCalendarFeedToken, .setMeetingProviderCredentials,
             .remindLiveSession:
            encodeLiveSession(into: &writer)

        }
    }

    init(from reader: inout BinaryReader) throws(DecodingError) {
        let rawTag = try reader.readUInt8()
        guard let tag = Tag(rawValue: rawTag) else { throw DecodingError("unknown command tag \(rawTag)") }
        switch tag {
        case .createPlatform:
            self = .createPlatform(platform: try reader.readIdentifier(), name: try reader.readString())
        case .createWorkspace:
            let workspace: WorkspaceID = try reader.readIdentifier()
            let platform: PlatformID = try reader.readIdentifier()
            let kind = try reader.readEnum(WorkspaceKind.self)
            let name = try reader.readString()
            let externalID = try reader.readOptionalString()
            var templates: [ChannelTemplate] = []
            for _ in 0..<(try reader.readElementCount()) {
                templates.append(try reader.readEnum(ChannelTemplate.self))
            }
            var channels: [ChannelID] = []
            for _ in 0..<(try reader.readElementCount()) {
                channels.append(try reader.readIdentifier())
            }
            self = .createWorkspace(workspace: workspace, platform: platform, kind: kind, name: name,
                                    externalID: externalID, templates: templates, templateChannelIDs: channels)
        case .putMembers:
            let workspace: WorkspaceID = try reader.readIdentifier()
            var members: [MemberSpec] = []
            for _ in 0..<(try reader.readElementCount()) {
                members.append(MemberSpec(userID: try reader.readIdentifier(),
                                          role: try reader.readEnum(WorkspaceRole.self),
                                          displayName: try reader.readOptionalString()))
            }
            self = .putMembers(workspace: workspace, members: members)
        case .removeMember:
            self = .removeMember(workspace: try reader.readIdentifier(), user: try reader.readIdentifier())
        case .createChannel:
            let workspace: WorkspaceID = try reader.readIdentifier()
            let channel: ChannelID = try reader.readIdentifier()
            let spec = ChannelSpec(
                name: try reader.readString(), slug: try reader.readString(),
                visibility: try reader.readEnum(ChannelVisibility.self), purpose: try reader.readString(),
                header: try reader.readString(), postingPolicy: try reader.readEnum(PostingPolicy.self))
            self = .createChannel(workspace: workspace, channel: channel, spec: spec)
        case .updateChannel:
            let workspace: WorkspaceID = try reader.readIdentifier()
            let channel: ChannelID = try reader.readIdentifier()
            var patch = ChannelPatch(name: try reader.readOptionalString(), slug: try reader.readOptionalString(),
                                     purpose: try reader.readOptionalString(),
                                     header: try reader.readOptionalString())
            let policy = try reader.readUInt8()
            if policy != 0 {
                guard let value = PostingPolicy(rawValue: policy) else { throw DecodingError("bad policy") }
                patch.postingPolicy = value
            }
            switch try reader.readUInt8() {
            case 0: patch.archived = nil
            case 1: patch.archived = false
            case 2: patch.archived = true
            default: throw DecodingError("bad archived flag")
            }
            self = .updateChannel(workspace: workspace, channel: channel, patch: patch)
        case .joinChannel:
            self = .joinChannel(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier())
        case .addChannelMembers:
            let workspace: WorkspaceID = try reader.readIdentifier()
            let channel: ChannelID = try reader.readIdentifier()
            var users: [UserID] = []
            for _ in 0..<(try reader.readElementCount()) {
                users.append(try reader.readIdentifier())
            }
            self = .addChannelMembers(workspace: workspace, channel: channel, users: users)
        case .removeChannelMember:
            self = .removeChannelMember(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier(),
                                        user: try reader.readIdentifier())
        case .openDirectChannel:
            let workspace: WorkspaceID = try reader.readIdentifier()
            var users: [UserID] = []
            for _ in 0..<(try reader.readElementCount()) {
                users.append(try reader.readIdentifier())
            }
            self = .openDirectChannel(workspace: workspace, users: users)
        case .postMessage:
            let workspace: WorkspaceID = try reader.readIdentifier()
            let channel: ChannelID = try reader.readIdentifier()
            let text = try reader.readString()
            let root: ChannelSequence? = try reader.readBool() ? try reader.readSequence() : nil
            self = .postMessage(workspace: workspace, channel: channel, text: text, threadRoot: root,
                                clientMessageID: try reader.readOptionalString())
        case .editMessage:
            self = .editMessage(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier(),
                                sequence: try reader.readSequence(), text: try reader.readString())
        case .deleteMessage:
            self = .deleteMessage(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier(),
                                  sequence: try reader.readSequence())
        case .setReaction:
            self = .setReaction(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier(),
                                sequence: try reader.readSequence(), emoji: try reader.readString(),
                                present: try reader.readBool())
        case .setPinned:
            self = .setPinned(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier(),
                              sequence: try reader.readSequence(), pinned: try reader.readBool())
        case .markRead:
            self = .markRead(workspace: try reader.readIdentifier(), channel: try reader.readIdentifier(),
                             sequence: try reader.readSequence())
        case .identity:
            self = .identity(try IdentityCommand(from: &reader))
        case .createLiveSession, .updateLiveSession, .deleteLiveSession, .setLiveSessionOccurrenceCancelled,
             .setLiveSessionJoinWindow, .setCalendarFeedToken, .setMeetingProviderCredentials,
             .remindLiveSession:
            self = try CommandBody(liveSession: tag, from: &reader)

        }
    }
}
