import Foundation

/// Where the API reads the current time: command timestamps, `server_time`, the join window.
/// Injected so tests can set "now"; the pure cores never read a clock themselves.
public protocol WallClock: Sendable {
    /// Milliseconds since 1970 (UTC).
    func nowMilliseconds() -> Int64
}

/// The machine's clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
