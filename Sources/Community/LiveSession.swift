import QuadCore

/// A scheduled live session as stored: the host's spec plus what the state machine keeps.
public struct LiveSession: Sendable, Equatable {
    public var id: LiveSessionID
    public var workspaceID: WorkspaceID
    public var spec: LiveSessionSpec
    public var createdAt: Int64
    public var createdBy: UserID
    public var updatedAt: Int64
    /// RFC 5545 SEQUENCE: 0 when created, one more on every edit or (un)cancellation, so
    /// calendar apps replace their copy.
    public var revision: UInt32
    /// Starts of cancelled occurrences (EXDATEs), ascending.
    public var cancelledOccurrences: [Int64]
    /// The newest announcement posted for it in its channel.
    public var announcement: ChannelSequence?
    /// The start of the last occurrence whose "join now" reminder was posted.
    public var remindedOccurrence: Int64? = nil

    public init(id: LiveSessionID, workspaceID: WorkspaceID, spec: LiveSessionSpec, createdAt: Int64,
                createdBy: UserID, updatedAt: Int64, revision: UInt32, cancelledOccurrences: [Int64],
                announcement: ChannelSequence?) {
        self.id = id
        self.workspaceID = workspaceID
        self.spec = spec
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.revision = revision
        self.cancelledOccurrences = cancelledOccurrences
        self.announcement = announcement
    }
}

/// The per-workspace live-session settings and bookkeeping.
public struct LiveSessionSettings: Sendable, Equatable {
    /// Join details are shown from this many minutes before an occurrence's start until its end.
    public var joinWindowMinutes: UInt16
    /// Sessions in the workspace, bounded by `Limits.liveSessionsPerWorkspaceMax`.
    public var sessionCount: UInt32

    public static let initial = LiveSessionSettings(
        joinWindowMinutes: Limits.liveSessionJoinWindowMinutesDefault, sessionCount: 0)
}

extension LiveSession: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(workspaceID)
        spec.encode(into: &writer)
        writer.write(createdAt)
        writer.write(createdBy)
        writer.write(updatedAt)
        writer.write(revision)
        writer.writeCount(cancelledOccurrences.count)
        for occurrence in cancelledOccurrences { writer.write(occurrence) }
        writer.write(announcement)
        writer.write(remindedOccurrence != nil)
        if let remindedOccurrence { writer.write(remindedOccurrence) }
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        let id: LiveSessionID = try reader.readIdentifier()
        let workspaceID: WorkspaceID = try reader.readIdentifier()
        let spec = try LiveSessionSpec(from: &reader)
        let createdAt = try reader.readInt64()
        let createdBy: UserID = try reader.readIdentifier()
        let updatedAt = try reader.readInt64()
        let revision = try reader.readUInt32()
        var cancelled: [Int64] = []
        for _ in 0..<(try reader.readCount(maximum: Limits.liveSessionCancellationsMax)) {
            cancelled.append(try reader.readInt64())
        }
        let announcement: ChannelSequence? = try reader.readBool() ? try reader.readSequence() : nil
        self.init(id: id, workspaceID: workspaceID, spec: spec, createdAt: createdAt, createdBy: createdBy,
                  updatedAt: updatedAt, revision: revision, cancelledOccurrences: cancelled,
                  announcement: announcement)
        remindedOccurrence = try reader.readBool() ? try reader.readInt64() : nil
    }
}

extension LiveSessionSettings: RowCodable {
    static let rowVersion: UInt8 = 1
    func encodeFields(into writer: inout BinaryWriter) {
        writer.write(joinWindowMinutes)
        writer.write(sessionCount)
    }
    init(fields reader: inout BinaryReader) throws(DecodingError) {
        self.init(joinWindowMinutes: try reader.readUInt16(), sessionCount: try reader.readUInt32())
    }
}

extension RowKey {
    static func liveSession(_ workspace: WorkspaceID, _ session: LiveSessionID) -> [UInt8] {
        RowKey(.liveSession).adding(workspace).adding(session).bytes
    }
    static func liveSessionSettings(_ workspace: WorkspaceID) -> [UInt8] {
        RowKey(.liveSessionSettings).adding(workspace).bytes
    }
    static func calendarFeedToken(_ user: UserID) -> [UInt8] { RowKey(.calendarFeedToken).adding(user).bytes }
    static func meetingProviderCredentials(_ platform: PlatformID, _ provider: MeetingProvider) -> [UInt8] {
        var key = RowKey(.meetingProviderCredentials).adding(platform)
        key.writer.write(provider.rawValue)
        return key.bytes
    }
}

/// Per-user calendar feed tokens: the API hashes the secret, the state machine keeps the digest.
public enum CalendarFeedToken {
    /// SHA-256.
    public static let digestBytes = 32
}

extension WorkspaceAccess {
    /// Schedule live sessions: staff and admins.
    public var canScheduleLiveSessions: Bool { isStaff }

    /// Edit, cancel occurrences of, or delete a session: staff, admins and its hosts.
    public func canManage(_ session: LiveSession, user: UserID) -> Bool {
        isStaff || session.spec.hosts.contains(user)
    }

    /// See the host start URL: its hosts, instructors and admins (not moderators or learners).
    public func canStartAsHost(_ session: LiveSession, user: UserID) -> Bool {
        isAdmin || role == .instructor || session.spec.hosts.contains(user)
    }
}
