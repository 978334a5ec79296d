import Community
import QuadCore
import Testing

@Suite struct LiveSessionCommandTests {
    let workspace = Course.workspace
    let session = LiveSessionID(rawValue: "ls-office-hours")!

    /// Weekly office hours in chatter on Tuesdays 15:00 Madrid, hosted by lea (a learner).
    func officeHours(channel: ChannelID? = Course.chatter) throws -> LiveSessionSpec {
        var spec = try sessionSpec(start: "20260317T140000Z", zone: "Europe/Madrid", rule: "FREQ=WEEKLY;COUNT=10")
        spec.channel = channel
        spec.hosts = [Course.lea.userID]
        spec.provider = .zoom
        spec.meetingNumber = "85012345678"
        spec.password = "s3cret"
        spec.joinURL = "https://zoom.example/j/85012345678"
        spec.hostStartURL = "https://zoom.example/s/85012345678?zak=host"
        return spec
    }

    func created(_ community: inout TestCommunity) throws -> LiveSession {
        let outcome = try community.succeed(.createLiveSession(workspace: workspace, session: session,
                                                               spec: try officeHours()), as: Course.ines)
        guard case .liveSession(let stored) = outcome else { throw CommunityError(.invalid, "x", "not a session") }
        return stored
    }

    /// Proves staff create a session and the announcement lands in its channel in the same command
    /// (one apply: the session row and the message together), without join details.
    @Test func createPostsAnnouncementAtomically() throws {
        var community = try Course.world()
        let before = try community.queries(as: Course.ines).channel(workspace, Course.chatter).channel.lastSequence
        let applied = try community.apply(.createLiveSession(workspace: workspace, session: session,
                                                             spec: try officeHours()), as: Course.ines)
        guard case .success(.liveSession(let stored)) = applied.result else {
            Issue.record("refused: \(applied.result)")
            return
        }
        #expect(stored.revision == 0 && stored.announcement == before.next)
        #expect(applied.events.map(\.kind) == [.messageCreated])
        let message = try community.queries(as: Course.leo).message(workspace, Course.chatter, before.next)
        #expect(message.text.contains("Live session scheduled: Office hours"))
        #expect(message.text.contains("Starts 2026-03-17 15:00 (Europe/Madrid), 60 minutes, every week, 10 times."))
        #expect(message.text.contains("Hosted by Lea Learner."))
        #expect(!message.text.contains("zoom.example") && !message.text.contains("s3cret"))
    }

