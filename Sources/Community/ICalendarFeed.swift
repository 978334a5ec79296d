import Foundation
import QuadCore

/// Writes RFC 5545 calendars of live sessions: one VEVENT per session with its RRULE, EXDATEs
/// for cancelled occurrences, a stable UID, SEQUENCE = revision, a VALARM before the start, and
/// one VTIMEZONE per zone used, with that zone's real transitions around the sessions.
///
/// Pure: `now` (for DTSTAMP) is passed in; zone rules come from Foundation's time zone data.
/// Feeds never carry join URLs or passwords: a calendar app keeps the text forever, while the
/// join details are shown only inside the join window.
public struct ICalendarFeed: Sendable {
    /// Minutes before an occurrence at which calendar apps remind (VALARM TRIGGER).
    public static let alarmMinutesBefore = 15
    /// Lines are folded at 75 octets (RFC 5545 section 3.1).
    static let lineOctetsMax = 75
    /// VTIMEZONE covers this long before the earliest and after the latest session start: enough
    /// for every occurrence a calendar shows soon; later ones extrapolate the last rule in force.
    static let timeZoneCoverageDays = 800
    /// Transitions written per zone: about two a year over the coverage, with room to spare.
    static let timeZoneTransitionsMax = 16

    public var name: String
    public var now: Int64
    public var joinWindowMinutes: [WorkspaceID: UInt16]
    private var events: [(LiveSession, String)] = []

    public init(name: String, now: Int64) {
        self.name = name
        self.now = now
        self.joinWindowMinutes = [:]
    }

    /// Adds a workspace's sessions (already filtered to what the reader may see).
    public mutating func add(_ sessions: [LiveSession], workspaceName: String, joinWindowMinutes minutes: UInt16) {
        for session in sessions {
            events.append((session, workspaceName))
            joinWindowMinutes[session.workspaceID] = minutes
        }
    }

    /// The calendar text, CRLF line ends, folded lines.
    public func text() -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Quad//Live sessions//EN", "CALSCALE:GREGORIAN",
                     "METHOD:PUBLISH", "X-WR-CALNAME:" + Self.escape(name)]
        var zones: [String: (Int64, Int64)] = [:]
        for (session, _) in events {
            let start = session.spec.startMilliseconds
            let range = zones[session.spec.timeZone] ?? (start, start)
            zones[session.spec.timeZone] = (min(range.0, start), max(range.1, start))
        }
        for (zone, range) in zones.sorted(by: { $0.key < $1.key }) {
            lines += timeZoneLines(zone, from: range.0, to: max(range.1, now))
        }
        for (session, workspaceName) in events.sorted(by: { $0.0.id < $1.0.id }) {
            lines += eventLines(session, workspaceName: workspaceName)
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    func eventLines(_ session: LiveSession, workspaceName: String) -> [String] {
        let spec = session.spec
        guard let zone = TimeZone(identifier: spec.timeZone) else { return [] }
        let tzid = "TZID=" + spec.timeZone
        var lines = ["BEGIN:VEVENT",
                     "UID:\(session.id.rawValue).\(session.workspaceID.rawValue)@quad",
                     "DTSTAMP:" + ICalendarTime.utcText(now),
                     "CREATED:" + ICalendarTime.utcText(session.createdAt),
                     "LAST-MODIFIED:" + ICalendarTime.utcText(session.updatedAt),
                     "SEQUENCE:\(session.revision)",
                     "DTSTART;\(tzid):" + Self.localText(spec.startMilliseconds, zone: zone),
                     "DURATION:PT\(spec.durationMinutes)M",
                     "SUMMARY:" + Self.escape(spec.title)]
        if let rule = spec.recurrence { lines.append("RRULE:" + rule.text) }
        if !session.cancelledOccurrences.isEmpty {
            let dates = session.cancelledOccurrences.map { Self.localText($0, zone: zone) }
            lines.append("EXDATE;\(tzid):" + dates.joined(separator: ","))
        }
        let minutes = joinWindowMinutes[session.workspaceID] ?? Limits.liveSessionJoinWindowMinutesDefault
        var description = spec.agenda.isEmpty ? "" : spec.agenda + "\n\n"
        description += "\(workspaceName) · \(spec.provider.name) session. "
            + "The join link appears in Quad \(minutes) minutes before the start."
        lines.append("DESCRIPTION:" + Self.escape(description))
        lines.append("CATEGORIES:" + Self.escape(workspaceName))
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + Self.escape(spec.title),
                  "TRIGGER:-PT\(Self.alarmMinutesBefore)M", "END:VALARM", "END:VEVENT"]
        return lines
    }

    /// A VTIMEZONE listing the zone's offset at the start of the covered range and every
    /// transition inside it, each as its own STANDARD or DAYLIGHT observance.
    func timeZoneLines(_ identifier: String, from earliest: Int64, to latest: Int64) -> [String] {
        guard let zone = TimeZone(identifier: identifier) else { return [] }
        let coverage = Int64(Self.timeZoneCoverageDays) * 86_400_000
        var instant = Date(timeIntervalSince1970: Double(earliest - coverage) / 1000)
        let end = Date(timeIntervalSince1970: Double(latest + coverage) / 1000)
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + identifier]
        var offset = zone.secondsFromGMT(for: instant)
        lines += observance(zone, at: instant, from: offset, to: offset)
        var written = 0
        while written < Self.timeZoneTransitionsMax, let next = zone.nextDaylightSavingTimeTransition(after: instant),
              next < end {
            let newOffset = zone.secondsFromGMT(for: next)
            lines += observance(zone, at: next, from: offset, to: newOffset)
            offset = newOffset
            instant = next
            written += 1
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    private func observance(_ zone: TimeZone, at date: Date, from: Int, to: Int) -> [String] {
        let kind = zone.isDaylightSavingTime(for: date) ? "DAYLIGHT" : "STANDARD"
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let localStart = ICalendarTime.utcText(milliseconds + Int64(from) * 1000).dropLast()  // local time before it
        var lines = ["BEGIN:\(kind)", "DTSTART:" + localStart, "TZOFFSETFROM:" + Self.offsetText(from),
                     "TZOFFSETTO:" + Self.offsetText(to)]
        if let name = zone.abbreviation(for: date) { lines.append("TZNAME:" + Self.escape(name)) }
        lines.append("END:\(kind)")
        return lines
    }

    /// `20260317T150000`: the wall-clock time of `zone` at an instant (for TZID-qualified values).
    static func localText(_ milliseconds: Int64, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        return String(ICalendarTime.utcText(milliseconds + Int64(offset) * 1000).dropLast())
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        let hours = minutes / 60
        return sign + (hours < 10 ? "0" : "") + "\(hours)" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }

    /// TEXT escaping (RFC 5545 section 3.3.11): backslash, semicolon, comma and newlines.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n", "\r\n": result += "\\n"
            case "\r": continue
            default: result.append(character)
            }
        }
        return result
    }

    /// Folds a line into 75-octet pieces joined by CRLF and a space, never splitting a character.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > lineOctetsMax else { return line }
        var pieces: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let budget = pieces.isEmpty ? lineOctetsMax : lineOctetsMax - 1  // continuation lines start with a space
            if octets + size > budget {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }
}
