import API
import Community
import Foundation
import Logging
import QuadCore
import Testing

/// A course with an instructor (ines), a learner host (lea), a learner (leo) and an outsider (nina),
/// and a weekly Tuesday 15:00 Madrid session in chatter starting 17 March 2026.
struct SessionCourse {
    let admin: SessionCaller
    let ines: SessionCaller
    let lea: SessionCaller
    let leo: SessionCaller
    let nina: SessionCaller
    let workspace: String
    let chatter: String
    let session: String

    var sessionPath: String { "/v1/workspaces/\(workspace)/sessions/\(session)" }

    static var body: [String: Any] { [
        "title": "Office hours", "agenda": "Bring questions, week 3", "provider": "zoom",
        "start": "2026-03-17T15:00", "time_zone": "Europe/Madrid", "duration_minutes": 60,
        "recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=10", "meeting_number": "85012345678", "password": "s3cret",
        "join_url": "https://zoom.example/j/85012345678", "host_start_url": "https://zoom.example/s/85012345678?zak=h",
    ] }

    static func make(_ server: SessionsAPIServer) async throws -> SessionCourse {
        let admin = try await server.caller("admin", admin: true)
        try #require(await server.send(.post, "/v1/platforms", as: admin, json: ["id": "pl-edx", "name": "edX"]).status == 201)
        let created = try await server.send(.post, "/v1/workspaces", as: admin, json: [
            "platform_id": "pl-edx", "kind": "course", "name": "CS 101", "templates": ["announcements", "chatter"]])
        let workspace = try #require(created.json?[object: "workspace"]?[string: "id"])
        let channels = try #require(created.json?["channels"] as? [[String: Any]])
        let chatter = try #require(channels.first { $0[string: "slug"] == "chatter" }?[string: "id"])
        try #require(await server.send(.post, "/v1/workspaces/\(workspace)/members", as: admin, json: ["members": [
            ["user_id": "ines", "role": "instructor"], ["user_id": "lea", "role": "learner"],
            ["user_id": "leo", "role": "learner"]]]).status == 200)
        let ines = try await server.caller("ines")
        var body = Self.body
        body["channel_id"] = chatter
        body["host_ids"] = ["lea"]
        let session = try await server.send(.post, "/v1/workspaces/\(workspace)/sessions", as: ines, json: body)
        try #require(session.status == 201, "\(session.text)")
        return SessionCourse(admin: admin, ines: ines, lea: try await server.caller("lea"),
                             leo: try await server.caller("leo"), nina: try await server.caller("nina"),
                             workspace: workspace, chatter: chatter,
                             session: try #require(session.json?[object: "session"]?[string: "id"]))
    }
}

@Suite struct LiveSessionAPITests {
    static let winter = ICalendarTime.parseUTC("20260301T120000Z") ?? 0

    /// Proves the window boundaries through a real socket with the API's clock set by the test:
    /// 14:44 Madrid hides the join URL (60 s countdown), 14:45 shows it, the end hides it again,
    /// and `server_time` is the server's clock, not the client's.
    @Test func joinWindowThroughTheAPI() async throws {
        try await SessionsAPIServer.run(at: Self.winter) { server in
            let course = try await SessionCourse.make(server)
            server.clock.set(ICalendarTime.parseUTC("20260317T134400Z") ?? 0)
            let before = try await server.send(.get, course.sessionPath, as: course.leo)
            #expect(before.status == 200)
            #expect(before.json?[string: "server_time"] == "2026-03-17T13:44:00.000Z")
            let early = try #require(before.json?[object: "session"])
            #expect(early["join_url"] == nil && early["password"] == nil && early["host_start_url"] == nil)
            #expect(early["seconds_until_window_opens"] as? Int == 60 && early["join_window_open"] as? Bool == false)
            #expect(early[string: "start"] == "2026-03-17T15:00:00+01:00")
            #expect(early[string: "window_opens_at"] == "2026-03-17T14:45:00+01:00")
            #expect(early[string: "meeting_number"] == "85012345678")

            server.clock.set(ICalendarTime.parseUTC("20260317T134500Z") ?? 0)
            let open = try #require(try await server.send(.get, course.sessionPath, as: course.leo).json?[object: "session"])
            #expect(open[string: "join_url"] == "https://zoom.example/j/85012345678" && open[string: "password"] == "s3cret")
            #expect(open["seconds_until_window_opens"] as? Int == 0 && open["host_start_url"] == nil)

            server.clock.set(ICalendarTime.parseUTC("20260317T150000Z") ?? 0)
            let after = try #require(try await server.send(.get, course.sessionPath, as: course.leo).json?[object: "session"])
            #expect(after["join_url"] == nil)
            #expect(after[object: "next_occurrence"]?[string: "start"] == "2026-03-24T15:00:00+01:00")

            // Across the DST change the local time stays 15:00 and the offset moves.
            server.clock.set(ICalendarTime.parseUTC("20260330T000000Z") ?? 0)
            let summer = try #require(try await server.send(.get, course.sessionPath, as: course.leo).json?[object: "session"])
            #expect(summer[object: "next_occurrence"]?[string: "start"] == "2026-03-31T15:00:00+02:00")
            #expect(summer[object: "next_occurrence"]?[string: "id"] == "20260331T130000Z")
        }
    }

