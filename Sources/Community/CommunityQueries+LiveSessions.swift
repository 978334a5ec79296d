import QuadCore

extension CommunityQueries {
    /// The workspace's live sessions the caller may see, as they see them at `now` (join details
    /// only inside the window), soonest first; sessions that are over come last.
    public func liveSessions(_ workspaceID: WorkspaceID, now: Int64) throws -> [LiveSessionView] {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            let window = try transaction.liveSessionSettings(workspaceID).joinWindowMinutes
            var views: [LiveSessionView] = []
            for session in try visibleSessions(workspaceID, access: access, transaction: transaction) {
                guard let schedule = LiveSessionSchedule(session) else { continue }
                views.append(LiveSessionView(session: session, schedule: schedule, access: access,
                                             viewer: actor.userID, windowMinutes: window, now: now))
            }
            return views.sorted { left, right in
                let leftStart = left.window.occurrence?.startMilliseconds ?? Int64.max
                let rightStart = right.window.occurrence?.startMilliseconds ?? Int64.max
                return (leftStart, left.session.id) < (rightStart, right.session.id)
            }
        }
    }

    /// One session as the caller sees it at `now`; 404 when they may not see it.
    public func liveSession(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, now: Int64) throws
        -> LiveSessionView {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            let session = try transaction.visibleLiveSession(workspaceID, sessionID, access: access)
            guard let schedule = LiveSessionSchedule(session) else {
                throw .storage(RowReadFailure("stored live session \(sessionID) has an unknown time zone"))
            }
            let window = try transaction.liveSessionSettings(workspaceID).joinWindowMinutes
            return LiveSessionView(session: session, schedule: schedule, access: access, viewer: actor.userID,
                                   windowMinutes: window, now: now)
        }
    }

    /// A session's full spec, secrets included, for the API shell that follows edits at the
    /// provider; only for those who manage the session (403 otherwise). Never sent to clients.
    public func liveSessionSecrets(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID) throws -> LiveSessionSpec {
        try run { (transaction) throws(ApplyFailure) in
            let (_, access) = try transaction.access(workspaceID)
            let session = try transaction.visibleLiveSession(workspaceID, sessionID, access: access)
            guard access.canManage(session, user: actor.userID) else {
                throw .refused(.forbidden("Only the session's hosts, moderators, instructors and administrators change it."))
            }
            return session.spec
        }
    }

    /// The workspace's join window in minutes.
    public func liveSessionJoinWindowMinutes(_ workspaceID: WorkspaceID) throws -> UInt16 {
        try run { (transaction) throws(ApplyFailure) in
            _ = try transaction.access(workspaceID)
            return try transaction.liveSessionSettings(workspaceID).joinWindowMinutes
        }
    }

    /// The workspace's calendar for feeds: its name, join window and the sessions the caller may
    /// see, with join URL, password and host start URL removed (a feed is read by calendar apps at
    /// any time, so it never holds them). 404 or 403 when the caller may not see the workspace.
    public func workspaceCalendar(_ workspaceID: WorkspaceID) throws -> WorkspaceCalendar {
        try run { (transaction) throws(ApplyFailure) in
            let (workspace, access) = try transaction.access(workspaceID)
            let sessions = try visibleSessions(workspaceID, access: access, transaction: transaction).map { session in
                var stripped = session
                stripped.spec.joinURL = nil
                stripped.spec.password = nil
                stripped.spec.hostStartURL = nil
                return stripped
            }
            return WorkspaceCalendar(workspaceName: workspace.name,
                                     joinWindowMinutes: try transaction.liveSessionSettings(workspaceID).joinWindowMinutes,
                                     sessions: sessions)
        }
    }

    /// Whether `digest` is the stored digest of `user`'s calendar feed token (compared in
    /// constant time). Runs in the user's partition (`CommunityNode.queries(forKey: user)`).
    public func calendarFeedTokenMatches(user: UserID, digest: [UInt8]) throws -> Bool {
        try run { (transaction) throws(ApplyFailure) in
            guard let stored = try transaction.rawValue(RowKey.calendarFeedToken(user)) else { return false }
            return ConstantTime.equal(stored, digest)
        }
    }

    /// A platform's sealed credentials for `provider`, for the API shell that calls the provider;
    /// never answered to a client. Runs in the platform's partition.
    public func sealedMeetingProviderCredentials(_ platform: PlatformID, _ provider: MeetingProvider) throws
        -> [UInt8]? {
        try run { (transaction) throws(ApplyFailure) in
            try transaction.rawValue(RowKey.meetingProviderCredentials(platform, provider))
        }
    }

    /// Occurrences of this partition's sessions (with a channel) whose join window is open at
    /// `now` and whose reminder is not posted yet: what the node's reminder service proposes.
    /// Reads at most `limit` sessions of the whole partition, in key order.
    public func dueLiveSessionReminders(now: Int64, limit: Int) throws
        -> [(workspace: WorkspaceID, session: LiveSessionID, occurrence: Int64)] {
        try run { (transaction) throws(ApplyFailure) in
            var due: [(workspace: WorkspaceID, session: LiveSessionID, occurrence: Int64)] = []
            var windows: [WorkspaceID: UInt16] = [:]
            for pair in try transaction.scan(prefix: RowKey(.liveSession), limit: limit) {
                let session = try decode(LiveSession.self, pair.value)
                guard session.spec.channel != nil, let schedule = LiveSessionSchedule(session) else { continue }
                let minutes: UInt16
                if let known = windows[session.workspaceID] {
                    minutes = known
                } else {
                    minutes = try transaction.liveSessionSettings(session.workspaceID).joinWindowMinutes
                    windows[session.workspaceID] = minutes
                }
                let window = JoinWindow.evaluate(schedule, windowMinutes: minutes, now: now)
                guard window.isOpen, let start = window.occurrence?.startMilliseconds,
                      session.remindedOccurrence != start else { continue }
                due.append((session.workspaceID, session.id, start))
            }
            return due
        }
    }

    private func visibleSessions(_ workspaceID: WorkspaceID, access: WorkspaceAccess,
                                 transaction: Transaction<Reader>) throws(ApplyFailure) -> [LiveSession] {
        let pairs = try transaction.scan(prefix: RowKey(.liveSession).adding(workspaceID),
                                         limit: Limits.liveSessionsPerWorkspaceMax)
        var sessions: [LiveSession] = []
        for pair in pairs {
            let session = try decode(LiveSession.self, pair.value)
            if try transaction.canSee(session, access: access) { sessions.append(session) }
        }
        return sessions
    }
}
