/// A scheduled live session (office hours, a lecture, a study group) inside one workspace.
public struct LiveSessionID: StringIdentifier {
    public let rawValue: String
    public init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }
    public static let generatedPrefix = "ls_"
}

/// Where a live session takes place.
public enum MeetingProvider: UInt8, Sendable, CaseIterable, Codable {
    /// A Zoom meeting (meeting number, passcode, join URL, host start URL).
    case zoom = 1
    /// A Webex meeting (meeting number, password, web link, host key link).
    case webex = 2
    /// Any other URL: Jitsi, BigBlueButton, a classroom's own link.
    case link = 3

    public var name: String {
        switch self {
        case .zoom: "zoom"
        case .webex: "webex"
        case .link: "link"
        }
    }
}

extension MeetingProvider: NamedEnumeration {
    public init(from decoder: any Decoder) throws { try self.init(nameFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(to: encoder) }
}

/// A day of the week, numbered as Foundation's `Calendar` numbers them (Sunday = 1).
public enum Weekday: UInt8, Sendable, CaseIterable, Codable, Comparable {
    case sunday = 1, monday = 2, tuesday = 3, wednesday = 4, thursday = 5, friday = 6, saturday = 7

    /// The RFC 5545 two-letter code (`MO`, `TU`, ...).
    public var code: String {
        switch self {
        case .sunday: "SU"
        case .monday: "MO"
        case .tuesday: "TU"
        case .wednesday: "WE"
        case .thursday: "TH"
        case .friday: "FR"
        case .saturday: "SA"
        }
    }

    public init?(code: String) {
        guard let day = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = day
    }

    /// Days since the Monday that starts the week (RFC 5545's default WKST=MO): Monday 0, Sunday 6.
    public var daysFromMonday: Int { (Int(rawValue) + 5) % 7 }

    /// Orders by position in a Monday-first week.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysFromMonday < rhs.daysFromMonday }
}

/// How often a series repeats.
public enum RecurrenceFrequency: UInt8, Sendable, CaseIterable, Codable {
    case daily = 1, weekly = 2

    /// The RFC 5545 `FREQ` value.
    public var code: String {
        switch self {
        case .daily: "DAILY"
        case .weekly: "WEEKLY"
        }
    }
}

/// The subset of an RFC 5545 RRULE that live sessions use: FREQ (DAILY or WEEKLY), INTERVAL,
/// BYDAY (weekly only, plain days), COUNT and UNTIL. Week starts are Monday (WKST=MO).
public struct RecurrenceRule: Sendable, Equatable {
    public var frequency: RecurrenceFrequency
    /// Every `interval` days or weeks; 1 or more.
    public var interval: UInt16
    /// The days of a weekly series, sorted Monday first; empty means the start's weekday.
    public var byDay: [Weekday]
    /// The number of occurrences, cancelled ones included (as RFC 5545 counts EXDATEs).
    public var count: UInt16?
    /// The last instant an occurrence may start at (inclusive), in milliseconds since 1970.
    public var untilMilliseconds: Int64?

    public init(frequency: RecurrenceFrequency, interval: UInt16 = 1, byDay: [Weekday] = [], count: UInt16? = nil,
                untilMilliseconds: Int64? = nil) {
        self.frequency = frequency
        self.interval = interval
        self.byDay = Array(Set(byDay)).sorted()
        self.count = count
        self.untilMilliseconds = untilMilliseconds
    }

