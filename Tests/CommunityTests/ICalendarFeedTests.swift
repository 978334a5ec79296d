import Community
import QuadCore
import Testing

@Suite struct ICalendarFeedTests {
    /// Proves the text rules of RFC 5545: CRLF lines of at most 75 octets (folded without splitting
    /// a character), escaped TEXT, a VTIMEZONE with Madrid's real 2026 transitions, and the
    /// VEVENT fields (UID, SEQUENCE, TZID start, RRULE, EXDATE, VALARM).
    @Test func textRules() throws {
        var spec = try sessionSpec(start: "20260317T140000Z", zone: "Europe/Madrid", rule: "FREQ=WEEKLY;COUNT=10")
        spec.title = "Office hours; week 3, room \\ 2 " + String(repeating: "é", count: 60)
        spec.agenda = "Line one\nLine two"
        let session = LiveSession(id: LiveSessionID(rawValue: "ls-1")!, workspaceID: Course.workspace, spec: spec,
                                  createdAt: utcInstant("20260301T100000Z"), createdBy: Course.ines.userID,
                                  updatedAt: utcInstant("20260302T100000Z"), revision: 3,
                                  cancelledOccurrences: [utcInstant("20260324T140000Z"), utcInstant("20260331T130000Z")],
                                  announcement: nil)
        var feed = ICalendarFeed(name: "CS 101", now: utcInstant("20260310T080000Z"))
        feed.add([session], workspaceName: "CS 101", joinWindowMinutes: 15)
        let text = feed.text()
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(lines.allSatisfy { $0.utf8.count <= 75 && !$0.contains("\n") })
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        for expected in ["UID:ls-1.ws-cs101@quad", "SEQUENCE:3", "DTSTAMP:20260310T080000Z",
                         "DTSTART;TZID=Europe/Madrid:20260317T150000", "DURATION:PT60M", "RRULE:FREQ=WEEKLY;COUNT=10",
                         "EXDATE;TZID=Europe/Madrid:20260324T150000,20260331T150000",
                         "SUMMARY:Office hours\\; week 3\\, room \\\\ 2 é", "DESCRIPTION:Line one\\nLine two\\n\\nCS 101",
                         "TRIGGER:-PT15M", "BEGIN:VTIMEZONE", "TZID:Europe/Madrid",
                         "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200",
                         "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"] {
            #expect(unfolded.contains(expected), "missing \(expected)")
        }
    }
}