    /// Proves who sees what: an outsider gets 404 everywhere, a learner sees the session but
    /// never the host start URL, the learner host and the instructor do; learners cannot create,
    /// edit or delete, hosts edit; creating and editing announce in the channel.
    @Test func permissionsAndAnnouncements() async throws {
        try await SessionsAPIServer.run(at: Self.winter) { server in
            let course = try await SessionCourse.make(server)
            let list = "/v1/workspaces/\(course.workspace)/sessions"
            #expect(try await server.send(.get, list, as: course.nina).status == 404)
            #expect(try await server.send(.get, course.sessionPath, as: course.nina).status == 404)
            #expect(try await server.send(.get, list, as: nil).status == 401)
            #expect(try await server.send(.post, list, as: course.leo, json: SessionCourse.body).status == 403)

            let listed = try await server.send(.get, list, as: course.leo)
            #expect((listed.json?["sessions"] as? [[String: Any]])?.count == 1)
            #expect(listed.json?["join_window_minutes"] as? Int == 15 && listed.json?[string: "server_time"] != nil)
            for (caller, seesHostURL) in [(course.leo, false), (course.lea, true), (course.ines, true), (course.admin, true)] {
                let session = try #require(try await server.send(.get, course.sessionPath, as: caller).json?[object: "session"])
                #expect((session[string: "host_start_url"] != nil) == seesHostURL, "\(caller.userID)")
            }

            var edit = SessionCourse.body
            edit["title"] = "Office hours, room 2"
            edit["channel_id"] = course.chatter
            edit["host_ids"] = ["lea"]
            #expect(try await server.send(.put, course.sessionPath, as: course.leo, json: edit).status == 403)
            let edited = try await server.send(.put, course.sessionPath, as: course.lea, json: edit)
            #expect(edited.status == 200 && edited.json?[object: "session"]?["revision"] as? Int == 1)
            let messages = try await server.send(.get, "/v1/workspaces/\(course.workspace)/channels/\(course.chatter)/messages",
                                                 as: course.ines)
            let texts = (messages.json?["messages"] as? [[String: Any]])?.compactMap { $0[string: "text"] } ?? []
            #expect(texts.count == 2 && texts.first?.contains("Live session updated: Office hours, room 2") == true)
            #expect(texts.allSatisfy { !$0.contains("s3cret") && !$0.contains("zoom.example") })

            var invalid = edit
            invalid["time_zone"] = "Mars/Olympus"
            #expect(try await server.send(.put, course.sessionPath, as: course.ines, json: invalid).json?[object: "error"]?[string: "code"]
                == "invalid_time_zone")
            #expect(try await server.send(.delete, course.sessionPath, as: course.leo).status == 403)
            #expect(try await server.send(.delete, course.sessionPath, as: course.ines).status == 204)
            #expect(try await server.send(.get, course.sessionPath, as: course.ines).status == 404)
        }
    }

    /// Proves cancelling one occurrence through the API moves the countdown to the next one, and
    /// the per-workspace window setting changes when join details appear.
    @Test func cancellationAndWindowSetting() async throws {
        try await SessionsAPIServer.run(at: Self.winter) { server in
            let course = try await SessionCourse.make(server)
            let cancel = course.sessionPath + "/cancellations/20260317T140000Z"
            #expect(try await server.send(.put, cancel, as: course.leo).status == 403)
            let cancelled = try await server.send(.put, cancel, as: course.lea)
            #expect(cancelled.status == 200)
            let session = try #require(cancelled.json?[object: "session"])
            #expect(session["cancelled_occurrences"] as? [String] == ["2026-03-17T15:00:00+01:00"])
            #expect(session[object: "next_occurrence"]?[string: "start"] == "2026-03-24T15:00:00+01:00")
            #expect(try await server.send(.put, course.sessionPath + "/cancellations/20260317T140100Z", as: course.ines)
                .status == 404)
            #expect(try await server.send(.put, course.sessionPath + "/cancellations/tomorrow", as: course.ines)
                .status == 400)

            let settings = "/v1/workspaces/\(course.workspace)/session-settings"
            #expect(try await server.send(.put, settings, as: course.leo, json: ["join_window_minutes": 30]).status == 403)
            #expect(try await server.send(.put, settings, as: course.ines, json: ["join_window_minutes": 30]).status == 200)
            server.clock.set(ICalendarTime.parseUTC("20260324T133000Z") ?? 0)
            let open = try #require(try await server.send(.get, course.sessionPath, as: course.leo).json?[object: "session"])
            #expect(open[string: "join_url"] != nil)
        }
    }

    /// Proves the reminder service posts "join now" when the window opens, once, and that it
    /// reaches real-time subscribers (the stream the event WebSocket forwards) as message.created.
    @Test func reminderWhenTheWindowOpens() async throws {
        try await SessionsAPIServer.run(at: Self.winter) { server in
            let course = try await SessionCourse.make(server)
            let workspace = try #require(WorkspaceID(rawValue: course.workspace))
            let live = try #require(server.node.events.subscribe(workspace))
            let reminders = LiveSessionReminders(node: server.node, clock: server.clock, logger: Logger(label: "reminders"))
            server.clock.set(ICalendarTime.parseUTC("20260317T134459Z") ?? 0)
            #expect(await reminders.tick() == 0)
            server.clock.set(ICalendarTime.parseUTC("20260317T134500Z") ?? 0)
            #expect(await reminders.tick() == 1)
            #expect(await reminders.tick() == 0)
            let event = try await firstEvent(of: live, within: .seconds(10))
            #expect(event?.kind == .messageCreated && event?.channelID?.rawValue == course.chatter)
            let messages = try await server.send(.get, "/v1/workspaces/\(course.workspace)/channels/\(course.chatter)/messages",
                                                 as: course.leo)
            let newest = (messages.json?["messages"] as? [[String: Any]])?.first?[string: "text"]
            #expect(newest?.hasPrefix("📅 Join now, starting 2026-03-17 15:00 (Europe/Madrid): Office hours") == true)
        }
    }

    /// The first event of a stream, or nil when none arrives before the deadline.
    func firstEvent(of stream: AsyncStream<Event>, within deadline: Duration) async throws -> Event? {
        try await withThrowingTaskGroup(of: Event?.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