    /// The rule as an RRULE value, e.g. `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10`.
    public var text: String {
        var parts = ["FREQ=\(frequency.code)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if !byDay.isEmpty { parts.append("BYDAY=" + byDay.map(\.code).joined(separator: ",")) }
        if let count { parts.append("COUNT=\(count)") }
        if let untilMilliseconds { parts.append("UNTIL=" + ICalendarTime.utcText(untilMilliseconds)) }
        return parts.joined(separator: ";")
    }

    /// Parses an RRULE value of the supported subset; nil for anything else (unknown parts,
    /// BYDAY with ordinals, repeated parts, both COUNT and UNTIL).
    public init?(text: String) {
        var frequency: RecurrenceFrequency?
        var interval: UInt16 = 1
        var days: [Weekday] = []
        var count: UInt16?
        var until: Int64?
        var seen = Set<Substring>()
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, seen.insert(pair[0]).inserted else { return nil }
            let value = String(pair[1])
            switch pair[0] {
            case "FREQ":
                guard let parsed = RecurrenceFrequency.allCases.first(where: { $0.code == value }) else { return nil }
                frequency = parsed
            case "INTERVAL":
                guard let parsed = UInt16(value), parsed >= 1 else { return nil }
                interval = parsed
            case "BYDAY":
                for code in value.split(separator: ",") {
                    guard let day = Weekday(code: String(code)) else { return nil }
                    days.append(day)
                }
            case "COUNT":
                guard let parsed = UInt16(value), parsed >= 1 else { return nil }
                count = parsed
            case "UNTIL":
                guard let parsed = ICalendarTime.parseUTC(value) else { return nil }
                until = parsed
            case "WKST":
                guard value == "MO" else { return nil }
            default:
                return nil
            }
        }
        guard let frequency, count == nil || until == nil else { return nil }
        self.init(frequency: frequency, interval: interval, byDay: days, count: count, untilMilliseconds: until)
    }
}

/// Everything a host says about a live session. Times are instants (milliseconds since 1970)
/// plus the IANA time zone whose wall clock a series follows across daylight-saving changes.
public struct LiveSessionSpec: Sendable, Equatable {
    public var title: String
    public var agenda: String
    /// The channel whose members see the session and where announcements go; nil: the whole workspace.
    public var channel: ChannelID?
    /// The people who run it; they see the host start URL and may edit it.
    public var hosts: [UserID]
    public var provider: MeetingProvider
    /// The first occurrence's start.
    public var startMilliseconds: Int64
    /// An IANA zone such as `Europe/Madrid`.
    public var timeZone: String
    public var durationMinutes: UInt32
    public var recurrence: RecurrenceRule?
    public var meetingNumber: String?
    public var password: String?
    public var joinURL: String?
    public var hostStartURL: String?
    /// The provider's own ID when Quad created the meeting through the provider's API (so edits
    /// and deletes follow it there); nil for meetings a host pasted in.
    public var providerMeetingID: String?

    public init(title: String, agenda: String = "", channel: ChannelID? = nil, hosts: [UserID],
                provider: MeetingProvider, startMilliseconds: Int64, timeZone: String, durationMinutes: UInt32,
                recurrence: RecurrenceRule? = nil, meetingNumber: String? = nil, password: String? = nil,
                joinURL: String? = nil, hostStartURL: String? = nil, providerMeetingID: String? = nil) {
        self.title = title
        self.agenda = agenda
        self.channel = channel
        self.hosts = hosts
        self.provider = provider
        self.startMilliseconds = startMilliseconds
        self.timeZone = timeZone
        self.durationMinutes = durationMinutes
        self.recurrence = recurrence
        self.meetingNumber = meetingNumber
        self.password = password
        self.joinURL = joinURL
        self.hostStartURL = hostStartURL
        self.providerMeetingID = providerMeetingID
    }
}

/// RFC 5545 UTC date-times (`20260303T140000Z`) without Foundation's formatters, so the codec and
/// the pure cores format the same bytes on every platform.
public enum ICalendarTime {
    static let millisecondsPerDay: Int64 = 86_400_000

    /// `YYYYMMDDTHHMMSSZ` for an instant (sub-second parts are dropped).
    public static func utcText(_ milliseconds: Int64) -> String {
        let (days, rest) = floorDivision(milliseconds, millisecondsPerDay)
        let (year, month, day) = civilDate(fromDays: days)
        let seconds = rest / 1000
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(seconds / 3600, 2)
            + pad(seconds / 60 % 60, 2) + pad(seconds % 60, 2) + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS` of an instant shifted by nothing (callers add a zone's offset first
    /// for local wall-clock text, as the API and the provider clients do).
    public static func isoText(_ milliseconds: Int64) -> String {
        let compact = Array(utcText(milliseconds))
        return String(compact[0..<4]) + "-" + String(compact[4..<6]) + "-" + String(compact[6..<8]) + "T"
            + String(compact[9..<11]) + ":" + String(compact[11..<13]) + ":" + String(compact[13..<15])
    }

    /// Parses `YYYYMMDDTHHMMSSZ`; nil for anything else.
    public static func parseUTC(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1000
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
        return (quotient, value - quotient * divisor)
    }

    /// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Howard Hinnant's `civil_from_days`, the inverse of `daysFromCivil`.
    static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
