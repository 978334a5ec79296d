import Foundation
import QuadCore

/// Date-time text of the live-session API: RFC 3339 out (with the session zone's offset, or Z),
/// and in either RFC 3339 or a local `YYYY-MM-DDTHH:MM[:SS]` read in the session's time zone.
enum SessionTime {
    /// `2026-03-17T15:00:00+01:00`: the instant as the wall clock of `zone` shows it.
    static func text(_ milliseconds: Int64, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        return text(milliseconds, offsetSeconds: offset)
    }

    /// `2026-03-17T14:00:00.000Z`: UTC with milliseconds, for `server_time`.
    static func utcText(_ milliseconds: Int64) -> String {
        let base = text(milliseconds - milliseconds.modulo(1000), offsetSeconds: 0)
        let fraction = String(milliseconds.modulo(1000) + 1000).dropFirst()
        return base.dropLast() + "." + fraction + "Z"
    }

    static func text(_ milliseconds: Int64, offsetSeconds: Int) -> String {
        let local = ICalendarTime.isoText(milliseconds + Int64(offsetSeconds) * 1000)
        guard offsetSeconds != 0 else { return local + "Z" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let minutes = abs(offsetSeconds) / 60
        return local + sign + two(minutes / 60) + ":" + two(minutes % 60)
    }

    /// Parses RFC 3339 (`...Z`, `...+01:00`) or a local date-time read in `zone`; nil otherwise.
    static func parse(_ text: String, zone: TimeZone) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              let year = number(bytes, 0..<4), let month = number(bytes, 5..<7), let day = number(bytes, 8..<10),
              let hour = number(bytes, 11..<13), let minute = number(bytes, 14..<16)
        else { return nil }
        var position = 16
        var second = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ":") {
            guard let value = number(bytes, 17..<19) else { return nil }
            second = value
            position = 19
        }
        let rest = String(decoding: bytes[min(position, bytes.count)...], as: UTF8.self)
        var parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        if rest.isEmpty {
            calendar.timeZone = zone
        } else if let offset = offsetSeconds(rest) {
            guard let fixed = TimeZone(secondsFromGMT: offset) else { return nil }
            calendar.timeZone = fixed
        } else {
            return nil
        }
        parts.calendar = calendar
        guard let date = calendar.date(from: parts) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func offsetSeconds(_ text: String) -> Int? {
        if text == "Z" { return 0 }
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
              bytes[3] == UInt8(ascii: ":"), let hours = number(bytes, 1..<3), let minutes = number(bytes, 4..<6),
              hours < 24, minutes < 60
        else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return bytes[0] == UInt8(ascii: "-") ? -seconds : seconds
    }

    private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard range.upperBound <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[range] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension Int64 {
    /// The remainder with the divisor's sign (so negative instants format correctly).
    func modulo(_ divisor: Int64) -> Int64 { ((self % divisor) + divisor) % divisor }
}
