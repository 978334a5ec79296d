import Community
import Foundation
import QuadCore
import Testing

/// The package's root folder (scripts and sources are read from it).
let sessionsPackageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What `scripts/check-ical.py` (the PyPI `icalendar` parser plus `dateutil`) read from a feed.
struct IndependentCalendarReading: Decodable {
    struct Event: Decodable {
        var uid: String
        var sequence: Int
        var summary: String
        var description: String
        var tzid: String
        var start: String
        var durationSeconds: Int
        var exdates: [String]
        var occurrences: [String]
        var alarmSeconds: [Int]
    }
    var version: String
    var timezones: [String]
    var events: [Event]

    /// Parses `text` with the independent parser; fails the test when python3 or icalendar is
    /// missing (`make test` installs it) or when the text does not parse.
    static func read(_ text: String) throws -> IndependentCalendarReading {
        let root = sessionsPackageRoot
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("quad-feed-\(UInt64.random(in: 0...UInt64.max)).ics")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/check-ical.py").path, file.path, "12"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0,
                     "check-ical.py failed (pip install icalendar; `make test` does): \(problems) \(String(decoding: data, as: UTF8.self))")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(IndependentCalendarReading.self, from: data)
    }
}

@Suite struct CalendarFeedAPITests {
    /// Proves the workspace feed and the per-user secret feed are valid RFC 5545 by an independent
    /// parser: VTIMEZONE for the zone, RRULE expanded across the DST change by dateutil to exactly
    /// the occurrences Quad computes, the cancelled one as an EXDATE, a stable UID, SEQUENCE equal
    /// to the edit count, a VALARM 15 minutes before, and no join URL or password anywhere.
    @Test func feedsAreValidICalendar() async throws {
        try await SessionsAPIServer.run(at: LiveSessionAPITests.winter) { server in
            let course = try await SessionCourse.make(server)
            #expect(try await server.send(.put, course.sessionPath + "/cancellations/20260324T140000Z", as: course.ines)
                .status == 200)
            var edit = SessionCourse.body
            edit["title"] = "Office hours; week 3, room 2"
            edit["channel_id"] = course.chatter
            edit["host_ids"] = ["lea"]
            #expect(try await server.send(.put, course.sessionPath, as: course.ines, json: edit).status == 200)

            let workspaceFeed = try await server.send(.get, "/v1/workspaces/\(course.workspace)/calendar.ics",
                                                      as: course.leo)
            #expect(workspaceFeed.status == 200 && workspaceFeed.text.hasPrefix("BEGIN:VCALENDAR\r\n"))
            #expect(try await server.send(.get, "/v1/workspaces/\(course.workspace)/calendar.ics", as: course.nina)
                .status == 404)

            let created = try await server.send(.post, "/v1/me/calendar-feed", as: course.leo)
            let path = try #require(created.json?[string: "path"])
            #expect(created.status == 201 && path.hasPrefix("/v1/calendar-feeds/leo/") && path.hasSuffix(".ics"))
            let userFeed = try await server.send(.get, path, as: nil)
            #expect(userFeed.status == 200)

            for feed in [workspaceFeed.text, userFeed.text] {
                #expect(!feed.contains("zoom.example") && !feed.contains("s3cret"))
                let reading = try IndependentCalendarReading.read(feed)
                #expect(reading.version == "2.0" && reading.timezones == ["Europe/Madrid"])
                let event = try #require(reading.events.first)
                #expect(reading.events.count == 1)
                #expect(event.uid == "\(course.session).\(course.workspace)@quad")
                #expect(event.sequence == 2 && event.summary == "Office hours; week 3, room 2")
                #expect(event.tzid == "Europe/Madrid" && event.start == "20260317T140000Z")
                #expect(event.durationSeconds == 3600 && event.alarmSeconds == [-900])
                #expect(event.exdates == ["20260324T140000Z"])
                #expect(event.description.contains("Bring questions, week 3"))
                // dateutil's expansion equals Quad's own, cancelled occurrence left out, DST included.
                let spec = try #require(LiveSessionSchedule(spec: LiveSessionSpec(
                    title: "x", hosts: [], provider: .link, startMilliseconds: ICalendarTime.parseUTC(event.start) ?? 0,
                    timeZone: "Europe/Madrid", durationMinutes: 60, recurrence: RecurrenceRule(text: "FREQ=WEEKLY;BYDAY=TU;COUNT=10"))))
                let ours = spec.occurrences(endingAfter: 0, limit: 10).map { ICalendarTime.utcText($0.startMilliseconds) }
                #expect(event.occurrences == ours.filter { $0 != "20260324T140000Z" })
                #expect(event.occurrences.prefix(3) == ["20260317T140000Z", "20260331T130000Z", "20260407T130000Z"])
            }

            let wrong = path.replacingOccurrences(of: "/leo/", with: "/lea/")
            #expect(try await server.send(.get, wrong, as: nil).status == 404)
            let rotated = try #require(try await server.send(.post, "/v1/me/calendar-feed", as: course.leo).json?[string: "path"])
            #expect(rotated != path)
            #expect(try await server.send(.get, path, as: nil).status == 404)
            #expect(try await server.send(.get, rotated, as: nil).status == 200)
            #expect(try await server.send(.delete, "/v1/me/calendar-feed", as: course.leo).status == 204)
            #expect(try await server.send(.get, rotated, as: nil).status == 404)
        }
    }
}
