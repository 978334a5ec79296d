import QuadCore

extension CommunityError {
    static let liveSessionNotFound = CommunityError.notFound("live_session_not_found", "No such live session.")
}

extension CommunityStateMachine {
    func runLiveSession<Base>(_ body: CommandBody, in transaction: inout Transaction<Base>) throws(ApplyFailure)
        -> Outcome {
        switch body {
        case let .createLiveSession(workspace, session, spec):
            return try createLiveSession(workspace, session, spec, in: &transaction)
        case let .updateLiveSession(workspace, session, spec):
            return try updateLiveSession(workspace, session, spec, in: &transaction)
        case let .deleteLiveSession(workspace, session):
            return try deleteLiveSession(workspace, session, in: &transaction)
        case let .setLiveSessionOccurrenceCancelled(workspace, session, occurrence, cancelled):
            return try setOccurrenceCancelled(workspace, session, occurrence, cancelled, in: &transaction)
        case let .setLiveSessionJoinWindow(workspace, minutes):
            return try setJoinWindow(workspace, minutes, in: &transaction)
        case let .setCalendarFeedToken(user, digest):
            return try setCalendarFeedToken(user, digest, in: &transaction)
        case let .remindLiveSession(workspace, session, occurrence):
            return try remindLiveSession(workspace, session, occurrence, in: &transaction)
        case let .setMeetingProviderCredentials(platform, provider, sealed):
            return try setMeetingProviderCredentials(platform, provider, sealed, in: &transaction)
        default:
            preconditionFailure("runLiveSession called for \(body)")
        }
    }

    /// Staff schedule sessions; an announcement goes into the session's channel in the same command.
    func createLiveSession<Base>(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, _ spec: LiveSessionSpec,
                                 in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        guard access.canScheduleLiveSessions else {
            throw .refused(.forbidden("Only instructors, moderators and administrators schedule live sessions."))
        }
        try check { () throws(CommunityError) in try Validation.liveSessionSpec(spec) }
        try checkPlacement(spec, workspaceID, access: access, in: transaction)
        var settings = try transaction.liveSessionSettings(workspaceID)
        guard settings.sessionCount < UInt32(Limits.liveSessionsPerWorkspaceMax) else {
            throw .refused(.init(.limitExceeded, "too_many_live_sessions",
                                 "A workspace has at most \(Limits.liveSessionsPerWorkspaceMax) live sessions."))
        }
        guard try !transaction.exists(RowKey.liveSession(workspaceID, sessionID)) else {
            throw .refused(.conflict("live_session_exists", "A live session with this ID already exists."))
        }
        var session = LiveSession(id: sessionID, workspaceID: workspaceID, spec: spec, createdAt: transaction.now,
                                  createdBy: transaction.actor.userID, updatedAt: transaction.now, revision: 0,
                                  cancelledOccurrences: [], announcement: nil)
        settings.sessionCount += 1
        session.announcement = try announce(session, headline: "Live session scheduled",
                                            windowMinutes: settings.joinWindowMinutes, in: &transaction)
        transaction.store(session, at: RowKey.liveSession(workspaceID, sessionID))
        transaction.store(settings, at: RowKey.liveSessionSettings(workspaceID))
        return .liveSession(session)
    }

    /// Replaces the fields; cancellations that are still occurrences of the new schedule stay.
    func updateLiveSession<Base>(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, _ spec: LiveSessionSpec,
                                 in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var session = try manageableSession(workspaceID, sessionID, access: access, in: transaction)
        try check { () throws(CommunityError) in try Validation.liveSessionSpec(spec) }
        try checkPlacement(spec, workspaceID, access: access, in: transaction)
        guard let schedule = LiveSessionSchedule(spec: spec) else { throw .refused(.liveSessionNotFound) }
        session.cancelledOccurrences = session.cancelledOccurrences.filter { schedule.hasOccurrence(startingAt: $0) }
        session.spec = spec
        session.updatedAt = transaction.now
        session.revision += 1
        let settings = try transaction.liveSessionSettings(workspaceID)
        session.announcement = try announce(session, headline: "Live session updated",
                                            windowMinutes: settings.joinWindowMinutes, in: &transaction)
            ?? session.announcement
        transaction.store(session, at: RowKey.liveSession(workspaceID, sessionID))
        return .liveSession(session)
    }

