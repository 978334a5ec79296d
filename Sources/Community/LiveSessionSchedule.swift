import Foundation
import QuadCore

/// One occurrence of a session: its start, its end, and whether it was cancelled.
public struct Occurrence: Sendable, Equatable {
    public var startMilliseconds: Int64
    public var endMilliseconds: Int64
    public var cancelled: Bool
}

/// The occurrences of a session, expanded from its start, time zone and recurrence rule.
///
/// A series keeps its local wall-clock time across daylight-saving changes (weekly 15:00 in
/// Europe/Madrid is 14:00 UTC in winter and 13:00 UTC in summer), as RFC 5545 expands a DTSTART
/// with a TZID. A local time that does not exist (inside a spring-forward gap) moves forward by
/// the gap, as RFC 5545 asks; an ambiguous one (fall-back) takes the first instant. Pure: the
/// time zone rules come from Foundation's `TimeZone` data, never from a clock.
public struct LiveSessionSchedule: Sendable {
    public let spec: LiveSessionSpec
    let cancelled: Set<Int64>
    let calendar: Calendar
    /// Local noon of the first occurrence's day: adding days to noon never lands in a DST gap.
    let anchorNoon: Date
    let hour: Int
    let minute: Int
    let startWeekday: Weekday

    /// Nil when the time zone is unknown (validation refuses such specs before they are stored).
    public init?(spec: LiveSessionSpec, cancelledOccurrences: [Int64] = []) {
        guard let zone = TimeZone(identifier: spec.timeZone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = Date(timeIntervalSince1970: Double(spec.startMilliseconds) / 1000)
        let parts = calendar.dateComponents([.hour, .minute, .weekday], from: start)
        guard let hour = parts.hour, let minute = parts.minute, let rawWeekday = parts.weekday,
              let weekday = Weekday(rawValue: UInt8(rawWeekday)),
              let noon = calendar.date(bySettingHour: 12, minute: 0, second: 0, of: start)
        else { return nil }
        self.spec = spec
        self.cancelled = Set(cancelledOccurrences)
        self.calendar = calendar
        self.anchorNoon = noon
        self.hour = hour
        self.minute = minute
        self.startWeekday = weekday
    }

    public init?(_ session: LiveSession) {
        self.init(spec: session.spec, cancelledOccurrences: session.cancelledOccurrences)
    }

    var durationMilliseconds: Int64 { Int64(spec.durationMinutes) * 60_000 }

    /// The days of the week a weekly series meets on, Monday first.
    var weekdays: [Weekday] {
        guard let rule = spec.recurrence, rule.frequency == .weekly, !rule.byDay.isEmpty else { return [startWeekday] }
        return rule.byDay
    }

    /// Up to `limit` occurrences, in order, that end after `instant` (cancelled ones included,
    /// flagged). Bounded by the rule's COUNT and UNTIL, and by `limit`.
    public func occurrences(endingAfter instant: Int64, limit: Int) -> [Occurrence] {
        guard limit > 0 else { return [] }
        guard let rule = spec.recurrence else {
            let only = occurrence(startingAt: spec.startMilliseconds)
            return only.endMilliseconds > instant ? [only] : []
        }
        let days = rule.frequency == .weekly ? weekdays : []
        let perPeriod = max(days.count, 1)
        let periodDays = Int(rule.interval) * (rule.frequency == .weekly ? 7 : 1)
        // Days of the first week before the start's weekday never occur (RFC 5545: nothing before DTSTART).
        let skippedInFirstPeriod = days.filter { $0.daysFromMonday < startWeekday.daysFromMonday }.count
        // Jump straight to about one period before `instant`: a years-old open series costs the same.
        let periodMilliseconds = Int64(periodDays) * 86_400_000
        let elapsed = instant - durationMilliseconds - spec.startMilliseconds
        var period = max(0, Int(elapsed / periodMilliseconds) - 1)
        let countMax = rule.count.map(Int.init) ?? Int(Limits.liveSessionOccurrencesMax)
        var found: [Occurrence] = []
        while found.count < limit {
            // The series-wide index of this period's first day (COUNT counts from the start).
            let firstIndex = period * perPeriod - skippedInFirstPeriod
            for (position, offset) in dayOffsets(period: period, periodDays: periodDays, days: days).enumerated() {
                let index = firstIndex + position
                guard offset >= 0 else { continue }
                guard index < countMax, let start = localStart(dayOffset: offset) else { return found }
                if let until = rule.untilMilliseconds, start > until { return found }
                let candidate = occurrence(startingAt: start)
                if candidate.endMilliseconds > instant { found.append(candidate) }
                if found.count == limit { return found }
            }
            period += 1
        }
        return found
    }

    /// Whether a series has an occurrence starting exactly at `start`.
    public func hasOccurrence(startingAt start: Int64) -> Bool {
        occurrences(endingAfter: start, limit: 3).contains { $0.startMilliseconds == start }
    }

    /// Day offsets from the first occurrence's day for one period; negative ones precede the start.
    private func dayOffsets(period: Int, periodDays: Int, days: [Weekday]) -> [Int] {
        guard !days.isEmpty else { return [period * periodDays] }
        let weekStart = period * periodDays - startWeekday.daysFromMonday
        return days.map { weekStart + $0.daysFromMonday }
    }

    private func localStart(dayOffset: Int) -> Int64? {
        guard let noon = calendar.date(byAdding: .day, value: dayOffset, to: anchorNoon),
              let start = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: noon,
                                        matchingPolicy: .nextTimePreservingSmallerComponents,
                                        repeatedTimePolicy: .first, direction: .forward)
        else { return nil }
        let found = calendar.dateComponents([.hour, .minute], from: start)
        if found.hour == hour && found.minute == minute { return Int64((start.timeIntervalSince1970 * 1000).rounded()) }
        // The wall time does not exist that day (a spring-forward gap). Foundation's answer differs
        // between platforms, so apply RFC 5545 directly: read the time with the offset in force
        // before the gap (a day earlier), which moves it forward by the gap's length.
        let day = calendar.dateComponents([.year, .month, .day], from: noon)
        guard let year = day.year, let month = day.month, let date = day.day else { return nil }
        let wall = (ICalendarTime.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(date)) * 86_400
            + Int64(hour * 3600 + minute * 60)) * 1000
        let offsetBefore = calendar.timeZone.secondsFromGMT(for: noon.addingTimeInterval(-86_400))
        return wall - Int64(offsetBefore) * 1000
    }

    private func occurrence(startingAt start: Int64) -> Occurrence {
        Occurrence(startMilliseconds: start, endMilliseconds: start + durationMilliseconds,
                   cancelled: cancelled.contains(start))
    }

    /// The local date and time of an instant in the session's zone, as `2026-03-03 15:00`.
    public func localText(_ instant: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(instant) / 1000)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }

    /// The zone's UTC offset at an instant, in seconds (for VTIMEZONE and RFC 3339 output).
    public func utcOffsetSeconds(at instant: Int64) -> Int {
        calendar.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000))
    }
}