    /// Proves who may schedule: learners 403, outsiders 404, hosts must be members, DMs refused,
    /// a private channel one cannot see is 404; refusals change nothing.
    @Test func createPermissions() throws {
        var community = try Course.world()
        let create = CommandBody.createLiveSession(workspace: workspace, session: session, spec: try officeHours())
        #expect(try community.refusal(create, as: Course.lea)?.kind == .forbidden)
        #expect(try community.refusal(create, as: Course.nina)?.code == "workspace_not_found")
        var outsiderHost = try officeHours()
        outsiderHost.hosts = [Course.nina.userID]
        #expect(try community.refusal(.createLiveSession(workspace: workspace, session: session, spec: outsiderHost),
                                      as: Course.ines)?.code == "not_a_member")
        #expect(try community.refusal(.createLiveSession(workspace: workspace, session: session,
                                                         spec: try officeHours(channel: Course.direct)),
                                      as: Course.admin)?.code == "channel_not_found")
        #expect(try community.refusal(.createLiveSession(workspace: workspace, session: session,
                                                         spec: try officeHours(channel: Course.secret)),
                                      as: Course.moe)?.code == "channel_not_found")
        var invalid = try officeHours()
        invalid.timeZone = "Nowhere/Else"
        #expect(try community.refusal(.createLiveSession(workspace: workspace, session: session, spec: invalid),
                                      as: Course.ines)?.code == "invalid_time_zone")
        _ = try created(&community)
        #expect(try community.refusal(create, as: Course.ines)?.code == "live_session_exists")
    }

    /// Proves the server-side redaction: before the window nobody gets the join URL or password,
    /// inside it every member does; the host start URL only ever goes to hosts and instructors.
    @Test func viewsRedactByWindowAndRole() throws {
        var community = try Course.world()
        _ = try created(&community)
        let early = utcInstant("20260317T134459Z")
        let open = utcInstant("20260317T134500Z")
        for person in [Course.leo, Course.moe, Course.lea, Course.ines, Course.admin] {
            let view = try community.queries(as: person).liveSession(workspace, session, now: early)
            #expect(view.joinURL == nil && view.password == nil && view.window.secondsUntilOpens == 1)
            #expect(view.session.spec.joinURL == nil && view.session.spec.hostStartURL == nil)
            let inside = try community.queries(as: person).liveSession(workspace, session, now: open)
            #expect(inside.joinURL == "https://zoom.example/j/85012345678" && inside.password == "s3cret")
            let isHostOrInstructor = [Course.lea, Course.ines, Course.admin].contains(person)
            #expect((inside.hostStartURL != nil) == isHostOrInstructor, "\(person.userID)")
            #expect((view.hostStartURL != nil) == isHostOrInstructor, "\(person.userID)")
            #expect(inside.canManage == (person != Course.leo))
        }
        #expect(queryError { try community.queries(as: Course.nina).liveSession(workspace, session, now: open) }?.code
            == "workspace_not_found")
        #expect(try community.queries(as: Course.leo).liveSessions(workspace, now: open).map(\.session.id) == [session])
    }

    /// Proves a session in a private channel is invisible (404, and absent from lists) to members
    /// outside that channel.
    @Test func privateChannelSessionsStayPrivate() throws {
        var community = try Course.world()
        try community.succeed(.createLiveSession(workspace: workspace, session: session,
                                                 spec: try officeHours(channel: Course.secret)), as: Course.admin)
        let now = utcInstant("20260317T140000Z")
        #expect(try community.queries(as: Course.leo).liveSession(workspace, session, now: now).joinURL != nil)
        #expect(queryError { try community.queries(as: Course.lia).liveSession(workspace, session, now: now) }?.code
            == "live_session_not_found")
        #expect(try community.queries(as: Course.lia).liveSessions(workspace, now: now).isEmpty)
        #expect(try community.refusal(.deleteLiveSession(workspace: workspace, session: session), as: Course.ines)?
            .code == "live_session_not_found")
    }

    /// Proves editing bumps SEQUENCE, announces again, keeps cancellations still in the schedule
    /// and drops the others; learners who are not hosts may not edit.
    @Test func updateAndCancelOccurrences() throws {
        var community = try Course.world()
        _ = try created(&community)
        let second = utcInstant("20260324T140000Z")
        let cancel = CommandBody.setLiveSessionOccurrenceCancelled(workspace: workspace, session: session,
                                                                   occurrenceMilliseconds: second, cancelled: true)
        #expect(try community.refusal(cancel, as: Course.leo)?.kind == .forbidden)
        try community.succeed(cancel, as: Course.lea)  // a host
        let again = try community.succeed(cancel, as: Course.lea)
        guard case .liveSession(let cancelled) = again else { return }
        #expect(cancelled.cancelledOccurrences == [second] && cancelled.revision == 1)
        let view = try community.queries(as: Course.leo).liveSession(workspace, session, now: second - 60_000)
        #expect(!view.window.isOpen && view.window.occurrence?.startMilliseconds == utcInstant("20260331T130000Z"))
        #expect(try community.refusal(.setLiveSessionOccurrenceCancelled(
            workspace: workspace, session: session, occurrenceMilliseconds: second + 60_000, cancelled: true),
                                      as: Course.ines)?.code == "occurrence_not_found")

        var edited = try officeHours()
        edited.title = "Office hours (room 2)"
        let update = CommandBody.updateLiveSession(workspace: workspace, session: session, spec: edited)
        #expect(try community.refusal(update, as: Course.leo)?.kind == .forbidden)
        guard case .liveSession(let updated) = try community.succeed(update, as: Course.moe) else { return }
        #expect(updated.revision == 2 && updated.cancelledOccurrences == [second])
        let announcement = try community.queries(as: Course.leo).message(
            workspace, Course.chatter, try #require(updated.announcement))
        #expect(announcement.text.hasPrefix("📅 Live session updated: Office hours (room 2)"))

        edited.startMilliseconds += 3_600_000  // an hour later: the cancelled instant is no longer an occurrence
        guard case .liveSession(let moved) = try community.succeed(
            .updateLiveSession(workspace: workspace, session: session, spec: edited), as: Course.ines) else { return }
        #expect(moved.cancelledOccurrences.isEmpty && moved.revision == 3)
    }

    /// Proves the join window is a per-workspace setting for instructors, bounded, and used by views.
    @Test func joinWindowSetting() throws {
        var community = try Course.world()
        _ = try created(&community)
        #expect(try community.refusal(.setLiveSessionJoinWindow(workspace: workspace, minutes: 30), as: Course.moe)?
            .kind == .forbidden)
        #expect(try community.refusal(.setLiveSessionJoinWindow(workspace: workspace, minutes: 241), as: Course.ines)?
            .code == "invalid_join_window")
        try community.succeed(.setLiveSessionJoinWindow(workspace: workspace, minutes: 30), as: Course.ines)
        #expect(try community.queries(as: Course.leo).liveSessionJoinWindowMinutes(workspace) == 30)
        let view = try community.queries(as: Course.leo).liveSession(workspace, session, now: utcInstant("20260317T133000Z"))
        #expect(view.window.isOpen && view.joinURL != nil)
    }

    /// Proves a workspace calendar (what feeds show and holders send to other nodes) carries the
    /// join window and the sessions without join URL, password or host start URL, survives its
    /// binary encoding unchanged, and is refused to someone outside the workspace.
    @Test func workspaceCalendarForFeeds() throws {
        var community = try Course.world()
        let stored = try created(&community)
        try community.succeed(.setLiveSessionJoinWindow(workspace: workspace, minutes: 30), as: Course.ines)
        let calendar = try community.queries(as: Course.leo).workspaceCalendar(workspace)
        #expect(calendar.joinWindowMinutes == 30 && calendar.sessions.map(\.id) == [stored.id])
        let spec = try #require(calendar.sessions.first).spec
        #expect(spec.joinURL == nil && spec.password == nil && spec.hostStartURL == nil && spec.meetingNumber != nil)
        var writer = BinaryWriter()
        calendar.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(try WorkspaceCalendar(from: &reader) == calendar)
        try reader.expectEnd()
        #expect(throws: CommunityError.self) { try community.queries(as: Course.nina).workspaceCalendar(workspace) }
    }

    /// Proves deleting removes the session and frees its slot; only managers delete.
    @Test func delete() throws {
        var community = try Course.world()
        _ = try created(&community)
        let delete = CommandBody.deleteLiveSession(workspace: workspace, session: session)
        #expect(try community.refusal(delete, as: Course.leo)?.kind == .forbidden)
        #expect(try community.succeed(delete, as: Course.lea) == .liveSessionDeleted)
        #expect(queryError { try community.queries(as: Course.ines).liveSession(workspace, session, now: 0) }?.code
            == "live_session_not_found")
        #expect(try community.refusal(delete, as: Course.ines)?.code == "live_session_not_found")
        _ = try created(&community)
    }

    /// Proves provider credentials are set by admins only, for an existing platform, never for
    /// plain links, and kept as the sealed bytes given (the core never sees them in the clear).
    @Test func meetingProviderCredentials() throws {
        var community = try Course.world()
        let sealed: [UInt8] = [9, 8, 7]
        let set = CommandBody.setMeetingProviderCredentials(platform: Course.platform, provider: .zoom, sealed: sealed)
        #expect(try community.refusal(set, as: Course.ines)?.kind == .forbidden)
        #expect(try community.refusal(.setMeetingProviderCredentials(platform: Course.platform, provider: .link,
                                                                     sealed: sealed), as: Course.admin)?.code
            == "invalid_provider")
        #expect(try community.refusal(.setMeetingProviderCredentials(platform: PlatformID(rawValue: "pl-none")!,
                                                                     provider: .zoom, sealed: sealed), as: Course.admin)?
            .code == "platform_not_found")
        try community.succeed(set, as: Course.admin)
        let queries = community.queries(as: Course.admin)
        #expect(try queries.sealedMeetingProviderCredentials(Course.platform, .zoom) == sealed)
        #expect(try queries.sealedMeetingProviderCredentials(Course.platform, .webex) == nil)
        try community.succeed(.setMeetingProviderCredentials(platform: Course.platform, provider: .zoom, sealed: nil),
                              as: Course.admin)
        #expect(try queries.sealedMeetingProviderCredentials(Course.platform, .zoom) == nil)
    }

    /// Proves reminders: due only once the window is open, posted once per occurrence into the
    /// channel (a repeat or a closed window changes nothing), never for cancelled occurrences, and
    /// only by administrators (the node's reminder service).
    @Test func reminders() throws {
        var community = try Course.world()
        _ = try created(&community)
        let first = utcInstant("20260317T140000Z")
        let queries = community.queries(as: Course.admin)
        #expect(try queries.dueLiveSessionReminders(now: first - 15 * 60_000 - 1, limit: 100).isEmpty)
        let due = try queries.dueLiveSessionReminders(now: first - 15 * 60_000, limit: 100)
        #expect(due.map(\.session) == [session] && due.map(\.occurrence) == [first])
        let remind = CommandBody.remindLiveSession(workspace: workspace, session: session, occurrenceMilliseconds: first)
        #expect(try community.refusal(remind, as: Course.ines)?.kind == .forbidden)

        community.nowMilliseconds = first - 16 * 60_000  // apply() adds a second: still before the window
        let early = try community.apply(remind, as: Course.admin)
        #expect(early.changes.isEmpty)
        community.nowMilliseconds = first - 10 * 60_000
        let posted = try community.apply(remind, as: Course.admin)
        #expect(posted.events.map(\.kind) == [.messageCreated])
        guard case .success(.liveSession(let reminded)) = posted.result else { return }
        #expect(reminded.remindedOccurrence == first)
        let message = try community.queries(as: Course.leo).message(workspace, Course.chatter, try #require(reminded.announcement))
        #expect(message.text.hasPrefix("📅 Join now, starting 2026-03-17 15:00 (Europe/Madrid): Office hours"))
        #expect(try community.apply(remind, as: Course.admin).changes.isEmpty)
        #expect(try queries.dueLiveSessionReminders(now: first, limit: 100).isEmpty)

        let second = utcInstant("20260324T140000Z")
        try community.succeed(.setLiveSessionOccurrenceCancelled(workspace: workspace, session: session,
                                                                 occurrenceMilliseconds: second, cancelled: true),
                              as: Course.ines)
        #expect(try queries.dueLiveSessionReminders(now: second - 60_000, limit: 100).isEmpty)
    }
}
