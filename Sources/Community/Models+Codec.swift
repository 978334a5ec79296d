import QuadCore

/// Binary row encodings. Each row starts with a version byte so that a later version
/// can add fields and still read what this one wrote.
protocol RowCodable {
    static var rowVersion: UInt8 { get }
    func encodeFields(into writer: inout BinaryWriter)
    init(fields reader: inout BinaryReader) throws(DecodingError)
}

extension RowCodable {
    func encodedRow() -> [UInt8] {
        var writer = BinaryWriter(capacity: 96)
        writer.write(Self.rowVersion)
        encodeFields(into: &writer)
        return writer.bytes
    }

    init(row: [UInt8]) throws(DecodingError) {
        var reader = BinaryReader(row)
        let version = try reader.readUInt8()
        guard version == Self.rowVersion else { throw DecodingError("\(Self.self) row version \(version)") }
        try self.init(fields: &reader)
        try reader.expectEnd()
    }
}

extension BinaryWriter {
    mutating func writeOptional(_ value: Int64?) {
        write(value != nil)
        if let value { write(value) }
    }

    mutating func writeOptional<ID: StringIdentifier>(_ value: ID?) {
        write(value?.rawValue)
    }

    /// Appends a count and the identifiers (read back with `readIdentifiers(maximum:)`).
    public mutating func write<ID: StringIdentifier>(_ values: [ID]) {
        writeCount(values.count)
        for value in values { write(value) }
    }
}

extension BinaryReader {
    mutating func readOptionalInt64() throws(DecodingError) -> Int64? {
        try readBool() ? try readInt64() : nil
    }

    mutating func readOptionalIdentifier<ID: StringIdentifier>() throws(DecodingError) -> ID? {
        guard let raw = try readOptionalString() else { return nil }
        guard let value = ID(rawValue: raw) else { throw DecodingError("invalid identifier") }
        return value
    }

    /// Reads `write(_:)` of identifiers, refusing more than `maximum`.
    public mutating func readIdentifiers<ID: StringIdentifier>(maximum: Int) throws(DecodingError) -> [ID] {
        var values: [ID] = []
        for _ in 0..<(try readCount(maximum: maximum)) { values.append(try readIdentifier()) }
        return values
    }
}

extension Platform: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(name)
        writer.write(createdAt)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(id: try reader.readIdentifier(), name: try reader.readString(), createdAt: try reader.readInt64())
    }
}

extension Workspace: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(platformID)
        writer.write(kind.rawValue)
        writer.write(name)
        writer.write(externalID)
        writer.write(createdAt)
        writer.write(createdBy)
        writer.write(memberCount)
        writer.write(channelCount)
        writer.write(eventSequence)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(id: try reader.readIdentifier(), platformID: try reader.readIdentifier(),
                  kind: try reader.readEnum(WorkspaceKind.self), name: try reader.readString(),
                  externalID: try reader.readOptionalString(), createdAt: try reader.readInt64(),
                  createdBy: try reader.readIdentifier(), memberCount: try reader.readUInt32(),
                  channelCount: try reader.readUInt32(), eventSequence: try reader.readUInt64())
    }
}

extension Member: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(userID)
        writer.write(role.rawValue)
        writer.write(displayName)
        writer.write(joinedAt)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(userID: try reader.readIdentifier(), role: try reader.readEnum(WorkspaceRole.self),
                  displayName: try reader.readString(), joinedAt: try reader.readInt64())
    }
}

extension Channel: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(workspaceID)
        writer.write(name)
        writer.write(slug)
        writer.write(visibility.rawValue)
        writer.write(purpose)
        writer.write(header)
        writer.write(postingPolicy.rawValue)
        writer.write(archived)
        writer.write(createdAt)
        writer.write(createdBy)
        writer.write(lastSequence)
        writer.write(eventSequence)
        writer.write(memberCount)
        writer.write(pinCount)
        writer.write(directMembers)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(id: try reader.readIdentifier(), workspaceID: try reader.readIdentifier(),
                  name: try reader.readString(), slug: try reader.readString(),
                  visibility: try reader.readEnum(ChannelVisibility.self), purpose: try reader.readString(),
                  header: try reader.readString(), postingPolicy: try reader.readEnum(PostingPolicy.self),
                  archived: try reader.readBool(), createdAt: try reader.readInt64(),
                  createdBy: try reader.readIdentifier(), lastSequence: try reader.readSequence(),
                  eventSequence: try reader.readUInt64(), memberCount: try reader.readUInt32(),
                  pinCount: try reader.readUInt32(),
                  directMembers: try reader.readIdentifiers(maximum: Limits.groupDirectMessageMembersMax))
    }
}

