/// A Raft term: a logical clock that only grows. Term 0 means "none yet".
public struct Term: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public static let zero = Term(0)
    public static func < (lhs: Term, rhs: Term) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
    /// The next term; traps on overflow, which would take 2^64 elections.
    public var next: Term { Term(rawValue + 1) }
}

/// A position in a Raft log. Index 0 is the empty prefix; the first entry is 1.
public struct LogIndex: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public static let zero = LogIndex(0)
    public static func < (lhs: LogIndex, rhs: LogIndex) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
    public var next: LogIndex { LogIndex(rawValue + 1) }
    /// The previous index; the caller guarantees `self > .zero`.
    public var previous: LogIndex {
        precondition(rawValue > 0, "LogIndex.zero has no predecessor")
        return LogIndex(rawValue - 1)
    }
}

/// A cluster member's identity. 0 is reserved for "none".
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public static let none = NodeID(0)
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "n\(rawValue)" }
}

/// One of the cluster's fixed partitions, each a Raft group.
public struct PartitionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ value: UInt32) { self.rawValue = value }
    public static func < (lhs: PartitionID, rhs: PartitionID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "p\(rawValue)" }
}
