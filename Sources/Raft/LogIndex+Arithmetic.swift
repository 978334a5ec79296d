import QuadCore

extension LogIndex {
    /// The index `count` positions later.
    func advanced(by count: Int) -> LogIndex {
        precondition(count >= 0, "LogIndex only moves forward here")
        return LogIndex(rawValue + UInt64(count))
    }

    /// How many positions from `self` to `other` (`other >= self`).
    func distance(to other: LogIndex) -> Int {
        precondition(other >= self, "distance to an earlier index")
        return Int(other.rawValue - rawValue)
    }
}
