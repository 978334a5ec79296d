/// The machine's clock moved by a fixed offset: `quad --dev-clock-offset`, so browser tests can
/// put the server's "now" where they need it (say, inside a live session's join window) while
/// the browser keeps the real time. Development and tests only.
public struct OffsetWallClock: WallClock {
    /// Added to the machine's time.
    public let offsetMilliseconds: Int64

    /// Ten years either way: enough to reach any session a test schedules, far from overflow.
    public static let offsetSecondsMax: Int64 = 10 * 366 * 86_400

    /// A clock `offsetSeconds` ahead of the machine's (behind when negative); the caller keeps
    /// the offset within `offsetSecondsMax` (`quad` validates its flag).
    public init(offsetSeconds: Int64) {
        precondition(abs(offsetSeconds) <= Self.offsetSecondsMax, "clock offset out of range")
        offsetMilliseconds = offsetSeconds * 1000
    }

    /// The machine's time plus the offset.
    public func nowMilliseconds() -> Int64 { SystemWallClock().nowMilliseconds() + offsetMilliseconds }
}
