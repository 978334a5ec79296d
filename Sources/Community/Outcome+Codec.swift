import QuadCore

/// The binary encoding of an applied command's result, for answering a client whose write
/// was forwarded to the partition leader by another node.
extension Result where Success == Outcome, Failure == CommunityError {
    static let outcomeFormatVersion: UInt8 = 1

    /// Encodes the result (outcome or refusal).
    public func encodedOutcome() -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        writer.write(Self.outcomeFormatVersion)
        switch self {
        case .failure(let error):
            writer.write(UInt8(0))
            writer.write(Self.kindCode(error.kind))
            writer.write(error.code)
            writer.write(error.message)
        case .success(let outcome):
            writer.write(UInt8(1))
            outcome.encode(into: &writer)
        }
        return writer.bytes
    }

    /// Decodes what `encodedOutcome()` wrote.
    public init(decodingOutcome bytes: [UInt8]) throws(DecodingError) {
        var reader = BinaryReader(bytes)
        guard try reader.readUInt8() == Self.outcomeFormatVersion else { throw DecodingError("outcome version") }
        if try reader.readUInt8() == 0 {
            let kind = try Self.kind(try reader.readUInt8())
            self = .failure(CommunityError(kind, try reader.readString(), try reader.readString()))
        } else {
            self = .success(try Outcome(from: &reader))
        }
        try reader.expectEnd()
    }

    private static func kindCode(_ kind: CommunityError.Kind) -> UInt8 {
        switch kind {
        case .invalid: 1
        case .forbidden: 2
        case .notFound: 3
        case .conflict: 4
        case .limitExceeded: 5
        }
    }

    private static func kind(_ code: UInt8) throws(DecodingError) -> CommunityError.Kind {
        switch code {
        case 1: .invalid
        case 2: .forbidden
        case 3: .notFound
        case 4: .conflict
        case 5: .limitExceeded
        default: throw DecodingError("error kind \(code)")
        }
    }
}

extension Outcome {
    private enum Tag: UInt8 {
        case platform = 1, workspace, members, memberRemoved, channel, channelMembersAdded, channelMemberRemoved
        case message, readState
        case identity = 10
        case liveSession = 11, liveSessionDeleted, liveSessionJoinWindow, calendarFeedTokenSet
        case meetingProviderCredentialsSet
    }

    /// Rows of every outcome travel in their stored encoding.
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .platform(let platform):
            writer.write(Tag.platform.rawValue)
            writer.writeBytes(platform.encodedRow())
        case .workspace(let workspace, let channels):
            writer.write(Tag.workspace.rawValue)
            writer.writeBytes(workspace.encodedRow())
            writer.writeCount(channels.count)
            for channel in channels { writer.writeBytes(channel.encodedRow()) }
        case .members(let members):
            writer.write(Tag.members.rawValue)
            writer.writeCount(members.count)
            for member in members { writer.writeBytes(member.encodedRow()) }
        case .memberRemoved:
            writer.write(Tag.memberRemoved.rawValue)
        case .channel(let channel):
            writer.write(Tag.channel.rawValue)
            writer.writeBytes(channel.encodedRow())
        case .channelMembersAdded(let count):
            writer.write(Tag.channelMembersAdded.rawValue)
            writer.write(UInt64(count))
        case .channelMemberRemoved:
            writer.write(Tag.channelMemberRemoved.rawValue)
        case .message(let message, let duplicate):
            writer.write(Tag.message.rawValue)
            writer.writeBytes(message.encodedRow())
            writer.write(duplicate)
        case .readState(let member):
            writer.write(Tag.readState.rawValue)
            writer.writeBytes(member.encodedRow())
        case .liveSession(let session):
            writer.write(Tag.liveSession.rawValue)
            writer.writeBytes(session.encodedRow())
        case .liveSessionDeleted:
            writer.write(Tag.liveSessionDeleted.rawValue)
        case .liveSessionJoinWindow(let minutes):
            writer.write(Tag.liveSessionJoinWindow.rawValue)
            writer.write(minutes)
        case .calendarFeedTokenSet:
            writer.write(Tag.calendarFeedTokenSet.rawValue)
        case .meetingProviderCredentialsSet:
            writer.write(Tag.meetingProviderCredentialsSet.rawValue)
        case .identity(let outcome):
            writer.write(Tag.identity.rawValue)
            outcome.encode(into: &writer)
        }
    }

    init(from reader: inout BinaryReader) throws(DecodingError) {
        guard let tag = Tag(rawValue: try reader.readUInt8()) else { throw DecodingError("outcome tag") }
        switch tag {
        case .platform: self = .platform(try Platform(row: try reader.readBytes()))
        case .workspace:
            let workspace = try Workspace(row: try reader.readBytes())
            var channels: [Channel] = []
            for _ in 0..<(try reader.readCount(maximum: ChannelTemplate.allCases.count)) {
                channels.append(try Channel(row: try reader.readBytes()))
            }
            self = .workspace(workspace, channels: channels)
        case .members:
            var members: [Member] = []
            for _ in 0..<(try reader.readCount(maximum: Limits.batchMembersMax)) {
                members.append(try Member(row: try reader.readBytes()))
            }
            self = .members(members)
        case .memberRemoved: self = .memberRemoved
        case .channel: self = .channel(try Channel(row: try reader.readBytes()))
        case .channelMembersAdded: self = .channelMembersAdded(count: Int(clamping: try reader.readUInt64()))
        case .channelMemberRemoved: self = .channelMemberRemoved
        case .message: self = .message(try Message(row: try reader.readBytes()), duplicate: try reader.readBool())
        case .readState: self = .readState(try ChannelMember(row: try reader.readBytes()))
        case .identity: self = .identity(try IdentityOutcome(from: &reader))
        case .liveSession: self = .liveSession(try LiveSession(row: try reader.readBytes()))
        case .liveSessionDeleted: self = .liveSessionDeleted
        case .liveSessionJoinWindow: self = .liveSessionJoinWindow(minutes: try reader.readUInt16())
        case .calendarFeedTokenSet: self = .calendarFeedTokenSet
        case .meetingProviderCredentialsSet: self = .meetingProviderCredentialsSet
        }
    }
}
