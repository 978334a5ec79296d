public import QuadCore

/// What a calendar feed shows of one workspace: its name, its join window and the sessions the
/// reader may see, join details removed (`CommunityQueries.workspaceCalendar`). Nodes that hold
/// the workspace's partition send it to one that does not (`ForwardKind.calendars`).
public struct WorkspaceCalendar: Sendable, Equatable {
    public var workspaceName: String
    public var joinWindowMinutes: UInt16
    public var sessions: [LiveSession]

    public init(workspaceName: String, joinWindowMinutes: UInt16, sessions: [LiveSession]) {
        self.workspaceName = workspaceName
        self.joinWindowMinutes = joinWindowMinutes
        self.sessions = sessions
    }

    /// Appends the calendar in binary: the name, the window, then each session as its row.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(workspaceName)
        writer.write(joinWindowMinutes)
        writer.writeCount(sessions.count)
        for session in sessions { writer.writeBytes(session.encodedRow()) }
    }

    /// Reads `encode(into:)`; throws on anything malformed or past the sessions bound.
    public init(from reader: inout BinaryReader) throws(DecodingError) {
        let name = try reader.readString()
        let minutes = try reader.readUInt16()
        var sessions: [LiveSession] = []
        for _ in 0..<(try reader.readCount(maximum: Limits.liveSessionsPerWorkspaceMax)) {
            sessions.append(try LiveSession(row: try reader.readBytes()))
        }
        self.init(workspaceName: name, joinWindowMinutes: minutes, sessions: sessions)
    }
}