extension ChannelMember: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(userID)
        writer.write(lastRead)
        writer.write(joinedAt)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(userID: try reader.readIdentifier(), lastRead: try reader.readSequence(),
                  joinedAt: try reader.readInt64())
    }
}

extension Message: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(channelID)
        writer.write(sequence)
        writer.write(authorID)
        writer.write(authorName)
        writer.write(text)
        writer.write(createdAt)
        writer.writeOptional(editedAt)
        writer.write(deleted)
        writer.writeOptional(deletedBy)
        writer.write(threadRoot)
        writer.write(replyCount)
        writer.writeOptional(lastReplyAt)
        writer.writeCount(reactions.count)
        for reaction in reactions {
            writer.write(reaction.emoji)
            writer.write(reaction.users)
        }
        writer.write(pinned)
        writer.write(clientMessageID)
        writer.write(mentions)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        let channelID: ChannelID = try reader.readIdentifier()
        let sequence = try reader.readSequence()
        let authorID: UserID = try reader.readIdentifier()
        let authorName = try reader.readString()
        let text = try reader.readString()
        let createdAt = try reader.readInt64()
        let editedAt = try reader.readOptionalInt64()
        let deleted = try reader.readBool()
        let deletedBy: UserID? = try reader.readOptionalIdentifier()
        let threadRoot: ChannelSequence? = try reader.readBool() ? try reader.readSequence() : nil
        let replyCount = try reader.readUInt32()
        let lastReplyAt = try reader.readOptionalInt64()
        var reactions: [Reaction] = []
        for _ in 0..<(try reader.readCount(maximum: Limits.reactionsPerMessageMax)) {
            reactions.append(Reaction(emoji: try reader.readString(),
                                      users: try reader.readIdentifiers(maximum: Int(UInt32.max))))
        }
        self.init(channelID: channelID, sequence: sequence, authorID: authorID, authorName: authorName,
                  text: text, createdAt: createdAt, editedAt: editedAt, deleted: deleted, deletedBy: deletedBy,
                  threadRoot: threadRoot, replyCount: replyCount, lastReplyAt: lastReplyAt,
                  reactions: reactions, pinned: try reader.readBool(),
                  clientMessageID: try reader.readOptionalString(),
                  mentions: try reader.readIdentifiers(maximum: Limits.mentionsPerMessageMax))
    }
}

extension Event: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(workspaceID)
        writer.write(stream)
        writer.write(eventSequence)
        writer.write(kind.rawValue)
        writer.writeOptional(channelID)
        writer.write(messageSequence)
        writer.writeOptional(userID)
        writer.write(actorID)
        writer.write(at)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(workspaceID: try reader.readIdentifier(), stream: try reader.readString(),
                  eventSequence: try reader.readUInt64(), kind: try reader.readEnum(EventKind.self),
                  channelID: try reader.readOptionalIdentifier(),
                  messageSequence: try reader.readBool() ? try reader.readSequence() : nil,
                  userID: try reader.readOptionalIdentifier(), actorID: try reader.readIdentifier(),
                  at: try reader.readInt64())
    }
}

extension MembershipView {
    /// A list of memberships in binary (the workspace as its row, then the role), for nodes that
    /// gather one person's workspaces from partitions held elsewhere.
    public static func encode(_ views: [MembershipView]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + views.count * 128)
        writer.write(UInt32(views.count))
        for view in views {
            writer.writeBytes(view.workspace.encodedRow())
            writer.write(view.role.rawValue)
        }
        return writer.bytes
    }

    /// Decodes `encode(_:)`; throws on anything malformed.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> [MembershipView] {
        var reader = BinaryReader(bytes)
        let count = Int(try reader.readUInt32())
        guard count <= Limits.workspacesPerUserMax else { throw DecodingError("\(count) memberships exceed the bound") }
        var views: [MembershipView] = []
        for _ in 0..<count {
            let workspace = try Workspace(row: try reader.readBytes())
            guard let role = WorkspaceRole(rawValue: try reader.readUInt8()) else { throw DecodingError("unknown role") }
            views.append(MembershipView(workspace: workspace, role: role))
        }
        try reader.expectEnd()
        return views
    }
}
