/// The binary encoding of the live-session commands (tags 17 to 24), in the layout of
/// Command+Codec.swift: the workspace, then each field in declaration order.
extension CommandBody {
    func encodeLiveSession(into writer: inout BinaryWriter) {
        switch self {
        case let .createLiveSession(workspace, session, spec):
            writer.write(Tag.createLiveSession.rawValue)
            writer.write(workspace)
            writer.write(session)
            spec.encode(into: &writer)
        case let .updateLiveSession(workspace, session, spec):
            writer.write(Tag.updateLiveSession.rawValue)
            writer.write(workspace)
            writer.write(session)
            spec.encode(into: &writer)
        case let .deleteLiveSession(workspace, session):
            writer.write(Tag.deleteLiveSession.rawValue)
            writer.write(workspace)
            writer.write(session)
        case let .setLiveSessionOccurrenceCancelled(workspace, session, occurrence, cancelled):
            writer.write(Tag.setLiveSessionOccurrenceCancelled.rawValue)
            writer.write(workspace)
            writer.write(session)
            writer.write(occurrence)
            writer.write(cancelled)
        case let .setLiveSessionJoinWindow(workspace, minutes):
            writer.write(Tag.setLiveSessionJoinWindow.rawValue)
            writer.write(workspace)
            writer.write(minutes)
        case let .setMeetingProviderCredentials(platform, provider, sealed):
            writer.write(Tag.setMeetingProviderCredentials.rawValue)
            writer.write(platform)
            writer.write(provider.rawValue)
            writer.write(sealed != nil)
            if let sealed { writer.writeBytes(sealed) }
        case let .remindLiveSession(workspace, session, occurrence):
            writer.write(Tag.remindLiveSession.rawValue)
            writer.write(workspace)
            writer.write(session)
            writer.write(occurrence)
        case let .setCalendarFeedToken(user, digest):
            writer.write(Tag.setCalendarFeedToken.rawValue)
            writer.write(user)
            writer.write(digest != nil)
            if let digest { writer.writeBytes(digest) }
        default:
            preconditionFailure("encodeLiveSession called for \(self)")
        }
    }

    init(liveSession tag: Tag, from reader: inout BinaryReader) throws(DecodingError) {
        switch tag {
        case .createLiveSession:
            self = .createLiveSession(workspace: try reader.readIdentifier(), session: try reader.readIdentifier(),
                                      spec: try LiveSessionSpec(from: &reader))
        case .updateLiveSession:
            self = .updateLiveSession(workspace: try reader.readIdentifier(), session: try reader.readIdentifier(),
                                      spec: try LiveSessionSpec(from: &reader))
        case .deleteLiveSession:
            self = .deleteLiveSession(workspace: try reader.readIdentifier(), session: try reader.readIdentifier())
        case .setLiveSessionOccurrenceCancelled:
            self = .setLiveSessionOccurrenceCancelled(
                workspace: try reader.readIdentifier(), session: try reader.readIdentifier(),
                occurrenceMilliseconds: try reader.readInt64(), cancelled: try reader.readBool())
        case .setLiveSessionJoinWindow:
            self = .setLiveSessionJoinWindow(workspace: try reader.readIdentifier(), minutes: try reader.readUInt16())
        case .setMeetingProviderCredentials:
            self = .setMeetingProviderCredentials(
                platform: try reader.readIdentifier(), provider: try reader.readEnum(MeetingProvider.self),
                sealed: try reader.readBool() ? try reader.readBytes() : nil)
        case .remindLiveSession:
            self = .remindLiveSession(workspace: try reader.readIdentifier(), session: try reader.readIdentifier(),
                                      occurrenceMilliseconds: try reader.readInt64())
        case .setCalendarFeedToken:
            self = .setCalendarFeedToken(user: try reader.readIdentifier(),
                                         tokenDigest: try reader.readBool() ? try reader.readBytes() : nil)
        default:
            throw DecodingError("tag \(tag.rawValue) is not a live-session command")
        }
    }
}

extension LiveSessionSpec {
    /// Writes the spec; rows (LiveSession.swift in Community) reuse this layout.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(title)
        writer.write(agenda)
        writer.write(channel?.rawValue)
        writer.writeCount(hosts.count)
        for host in hosts { writer.write(host) }
        writer.write(provider.rawValue)
        writer.write(startMilliseconds)
        writer.write(timeZone)
        writer.write(durationMinutes)
        writer.write(recurrence != nil)
        if let recurrence { recurrence.encode(into: &writer) }
        writer.write(meetingNumber)
        writer.write(password)
        writer.write(joinURL)
        writer.write(hostStartURL)
        writer.write(providerMeetingID)
    }

    /// Reads what `encode(into:)` wrote. Lists are bounded by the bytes left, not the business
    /// limits: a logged command must always decode (see `readElementCount`).
    public init(from reader: inout BinaryReader) throws(DecodingError) {
        let title = try reader.readString()
        let agenda = try reader.readString()
        let channelRaw = try reader.readOptionalString()
        let channel: ChannelID?
        if let channelRaw {
            guard let parsed = ChannelID(rawValue: channelRaw) else { throw DecodingError("invalid identifier") }
            channel = parsed
        } else {
            channel = nil
        }
        var hosts: [UserID] = []
        for _ in 0..<(try reader.readElementCount()) { hosts.append(try reader.readIdentifier()) }
        let provider = try reader.readEnum(MeetingProvider.self)
        let start = try reader.readInt64()
        let timeZone = try reader.readString()
        let duration = try reader.readUInt32()
        let recurrence = try reader.readBool() ? try RecurrenceRule(from: &reader) : nil
        self.init(title: title, agenda: agenda, channel: channel, hosts: hosts, provider: provider,
                  startMilliseconds: start, timeZone: timeZone, durationMinutes: duration, recurrence: recurrence,
                  meetingNumber: try reader.readOptionalString(), password: try reader.readOptionalString(),
                  joinURL: try reader.readOptionalString(), hostStartURL: try reader.readOptionalString(),
                  providerMeetingID: try reader.readOptionalString())
    }
}

extension RecurrenceRule {
    func encode(into writer: inout BinaryWriter) {
        writer.write(frequency.rawValue)
        writer.write(interval)
        writer.writeCount(byDay.count)
        for day in byDay { writer.write(day.rawValue) }
        writer.write(count != nil)
        if let count { writer.write(count) }
        writer.write(untilMilliseconds != nil)
        if let untilMilliseconds { writer.write(untilMilliseconds) }
    }

    init(from reader: inout BinaryReader) throws(DecodingError) {
        let frequency = try reader.readEnum(RecurrenceFrequency.self)
        let interval = try reader.readUInt16()
        var days: [Weekday] = []
        for _ in 0..<(try reader.readElementCount()) { days.append(try reader.readEnum(Weekday.self)) }
        // One encoding per rule: days distinct and Monday first, as the initializer keeps them.
        guard days == Array(Set(days)).sorted() else { throw DecodingError("BYDAY days not distinct and in order") }
        let count = try reader.readBool() ? try reader.readUInt16() : nil
        let until = try reader.readBool() ? try reader.readInt64() : nil
        self.init(frequency: frequency, interval: interval, byDay: days, count: count, untilMilliseconds: until)
    }
}
