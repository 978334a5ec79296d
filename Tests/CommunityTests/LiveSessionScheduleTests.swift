import Community
import QuadCore
import Testing

/// An instant from its RFC 5545 UTC form, for readable expectations.
func utcInstant(_ text: String) -> Int64 {
    guard let value = ICalendarTime.parseUTC(text) else { preconditionFailure("bad time \(text)") }
    return value
}

func sessionSchedule(_ spec: LiveSessionSpec, cancelled: [Int64] = []) throws -> LiveSessionSchedule {
    try #require(LiveSessionSchedule(spec: spec, cancelledOccurrences: cancelled))
}

func sessionSpec(start: String, zone: String, minutes: UInt32 = 60, rule: String? = nil) throws -> LiveSessionSpec {
    LiveSessionSpec(title: "Office hours", hosts: [Course.ines.userID], provider: .link,
                    startMilliseconds: utcInstant(start), timeZone: zone, durationMinutes: minutes,
                    recurrence: try rule.map { try #require(RecurrenceRule(text: $0)) },
                    joinURL: "https://meet.example/cs101")
}

@Suite struct LiveSessionScheduleTests {
    /// Proves the join window's three boundaries with a clock passed in: a session at 15:15 Madrid
    /// time (14:15Z) with the default 15-minute window is hidden at 14:59, shown at 15:00, shown a
    /// millisecond before its end, and hidden at its end.
    @Test func joinWindowBoundaries() throws {
        let plan = try sessionSchedule(try sessionSpec(start: "20260303T141500Z", zone: "Europe/Madrid", minutes: 60))
        func window(_ now: String, plus milliseconds: Int64 = 0) -> JoinWindow {
            JoinWindow.evaluate(plan, windowMinutes: 15, now: utcInstant(now) + milliseconds)
        }
        let at1459 = window("20260303T135900Z")
        #expect(!at1459.isOpen && at1459.secondsUntilOpens == 60)
        #expect(!window("20260303T135959Z", plus: 999).isOpen)
        #expect(window("20260303T135959Z", plus: 999).secondsUntilOpens == 1)
        let at1500 = window("20260303T140000Z")
        #expect(at1500.isOpen && at1500.secondsUntilOpens == 0 && at1500.opensAtMilliseconds == utcInstant("20260303T140000Z"))
        #expect(window("20260303T151459Z", plus: 999).isOpen)
        let atEnd = window("20260303T151500Z")
        #expect(!atEnd.isOpen && atEnd.occurrence == nil && atEnd.secondsUntilOpens == nil)
        // A week earlier the countdown is a week minus 15 minutes, whatever the viewer's zone.
        let weekBefore = window("20260224T141500Z")
        #expect(weekBefore.secondsUntilOpens == Int64(7 * 86_400 - 15 * 60))
        // The window length is the workspace's: 0 minutes opens exactly at the start.
        #expect(!JoinWindow.evaluate(plan, windowMinutes: 0, now: utcInstant("20260303T141459Z")).isOpen)
        #expect(JoinWindow.evaluate(plan, windowMinutes: 0, now: utcInstant("20260303T141500Z")).isOpen)
    }

    /// Proves a weekly Madrid series keeps 15:00 local across both DST changes of 2026 (29 March,
    /// 25 October): 14:00Z in winter, 13:00Z in summer.
    @Test func weeklySeriesAcrossMadridDST() throws {
        let spring = try sessionSchedule(try sessionSpec(start: "20260317T140000Z", zone: "Europe/Madrid",
                                                  rule: "FREQ=WEEKLY;COUNT=4"))
        #expect(spring.occurrences(endingAfter: 0, limit: 10).map(\.startMilliseconds) == [
            utcInstant("20260317T140000Z"), utcInstant("20260324T140000Z"), utcInstant("20260331T130000Z"), utcInstant("20260407T130000Z"),
        ])
        let autumn = try sessionSchedule(try sessionSpec(start: "20261020T130000Z", zone: "Europe/Madrid",
                                                  rule: "FREQ=WEEKLY"))
        #expect(autumn.occurrences(endingAfter: 0, limit: 2).map(\.startMilliseconds)
            == [utcInstant("20261020T130000Z"), utcInstant("20261027T140000Z")])
        // The window follows the local time: after the change it opens at 12:45Z, not 13:45Z.
        #expect(JoinWindow.evaluate(spring, windowMinutes: 15, now: utcInstant("20260331T124500Z")).isOpen)
        #expect(!JoinWindow.evaluate(spring, windowMinutes: 15, now: utcInstant("20260331T124459Z")).isOpen)
    }

    /// Proves a Tuesday/Thursday New York series at 18:00 local crosses the 8 March and 1 November
    /// 2026 changes (23:00Z in winter, 22:00Z in summer) and skips nothing.
    @Test func twiceWeeklySeriesAcrossNewYorkDST() throws {
        let plan = try sessionSchedule(try sessionSpec(start: "20260305T230000Z", zone: "America/New_York",
                                                rule: "FREQ=WEEKLY;BYDAY=TU,TH"))
        #expect(plan.occurrences(endingAfter: 0, limit: 3).map(\.startMilliseconds)
            == [utcInstant("20260305T230000Z"), utcInstant("20260310T220000Z"), utcInstant("20260312T220000Z")])
        #expect(plan.occurrences(endingAfter: utcInstant("20261029T000000Z"), limit: 2).map(\.startMilliseconds)
            == [utcInstant("20261029T220000Z"), utcInstant("20261103T230000Z")])
        let window = JoinWindow.evaluate(plan, windowMinutes: 15, now: utcInstant("20260310T214500Z"))
        #expect(window.isOpen && window.occurrence?.startMilliseconds == utcInstant("20260310T220000Z"))
    }

    /// Proves a daily 02:30 New York series moves to 03:30 on the day that time does not exist
    /// (RFC 5545: the offset before the gap applies), and returns to 02:30 the day after.
    @Test func nonexistentLocalTimeMovesForward() throws {
        let plan = try sessionSchedule(try sessionSpec(start: "20260307T073000Z", zone: "America/New_York",
                                                rule: "FREQ=DAILY;COUNT=3"))
        #expect(plan.occurrences(endingAfter: 0, limit: 5).map(\.startMilliseconds)
            == [utcInstant("20260307T073000Z"), utcInstant("20260308T073000Z"), utcInstant("20260309T063000Z")])
    }

    /// Proves INTERVAL, BYDAY, COUNT and UNTIL: every second week on Monday and Wednesday from a
    /// Wednesday skips that first Monday, and COUNT counts from the start.
    @Test func intervalByDayCountAndUntil() throws {
        let plan = try sessionSchedule(try sessionSpec(start: "20260107T100000Z", zone: "UTC",
                                                rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=5"))
        let all = [utcInstant("20260107T100000Z"), utcInstant("20260119T100000Z"), utcInstant("20260121T100000Z"),
                   utcInstant("20260202T100000Z"), utcInstant("20260204T100000Z")]
        #expect(plan.occurrences(endingAfter: 0, limit: 10).map(\.startMilliseconds) == all)
        #expect(plan.occurrences(endingAfter: utcInstant("20260202T000000Z"), limit: 10).map(\.startMilliseconds)
            == Array(all.suffix(2)))
        #expect(plan.occurrences(endingAfter: utcInstant("20260301T000000Z"), limit: 10).isEmpty)
        let until = try sessionSchedule(try sessionSpec(start: "20260107T100000Z", zone: "UTC",
                                                 rule: "FREQ=DAILY;INTERVAL=3;UNTIL=20260113T100000Z"))
        #expect(until.occurrences(endingAfter: 0, limit: 10).map(\.startMilliseconds)
            == [utcInstant("20260107T100000Z"), utcInstant("20260110T100000Z"), utcInstant("20260113T100000Z")])
    }

    /// Proves an open series years old is expanded from near `now` (not from its start) and still
    /// lands on the right weekday and local time, and that every series ends at 730 occurrences.
    @Test func longSeriesJumpAheadAndAreBounded() throws {
        let plan = try sessionSchedule(try sessionSpec(start: "20260105T090000Z", zone: "Europe/Madrid",
                                                rule: "FREQ=WEEKLY;BYDAY=MO"))
        let later = plan.occurrences(endingAfter: utcInstant("20300610T000000Z"), limit: 1)
        #expect(later.map(\.startMilliseconds) == [utcInstant("20300610T080000Z")])  // Monday 10:00 CEST
        let daily = try sessionSchedule(try sessionSpec(start: "20260105T090000Z", zone: "UTC", rule: "FREQ=DAILY"))
        let tail = daily.occurrences(endingAfter: utcInstant("20271201T000000Z"), limit: 100)
        #expect(tail.last?.startMilliseconds == utcInstant("20260105T090000Z") + 729 * 86_400_000)
    }

    /// Proves a cancelled occurrence is flagged and skipped by the window rule, which moves to the next.
    @Test func cancelledOccurrenceIsSkipped() throws {
        let spec = try sessionSpec(start: "20260317T140000Z", zone: "Europe/Madrid", rule: "FREQ=WEEKLY;COUNT=3")
        let plan = try sessionSchedule(spec, cancelled: [utcInstant("20260324T140000Z")])
        #expect(plan.occurrences(endingAfter: 0, limit: 3).map(\.cancelled) == [false, true, false])
        let window = JoinWindow.evaluate(plan, windowMinutes: 15, now: utcInstant("20260324T135000Z"))
        #expect(!window.isOpen && window.occurrence?.startMilliseconds == utcInstant("20260331T130000Z"))
        #expect(plan.hasOccurrence(startingAt: utcInstant("20260331T130000Z")))
        #expect(!plan.hasOccurrence(startingAt: utcInstant("20260331T140000Z")))
    }

    /// Proves the RRULE subset parses and prints canonically, and anything outside it is refused.
    @Test func recurrenceRuleText() throws {
        let rule = try #require(RecurrenceRule(text: "FREQ=WEEKLY;BYDAY=TH,TU,TU;INTERVAL=2;UNTIL=20260630T215959Z"))
        #expect(rule.byDay == [.tuesday, .thursday] && rule.interval == 2)
        #expect(rule.text == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20260630T215959Z")
        #expect(RecurrenceRule(text: rule.text) == rule)
        for bad in ["", "FREQ=MONTHLY", "FREQ=WEEKLY;BYDAY=1MO", "FREQ=WEEKLY;COUNT=0", "FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z",
                    "FREQ=DAILY;FREQ=DAILY", "FREQ=DAILY;BYMONTH=1", "INTERVAL=2", "FREQ=DAILY;UNTIL=20260101"] {
            #expect(RecurrenceRule(text: bad) == nil, "\(bad)")
        }
        #expect(ICalendarTime.utcText(0) == "19700101T000000Z")
        #expect(ICalendarTime.utcText(-1000) == "19691231T235959Z")
        #expect(ICalendarTime.utcText(utcInstant("20240229T235959Z")) == "20240229T235959Z")
    }

    /// Proves the spec rules: time zone, whole minutes, BYDAY in sync with the start, bounds, URLs.
    @Test func specValidation() throws {
        let good = try sessionSpec(start: "20260317T140000Z", zone: "Europe/Madrid", rule: "FREQ=WEEKLY;BYDAY=TU")
        try Validation.liveSessionSpec(good)
        func code(_ change: (inout LiveSessionSpec) -> Void) -> String? {
            var spec = good
            change(&spec)
            do { try Validation.liveSessionSpec(spec); return nil } catch { return error.code }
        }
        #expect(code { $0.timeZone = "Mars/Olympus" } == "invalid_time_zone")
        #expect(code { $0.startMilliseconds += 1000 } == "invalid_start")
        #expect(code { $0.recurrence = RecurrenceRule(frequency: .weekly, byDay: [.wednesday]) } == "invalid_recurrence")
        #expect(code { $0.recurrence = RecurrenceRule(frequency: .daily, byDay: [.tuesday]) } == "invalid_recurrence")
        #expect(code { $0.recurrence = RecurrenceRule(frequency: .daily, count: 731) } == "invalid_recurrence")
        #expect(code { $0.recurrence = RecurrenceRule(frequency: .daily, untilMilliseconds: 0) } == "invalid_recurrence")
        #expect(code { $0.durationMinutes = 0 } == "invalid_duration")
        #expect(code { $0.hosts = [] } == "invalid_hosts")
        #expect(code { $0.title = " " } == "invalid_title")
        #expect(code { $0.joinURL = "javascript:alert(1)" } == "invalid_join_url")
        #expect(code { $0.joinURL = nil } == "missing_join_url")
        #expect(code { $0.password = String(repeating: "p", count: 65) } == "invalid_password")
    }
}