    func deleteLiveSession<Base>(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID,
                                 in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        let session = try manageableSession(workspaceID, sessionID, access: access, in: transaction)
        var settings = try transaction.liveSessionSettings(workspaceID)
        settings.sessionCount -= 1
        _ = try announce(session, headline: "Live session deleted", windowMinutes: nil, in: &transaction)
        transaction.delete(RowKey.liveSession(workspaceID, sessionID))
        transaction.store(settings, at: RowKey.liveSessionSettings(workspaceID))
        return .liveSessionDeleted
    }

    /// Cancels or restores one occurrence (an EXDATE in the feeds). Idempotent.
    func setOccurrenceCancelled<Base>(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, _ occurrence: Int64,
                                      _ cancelled: Bool, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        var session = try manageableSession(workspaceID, sessionID, access: access, in: transaction)
        guard let schedule = LiveSessionSchedule(session), schedule.hasOccurrence(startingAt: occurrence) else {
            throw .refused(.notFound("occurrence_not_found", "The session has no occurrence starting then."))
        }
        let isCancelled = session.cancelledOccurrences.contains(occurrence)
        guard isCancelled != cancelled else { return .liveSession(session) }
        if cancelled {
            guard session.cancelledOccurrences.count < Limits.liveSessionCancellationsMax else {
                throw .refused(.init(.limitExceeded, "too_many_cancellations",
                                     "A series has at most \(Limits.liveSessionCancellationsMax) cancelled occurrences."))
            }
            session.cancelledOccurrences = (session.cancelledOccurrences + [occurrence]).sorted()
        } else {
            session.cancelledOccurrences.removeAll { $0 == occurrence }
        }
        session.updatedAt = transaction.now
        session.revision += 1
        let headline = (cancelled ? "Cancelled: the occurrence of " : "Restored: the occurrence of ")
            + schedule.localText(occurrence) + " (\(session.spec.timeZone))"
        session.announcement = try announce(session, headline: headline, windowMinutes: nil, in: &transaction)
            ?? session.announcement
        transaction.store(session, at: RowKey.liveSession(workspaceID, sessionID))
        return .liveSession(session)
    }

    /// The per-workspace join window: instructors and admins.
    func setJoinWindow<Base>(_ workspaceID: WorkspaceID, _ minutes: UInt16, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        let (_, access) = try transaction.access(workspaceID)
        guard access.canManageMembers else {
            throw .refused(.forbidden("Only instructors and administrators change the join window."))
        }
        guard minutes <= Limits.liveSessionJoinWindowMinutesMax else {
            throw .refused(.invalid("invalid_join_window",
                                    "The join window is 0 to \(Limits.liveSessionJoinWindowMinutesMax) minutes."))
        }
        var settings = try transaction.liveSessionSettings(workspaceID)
        settings.joinWindowMinutes = minutes
        transaction.store(settings, at: RowKey.liveSessionSettings(workspaceID))
        return .liveSessionJoinWindow(minutes: minutes)
    }

    /// Sets or revokes a user's calendar feed token digest: the user themself, or an admin.
    func setCalendarFeedToken<Base>(_ user: UserID, _ digest: [UInt8]?, in transaction: inout Transaction<Base>)
        throws(ApplyFailure) -> Outcome {
        guard transaction.actor.userID == user || transaction.actor.isAdmin else {
            throw .refused(.forbidden("Only the user and administrators manage a calendar feed token."))
        }
        if let digest {
            guard digest.count == CalendarFeedToken.digestBytes else {
                throw .refused(.invalid("invalid_token_digest", "A token digest is 32 bytes (SHA-256)."))
            }
            transaction.putRaw(RowKey.calendarFeedToken(user), digest)
        } else {
            transaction.delete(RowKey.calendarFeedToken(user))
        }
        return .calendarFeedTokenSet
    }

    /// Posts the reminder of an occurrence whose join window is open at the command's time, once.
    /// Administrators only (the node's reminder service); a repeat or a closed window changes nothing.
    func remindLiveSession<Base>(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, _ occurrence: Int64,
                                 in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        guard transaction.actor.isAdmin else { throw .refused(.forbidden("Only the node sends reminders.")) }
        let (_, access) = try transaction.access(workspaceID)
        var session = try transaction.visibleLiveSession(workspaceID, sessionID, access: access)
        guard let schedule = LiveSessionSchedule(session) else { throw .refused(.liveSessionNotFound) }
        let windowMinutes = try transaction.liveSessionSettings(workspaceID).joinWindowMinutes
        let window = JoinWindow.evaluate(schedule, windowMinutes: windowMinutes, now: transaction.now)
        guard window.isOpen, window.occurrence?.startMilliseconds == occurrence,
              session.remindedOccurrence != occurrence else { return .liveSession(session) }
        session.remindedOccurrence = occurrence
        let headline = "Join now, starting \(schedule.localText(occurrence)) (\(session.spec.timeZone))"
        session.announcement = try announce(session, headline: headline, windowMinutes: nil, in: &transaction)
            ?? session.announcement
        transaction.store(session, at: RowKey.liveSession(workspaceID, sessionID))
        return .liveSession(session)
    }

    /// Platform administrators set a platform's provider credentials (already sealed).
    func setMeetingProviderCredentials<Base>(_ platform: PlatformID, _ provider: MeetingProvider, _ sealed: [UInt8]?,
                                             in transaction: inout Transaction<Base>) throws(ApplyFailure) -> Outcome {
        guard transaction.actor.isAdmin else {
            throw .refused(.forbidden("Only administrators set meeting provider credentials."))
        }
        guard provider != .link else {
            throw .refused(.invalid("invalid_provider", "Plain links need no credentials."))
        }
        guard try transaction.exists(RowKey.platform(platform)) else { throw .refused(.platformNotFound) }
        if let sealed {
            guard !sealed.isEmpty, sealed.count <= Limits.sealedCredentialsBytesMax else {
                throw .refused(.invalid("invalid_credentials", "Sealed credentials are 1 to \(Limits.sealedCredentialsBytesMax) bytes."))
            }
            transaction.putRaw(RowKey.meetingProviderCredentials(platform, provider), sealed)
        } else {
            transaction.delete(RowKey.meetingProviderCredentials(platform, provider))
        }
        return .meetingProviderCredentialsSet
    }

    // MARK: Helpers

    /// A session the caller may see and manage: 404 when they may not see it, 403 when they may
    /// see but not manage it.
    func manageableSession<Base>(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, access: WorkspaceAccess,
                                 in transaction: Transaction<Base>) throws(ApplyFailure) -> LiveSession {
        let session = try transaction.visibleLiveSession(workspaceID, sessionID, access: access)
        guard access.canManage(session, user: transaction.actor.userID) else {
            throw .refused(.forbidden("Only the session's hosts, moderators, instructors and administrators change it."))
        }
        return session
    }

    /// The channel must be one the caller sees (not a DM, not archived); hosts must be members.
    func checkPlacement<Base>(_ spec: LiveSessionSpec, _ workspaceID: WorkspaceID, access: WorkspaceAccess,
                              in transaction: Transaction<Base>) throws(ApplyFailure) {
        if let channelID = spec.channel {
            let (channel, _) = try transaction.visibleChannel(workspaceID, channelID, access: access)
            guard channel.visibility != .direct else {
                throw .refused(.invalid("invalid_channel", "Live sessions belong to public or private channels."))
            }
            guard !channel.archived else { throw .refused(.conflict("channel_archived", "The channel is archived.")) }
        }
        for host in spec.hosts where try transaction.member(workspaceID, host) == nil {
            throw .refused(.invalid("not_a_member", "Host \(host) is not a member of this workspace."))
        }
    }

    /// Posts a message about the session into its channel as the caller, whatever the channel's
    /// posting policy (it is the session's own announcement). No join details: they are shown
    /// only inside the window. Returns the message's sequence, or nil without a channel.
    func announce<Base>(_ session: LiveSession, headline: String, windowMinutes: UInt16?,
                        in transaction: inout Transaction<Base>) throws(ApplyFailure) -> ChannelSequence? {
        guard let channelID = session.spec.channel,
              var channel = try transaction.load(Channel.self, RowKey.channel(session.workspaceID, channelID))
        else { return nil }
        var hostNames: [String] = []
        for host in session.spec.hosts {
            hostNames.append(try transaction.member(session.workspaceID, host)?.displayName ?? host.rawValue)
        }
        let text = LiveSessionAnnouncement.text(session, headline: headline, hostNames: hostNames,
                                                windowMinutes: windowMinutes)
        let sequence = channel.lastSequence.next
        let message = Message(
            channelID: channelID, sequence: sequence, authorID: transaction.actor.userID,
            authorName: transaction.actor.displayName, text: text, createdAt: transaction.now, editedAt: nil,
            deleted: false, deletedBy: nil, threadRoot: nil, replyCount: 0, lastReplyAt: nil, reactions: [],
            pinned: false, clientMessageID: nil, mentions: [])
        transaction.store(message, at: RowKey.message(session.workspaceID, channelID, sequence))
        channel.lastSequence = sequence
        transaction.emit(.messageCreated, channel: &channel, messageSequence: sequence, user: transaction.actor.userID)
        transaction.store(channel, at: RowKey.channel(session.workspaceID, channelID))
        return sequence
    }
}

extension Transaction {
    func liveSessionSettings(_ workspaceID: WorkspaceID) throws(ApplyFailure) -> LiveSessionSettings {
        try load(LiveSessionSettings.self, RowKey.liveSessionSettings(workspaceID)) ?? .initial
    }

    /// A session the caller may see: one without a channel is seen by every member (and admins),
    /// one in a channel by whoever sees the channel. 404 otherwise.
    func visibleLiveSession(_ workspaceID: WorkspaceID, _ sessionID: LiveSessionID, access: WorkspaceAccess)
        throws(ApplyFailure) -> LiveSession {
        guard let session = try load(LiveSession.self, RowKey.liveSession(workspaceID, sessionID)),
              try canSee(session, access: access)
        else { throw .refused(.liveSessionNotFound) }
        return session
    }

    func canSee(_ session: LiveSession, access: WorkspaceAccess) throws(ApplyFailure) -> Bool {
        guard let channelID = session.spec.channel else { return access.canSeeWorkspace }
        guard let channel = try load(Channel.self, RowKey.channel(session.workspaceID, channelID)) else {
            return access.canSeeWorkspace
        }
        return access.canSee(channel, membership: try channelMember(session.workspaceID, channelID, actor.userID))
    }
}

/// The text of a session's announcement message.
enum LiveSessionAnnouncement {
    static func text(_ session: LiveSession, headline: String, hostNames: [String], windowMinutes: UInt16?) -> String {
        let spec = session.spec
        var lines = ["📅 \(headline): \(spec.title)"]
        if let schedule = LiveSessionSchedule(session) {
            lines.append("Starts \(schedule.localText(spec.startMilliseconds)) (\(spec.timeZone)), "
                + "\(spec.durationMinutes) minutes" + (spec.recurrence.map { ", " + summary($0) } ?? "") + ".")
        }
        lines.append("Hosted by " + hostNames.joined(separator: ", ") + ".")
        if let windowMinutes {
            lines.append("The join link appears on the session \(windowMinutes) minutes before each start.")
        }
        return lines.joined(separator: "\n")
    }

    static func summary(_ rule: RecurrenceRule) -> String {
        let unit = rule.frequency == .weekly ? "week" : "day"
        var text = rule.interval == 1 ? "every \(unit)" : "every \(rule.interval) \(unit)s"
        if !rule.byDay.isEmpty { text += " on " + rule.byDay.map(\.code).joined(separator: ", ") }
        if let count = rule.count { text += ", \(count) times" }
        if let until = rule.untilMilliseconds { text += ", until " + ICalendarTime.utcText(until) }
        return text
    }
}
